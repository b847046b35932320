import { readFile } from 'node:fs/promises';
import type { Diagnosis, UpgradeEvent } from '../engine/upgradeEvents';
import { classifyFirmwareFileName } from '../parse/firmwareFile';
import { formatTranscriptEvent } from '../transcript/transcriptFormat';
import { diagnoseAll } from './diagnose';
import {
  MAX_TRANSCRIPT_LINES,
  reportStepsFromEvents,
  type DiagnosticReportInput,
  type ReportBoard,
  type ReportEnvironment,
  type ReportFile,
} from './diagnosticReport';
import { evidenceFromEvents, type DiagnosisEvidence } from './evidence';

/** What the front end knows besides the session's events. */
export interface ReportExtras {
  environment: ReportEnvironment;
  portPath?: string;
  board?: ReportBoard;
  /** The files with their sizes; else the plan's names (size unknown). */
  files?: ReportFile[];
  /** The transcript's last lines; else lines made from the events. */
  transcriptTail?: string[];
  generatedAt?: Date;
}

function last<K extends UpgradeEvent['kind']>(events: readonly UpgradeEvent[], kind: K): Extract<UpgradeEvent, { kind: K }> | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.kind === kind) return events[i] as Extract<UpgradeEvent, { kind: K }>;
  return undefined;
}

/**
 * The diagnoses of a session: the engine's own `diagnosis` events when it emitted them;
 * otherwise (a board-half failure, an error the glue caught) the rules run over the events.
 * Empty for a success.
 */
export function diagnosesFromEvents(events: readonly UpgradeEvent[]): Diagnosis[] {
  const emitted = events.flatMap((event) => (event.kind === 'diagnosis' ? [event.diagnosis] : []));
  if (emitted.length) return emitted;
  const result = last(events, 'result');
  if (!result || result.outcome === 'success') return [];
  return diagnoseAll(evidenceFromEvents(events));
}

/** A file's kind for the report, from its name alone. */
export function reportFileKind(name: string): string {
  const kind = classifyFirmwareFileName(name.split(/[\\/]/).pop() ?? name);
  if (kind.kind === 'diff') return `diff ${kind.fromBuild ?? '?'} → ${kind.toBuild ?? '?'}`;
  if (kind.kind === 'full') return `${kind.network ?? ''} full image${kind.build !== undefined ? `, build ${kind.build}` : ''}${kind.stage ? `, stage ${kind.stage}` : ''}`.trim();
  return kind.kind;
}

/**
 * Everything `renderDiagnosticReport` needs, from one session's event stream plus what
 * the caller knows: the CLI after `upgrade`, the extension for "Copy diagnostic report".
 */
export function reportInputFromEvents(events: readonly UpgradeEvent[], extras: ReportExtras): DiagnosticReportInput {
  const evidence: DiagnosisEvidence = evidenceFromEvents(events);
  const [diagnosis, ...otherFindings] = diagnosesFromEvents(events);
  const result = last(events, 'result');
  const plan = last(events, 'plan');
  const before = events.find((e): e is Extract<UpgradeEvent, { kind: 'modemInfo' }> => e.kind === 'modemInfo' && e.phase === 'before');
  const after = events.find((e): e is Extract<UpgradeEvent, { kind: 'modemInfo' }> => e.kind === 'modemInfo' && e.phase === 'after');
  const crash = last(events, 'crashDump');
  const files = extras.files ?? (plan?.files ?? []).map((name) => ({ name, kind: reportFileKind(name) }));
  return {
    environment: extras.environment,
    ...(extras.portPath ? { portPath: extras.portPath } : {}),
    ...(extras.board ? { board: extras.board } : {}),
    ...(before ? { modemBefore: before.report } : {}),
    ...(after ? { modemAfter: after.report } : {}),
    ...(evidence.modemStateBefore !== undefined ? { modemStateBefore: evidence.modemStateBefore } : {}),
    ...(evidence.modemStateAfter !== undefined ? { modemStateAfter: evidence.modemStateAfter } : {}),
    ...(result
      ? { outcome: { outcome: result.outcome, message: result.message, ...(result.resumeHint ? { resumeHint: result.resumeHint } : {}) } }
      : {}),
    ...(plan ? { path: plan.path } : {}),
    files,
    steps: reportStepsFromEvents(events),
    ...(diagnosis ? { diagnosis } : {}),
    ...(otherFindings.length ? { otherFindings } : {}),
    ...(crash ? { crashDump: crash.dump } : {}),
    transcriptTail: extras.transcriptTail ?? transcriptLinesFromEvents(events),
    ...(result?.transcriptPath ? { transcriptPath: result.transcriptPath } : {}),
    ...(extras.generatedAt ? { generatedAt: extras.generatedAt } : {}),
  };
}

/**
 * Transcript lines worth a forum post's room: the crash dump's hex has its own section
 * in the report (and would fill the whole tail, being written last), and progress lines
 * say less than the steps and the last AT/STP exchanges.
 */
export function isReportTranscriptLine(line: string): boolean {
  return line.length > 0 && !/^(\S+ )?(CRASHDUMP hex|PROGRESS) /.test(line);
}

/** The transcript's wording for events, when no transcript file is at hand. */
export function transcriptLinesFromEvents(events: readonly UpgradeEvent[], maxLines = MAX_TRANSCRIPT_LINES): string[] {
  return events.flatMap((event) => formatTranscriptEvent(event)).filter(isReportTranscriptLine).slice(-maxLines);
}

/** The last lines of a transcript file, as the report shows them; undefined when it cannot be read. */
export async function readTranscriptTail(path: string, maxLines = MAX_TRANSCRIPT_LINES): Promise<string[] | undefined> {
  try {
    const text = await readFile(path, 'latin1');
    return text.split(/\r?\n/).filter(isReportTranscriptLine).slice(-maxLines);
  } catch {
    return undefined;
  }
}
