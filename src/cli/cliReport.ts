import { stat, writeFile } from 'node:fs/promises';
import { arch, platform, release } from 'node:os';
import { basename } from 'node:path';
import { version as toolVersion } from '../../package.json';
import { renderDiagnosticReport, type ReportEnvironment, type ReportFile } from '../core/diagnosis/diagnosticReport';
import { readTranscriptTail, reportFileKind, reportInputFromEvents } from '../core/diagnosis/reportInput';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import { UsageError } from '../core/errors';
import { withCliActions } from './userActionText';

export function cliEnvironment(): ReportEnvironment {
  return { os: `${platform()} ${arch()} (${release()})`, node: process.version, toolVersion, frontEnd: 'CLI' };
}

/** Name, size and kind of each file as given on the command line (size unknown when it cannot be read). */
export async function reportFiles(paths: readonly string[]): Promise<ReportFile[]> {
  return Promise.all(
    paths.map(async (path) => {
      const size = await stat(path).then((info) => info.size, () => undefined);
      return { name: basename(path), ...(size !== undefined ? { size } : {}), kind: reportFileKind(path) };
    }),
  );
}

/** The Markdown diagnostic report of one session, from its events and its transcript's tail. */
export async function renderCliReport(events: readonly UpgradeEvent[], options: { portPath: string; files: string[] }): Promise<string> {
  const transcriptPath = [...events].reverse().find((e): e is Extract<UpgradeEvent, { kind: 'result' }> => e.kind === 'result')?.transcriptPath;
  const tail = transcriptPath ? await readTranscriptTail(transcriptPath) : undefined;
  return renderDiagnosticReport(
    reportInputFromEvents(events.map((event) => withCliDiagnosis(event, options.portPath)), {
      environment: cliEnvironment(),
      portPath: options.portPath,
      files: await reportFiles(options.files),
      ...(tail ? { transcriptTail: tail } : {}),
    }),
  );
}

/** A diagnosis whose advice spells its actions as CLI command lines, as the CLI user reads them. */
function withCliDiagnosis(event: UpgradeEvent, port: string): UpgradeEvent {
  if (event.kind !== 'diagnosis' || !event.diagnosis.actions?.length) return event;
  return { ...event, diagnosis: { ...event.diagnosis, action: withCliActions(event.diagnosis.action, event.diagnosis.actions, { port }) } };
}

export async function writeReportFile(path: string, markdown: string): Promise<void> {
  try {
    await writeFile(path, markdown, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot write the report to ${path}: ${(error as Error).message}.`, 'Pass a writable path with --report, e.g. --report upgrade-report.md.');
  }
}
