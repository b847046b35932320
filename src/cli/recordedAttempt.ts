import { finishedAttempt, newAttempt, readLastAttempt, writeLastAttempt, type LastAttempt } from '../core/engine/lastAttempt';
import type { UpgradeOutcome } from '../core/engine/upgradeEngine';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import type { TypedEmitter } from '../core/events/typedEmitter';
import type { CliContext } from './cliCommand';
import { renderCliReport, writeReportFile } from './cliReport';
import { writeJsonLine } from './renderJson';

/** What an upgrade command line asked for, as far as the record and the report go. */
export interface RecordedRun {
  portPath: string;
  files: string[];
  updaterPath?: string;
  transcriptDir: string;
  json: boolean;
  /** --report FILE.md */
  reportPath?: string;
}

/**
 * One upgrade attempt as every CLI upgrade runs it (`upgrade`, `board upgrade`): its
 * files go to last-attempt.json before it starts and its outcome after it ends (a
 * refused command line changed nothing, so the previous record stays), and with
 * --report the session's diagnostic report is written.
 */
export async function runRecordedAttempt(
  context: CliContext,
  run: RecordedRun,
  events: TypedEmitter<UpgradeEvent>,
  attemptJob: () => Promise<UpgradeOutcome>,
): Promise<UpgradeOutcome> {
  const previous = await readLastAttempt(run.transcriptDir, run.portPath);
  const attempt = newAttempt(run.portPath, run.files, run.updaterPath);
  await saveAttempt(context, run, attempt);
  const seen: UpgradeEvent[] = [];
  const stopRecording = events.on((event) => seen.push(event));
  let outcome: UpgradeOutcome;
  try {
    outcome = await attemptJob();
  } finally {
    stopRecording();
  }
  const wasRefused = outcome.error?.code === 'usage';
  await saveAttempt(context, run, wasRefused && previous ? previous : finishedAttempt(attempt, seen));
  if (run.reportPath) {
    const files = [...(run.updaterPath ? [run.updaterPath] : []), ...run.files];
    await writeReportFile(run.reportPath, await renderCliReport(seen, { portPath: run.portPath, files }));
    if (run.json) writeJsonLine(context.stdout, { kind: 'report', path: run.reportPath });
    else context.stdout.write(`Diagnostic report: ${run.reportPath}\n`);
  } else if (outcome.outcome !== 'success' && !run.json) {
    context.stdout.write('For a forum post or an issue, run again with --report report.md (or see the transcript).\n');
  }
  return outcome;
}

/** The record is a convenience: failing to write it is a warning, never a reason to stop. */
async function saveAttempt(context: CliContext, run: RecordedRun, attempt: LastAttempt): Promise<void> {
  try {
    await writeLastAttempt(run.transcriptDir, attempt);
  } catch (error) {
    const message = `Cannot remember this attempt's files in ${run.transcriptDir}: ${(error as Error).message}`;
    if (run.json) writeJsonLine(context.stdout, { kind: 'log', level: 'warn', message, atMs: Date.now() });
    else context.stderr.write(`warning: ${message}\n`);
  }
}
