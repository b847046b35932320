import type { Diagnosis, StepId, StepPhase, UpgradeEvent, UpgradePath } from '../engine/upgradeEvents';
import { STEP_TITLES } from '../engine/upgradeEvents';
import { formatCrashDumpText, type CrashDump } from '../parse/crashDump';
import type { ModemState, ModemVersionReport } from '../parse/modemVersion';
import { fencedBlock, inlineCode, inlineText, visibleControls } from './markdownSafe';
import { formatBytes as formatBinaryBytes } from '../parse/firmwareFile';

export interface ReportEnvironment {
  /** e.g. "linux x64 (Ubuntu 22.04)". */
  os: string;
  /** process.version. */
  node: string;
  toolVersion: string;
  /** "VS Code 1.95.0" or "CLI". */
  frontEnd?: string;
}

export interface ReportBoard {
  machine: string;
  release?: string;
  revision?: string;
  hasLteModem?: boolean;
  hasSqnsupgrade?: boolean;
  flashFreeBytes?: number;
  flashTotalBytes?: number;
}

export interface ReportFile {
  name: string;
  /** Undefined when the file could not be read (or only its name is known, from the plan). */
  size?: number;
  kind: string;
}

export interface ReportStep {
  id: StepId;
  title: string;
  phase: StepPhase;
  durationMs?: number;
  detail?: string;
}

export interface DiagnosticReportInput {
  environment: ReportEnvironment;
  portPath?: string;
  board?: ReportBoard;
  modemBefore?: ModemVersionReport;
  modemAfter?: ModemVersionReport;
  modemStateBefore?: ModemState;
  modemStateAfter?: ModemState;
  outcome?: { outcome: 'success' | 'failed' | 'cancelled'; message: string; resumeHint?: string };
  path?: UpgradePath;
  files: ReportFile[];
  steps: ReportStep[];
  diagnosis?: Diagnosis;
  /** Further findings (e.g. diagnoseAll's side answers), shown after the diagnosis. */
  otherFindings?: Diagnosis[];
  crashDump?: CrashDump;
  /** Last transcript lines, oldest first. */
  transcriptTail: string[];
  transcriptPath?: string;
  /** Fixed in tests; now otherwise. */
  generatedAt?: Date;
}

/** Enough of the dump's start to show its header and first records in a post. */
export const CRASH_DUMP_HEX_BYTES = 256;

/** A forum post has room for this many transcript lines; the file has the rest. */
export const MAX_TRANSCRIPT_LINES = 80;
const MAX_TRANSCRIPT_LINE_CHARS = 300;

const STATE_NAMES: Record<ModemState, string> = {
  0: 'recovery bootrom',
  1: 'mTools',
  2: 'application',
  4: 'upgrade mode (interrupted upgrade)',
};

const PHASE_WORDS: Record<StepPhase, string> = {
  start: 'started, did not finish',
  waiting: 'waiting',
  done: 'done',
  fail: '**failed**',
  skip: 'skipped',
};

/** Binary units as the board reports /flash, with the exact count a report reader may need. */
function formatBytes(bytes: number): string {
  const rounded = formatBinaryBytes(bytes);
  return rounded === `${bytes} bytes` ? rounded : `${rounded} (${bytes} bytes)`;
}

function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Offset, 16 bytes in hex, and the printable ones as text (non-printables as '.'). */
export function hexDump(bytes: Uint8Array, maxBytes = CRASH_DUMP_HEX_BYTES): string {
  const lines: string[] = [];
  const shown = bytes.subarray(0, maxBytes);
  for (let offset = 0; offset < shown.length; offset += 16) {
    const row = shown.subarray(offset, offset + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const text = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  |${text}|`);
  }
  if (bytes.length > shown.length) lines.push(`… ${bytes.length - shown.length} more bytes`);
  return lines.join('\n');
}

function diagnosisSection(heading: string, diagnosis: Diagnosis): string[] {
  const lines = [`### ${heading}: ${inlineText(diagnosis.title)}`, '', `**What to do:** ${inlineText(diagnosis.action, 2000)}`];
  if (diagnosis.evidence.length) {
    lines.push('', 'Why:');
    for (const fact of diagnosis.evidence) lines.push(`- ${inlineText(fact)}`);
  }
  lines.push('', `Rule: ${inlineText(diagnosis.cause)}`);
  return lines;
}

function modemSection(phase: string, report: ModemVersionReport | undefined, state: ModemState | undefined): string[] {
  if (!report && state === undefined) return [];
  const lines = [`### Modem ${phase}`, ''];
  if (state !== undefined) lines.push(`- State (AT+SMOD?): ${state}, ${STATE_NAMES[state]}`);
  if (report) {
    const version = report.lrVersion ?? report.softwareVersion;
    if (version) lines.push(`- Firmware: ${inlineCode(version)} (${report.kind})`);
    if (report.softwareBuild !== undefined) lines.push(`- Build: ${report.softwareBuild}`);
    if (report.ueVersion) lines.push(`- UE: ${inlineCode(report.ueVersion)}`);
    for (const b of report.bootloaders) {
      lines.push(`- Bootloader${b.slot}${b.isActive ? ' (active)' : ''}: ${inlineCode(b.version)} [${b.build}]`);
    }
    if (report.needsRecoveryBootromUpgrade) lines.push('- Bootrom: old 33080, needs the recovery method once');
    // The IMEI identifies the device and its owner; a public post does not need it.
    if (report.imei) lines.push('- IMEI: read (left out of this report)');
  }
  lines.push('');
  return lines;
}

/**
 * A Markdown report a user can paste into a forum post or an issue: outcome and
 * diagnosis first (what to do), then the facts a helper asks for (environment,
 * board, modem before/after, files, steps with durations), the crash dump and the
 * transcript's tail. Every device string is fenced or escaped (see markdownSafe.ts).
 */
export function renderDiagnosticReport(input: DiagnosticReportInput): string {
  const lines: string[] = [];
  const generatedAt = input.generatedAt ?? new Date();
  lines.push('## Pycom LTE modem upgrade report', '');
  if (input.outcome) {
    lines.push(`**Outcome:** ${input.outcome.outcome} — ${inlineText(input.outcome.message, 1000)}`);
    if (input.outcome.resumeHint) lines.push('', `**Where it stands:** ${inlineText(input.outcome.resumeHint, 1000)}`);
    lines.push('');
  }
  if (input.diagnosis) lines.push(...diagnosisSection('Diagnosis', input.diagnosis), '');
  for (const finding of input.otherFindings ?? []) lines.push(...diagnosisSection('Also', finding), '');

  lines.push('### Environment', '');
  lines.push(`- Tool: ${inlineText(input.environment.toolVersion)}${input.environment.frontEnd ? ` (${inlineText(input.environment.frontEnd)})` : ''}`);
  lines.push(`- OS: ${inlineText(input.environment.os)}`);
  lines.push(`- Node: ${inlineText(input.environment.node)}`);
  if (input.portPath) lines.push(`- Port: ${inlineCode(input.portPath)}`);
  lines.push(`- Report generated: ${generatedAt.toISOString()}`, '');

  if (input.board) {
    const b = input.board;
    lines.push('### Board', '');
    lines.push(`- Model: ${inlineText(b.machine)}${b.revision ? ` v${inlineText(b.revision.replace(/^v/i, ''))}` : ''}`);
    if (b.release) lines.push(`- Pycom firmware: ${inlineCode(b.release)}`);
    if (b.hasLteModem !== undefined) lines.push(`- LTE modem: ${b.hasLteModem ? 'yes' : 'no'}`);
    if (b.hasSqnsupgrade !== undefined) lines.push(`- sqnsupgrade module: ${b.hasSqnsupgrade ? 'present' : 'missing'}`);
    if (b.flashFreeBytes !== undefined) {
      lines.push(`- /flash free: ${formatBytes(b.flashFreeBytes)}${b.flashTotalBytes !== undefined ? ` of ${formatBytes(b.flashTotalBytes)}` : ''}`);
    }
    lines.push('');
  }

  lines.push(...modemSection('before', input.modemBefore, input.modemStateBefore));
  lines.push(...modemSection('after', input.modemAfter, input.modemStateAfter));

  lines.push('### Files', '');
  if (input.path) lines.push(`Path: ${input.path}`, '');
  if (input.files.length) {
    lines.push('| File | Size | Kind |', '| --- | ---: | --- |');
    for (const file of input.files) lines.push(`| ${inlineText(file.name, 200)} | ${file.size ?? '?'} | ${inlineText(file.kind)} |`);
  } else {
    lines.push('(none)');
  }
  lines.push('');

  lines.push('### Steps', '');
  if (input.steps.length) {
    lines.push('| Step | Result | Time |', '| --- | --- | ---: |');
    for (const step of input.steps) {
      const result = `${PHASE_WORDS[step.phase]}${step.detail ? `: ${inlineText(step.detail, 200)}` : ''}`;
      lines.push(`| ${inlineText(step.title)} | ${result} | ${formatDuration(step.durationMs)} |`);
    }
  } else {
    lines.push('(no step ran)');
  }
  lines.push('');

  if (input.crashDump) {
    lines.push('### Modem crash dump', '');
    lines.push(fencedBlock(formatCrashDumpText(input.crashDump)), '');
    lines.push(`First ${Math.min(CRASH_DUMP_HEX_BYTES, input.crashDump.raw.length)} of ${input.crashDump.raw.length} bytes as received:`, '');
    lines.push(fencedBlock(hexDump(input.crashDump.raw)), '');
  }

  const tail = input.transcriptTail.slice(-MAX_TRANSCRIPT_LINES).map((line) => {
    const shown = visibleControls(line);
    return shown.length > MAX_TRANSCRIPT_LINE_CHARS ? `${shown.slice(0, MAX_TRANSCRIPT_LINE_CHARS)}…` : shown;
  });
  lines.push(`### Transcript (last ${tail.length} of ${input.transcriptTail.length} lines)`, '');
  lines.push(tail.length ? fencedBlock(tail.join('\n')) : '(empty)', '');
  if (input.transcriptPath) lines.push(`Full transcript: ${inlineCode(input.transcriptPath)}`, '');
  return lines.join('\n');
}

/**
 * Steps with their last phase and duration from an event stream: the time from a
 * step's first 'start' to its last 'done', 'fail' or 'skip'.
 */
export function reportStepsFromEvents(events: readonly UpgradeEvent[]): ReportStep[] {
  const steps = new Map<StepId, ReportStep & { startedAtMs?: number }>();
  for (const event of events) {
    if (event.kind !== 'step') continue;
    let step = steps.get(event.step);
    if (!step) {
      step = { id: event.step, title: STEP_TITLES[event.step], phase: event.phase };
      steps.set(event.step, step);
    }
    if (event.phase === 'start' && step.startedAtMs === undefined) step.startedAtMs = event.atMs;
    if (event.phase !== 'waiting' || step.phase === 'start') step.phase = event.phase;
    if (event.phase === 'fail' && event.detail) step.detail = event.detail;
    if ((event.phase === 'done' || event.phase === 'fail') && step.startedAtMs !== undefined) {
      step.durationMs = event.atMs - step.startedAtMs;
    }
  }
  return [...steps.values()].map(({ startedAtMs: _startedAtMs, ...step }) => step);
}
