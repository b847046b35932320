import { formatBytes, formatDuration } from '../core/engine/progressFigures';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import { formatWaitText } from '../shared/waitText';
import { describeModemState } from '../core/parse/modemStateWords';
import { formatCrashDumpText } from '../core/parse/crashDump';
import { renderPreflightText } from '../core/preflight/preflight';
import type { ModemVersionReport } from '../core/parse/modemVersion';
import { standingActions } from '../core/engine/upgradeErrors';
import { withCliActions, withCliPreflightActions, type CliActionDefaults } from './userActionText';

/** A TTY bar redraws at most this often; a pipe gets a line per this share of the file. */
const BAR_REDRAW_MS = 100;
const PLAIN_PROGRESS_PERCENT_STEP = 10;
const BAR_WIDTH = 30;

/** In a pipe, a long wait gets a line when it starts and then once per this much elapsed time. */
const WAIT_PLAIN_LINE_MS = 60_000;

export interface TextRendererOptions {
  isTTY: boolean;
  /** Also show every AT exchange and debug logs. */
  verbose: boolean;
  /** Clock for throttling; injectable for tests. */
  nowMs?: () => number;
  /** What the command line gave (its port), for the command lines advice names. */
  actionDefaults?: CliActionDefaults;
}

export { describeModemState } from '../core/parse/modemStateWords';

export function formatVersionReport(report: ModemVersionReport): string[] {
  const lines: string[] = [];
  if (report.imei) lines.push(`IMEI            ${report.imei}`);
  if (report.softwareBuild !== undefined || report.softwareVersion) {
    // ATI1 alone (the board's info()) gives the build without showver's version number.
    const software = [report.softwareVersion, report.softwareBuild !== undefined ? `[${report.softwareBuild}]` : undefined].filter(Boolean).join(' ');
    lines.push(`Software        ${software}`.trimEnd());
  }
  if (report.lrVersion) lines.push(`LR              ${report.lrVersion}`);
  if (report.ueVersion) lines.push(`UE              ${report.ueVersion}`);
  lines.push(`Firmware kind   ${report.kind}`);
  for (const boot of report.bootloaders) {
    lines.push(`Bootloader${boot.slot}${boot.isActive ? '*' : ' '}    ${boot.version} [${boot.build}]`);
  }
  if (report.needsRecoveryBootromUpgrade) {
    lines.push('Note            Bootloader0 is the old 33080 bootrom: the first upgrade needs --updater updater.elf.');
  }
  return lines;
}

function progressFiguresText(event: Extract<UpgradeEvent, { kind: 'progress' }>, fraction: number, isDone: boolean): string {
  return (
    `${(fraction * 100).toFixed(1).padStart(5)} % ${formatBytes(event.bytesDone)}/${formatBytes(event.bytesTotal)}` +
    (event.bytesPerSecond > 0 ? ` ${formatBytes(event.bytesPerSecond)}/s` : '') +
    (event.etaMs !== undefined && !isDone ? ` ETA ${formatDuration(event.etaMs)}` : '')
  );
}

function bar(fraction: number): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * BAR_WIDTH);
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
}

/**
 * Engine events as text for a person: steps, warnings, a progress bar on a terminal
 * (plain lines in a pipe), the version reports, the crash dump, the result.
 */
export class TextRenderer {
  private barIsShown = false;
  private hasDiagnosis = false;
  private lastBarMs = -Infinity;
  private lastPlainBucket = new Map<string, number>();
  private readonly nowMs: () => number;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly options: TextRendererOptions,
  ) {
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  render(event: UpgradeEvent): void {
    switch (event.kind) {
      case 'progress':
        this.progress(event);
        return;
      case 'step':
        if (event.phase === 'start') this.line(`• ${event.title}${event.detail ? `: ${event.detail}` : ''}`);
        else if (event.phase === 'waiting') this.waiting(event);
        else if (event.phase === 'done') this.line(`  ✓ ${event.title}${event.step === 'choose-files' && event.detail ? `: ${event.detail}` : ''}`);
        else if (event.phase === 'fail') this.line(`  ✗ ${event.title}${event.detail ? `: ${event.detail}` : ''}`);
        else this.line(`  – ${event.title} (skipped)`);
        return;
      case 'log':
        if (event.level === 'debug' && !this.options.verbose) return;
        if (event.level === 'info' && !this.options.verbose) return;
        this.line(`  ${event.level === 'warn' ? 'warning: ' : event.level === 'error' ? 'error: ' : ''}${event.message}`);
        return;
      case 'at':
        if (this.options.verbose) this.line(`    ${event.command} → ${[event.reply, event.final].filter(Boolean).join(' | ').replace(/\n/g, ' | ')}`);
        return;
      case 'unsolicited':
        if (this.options.verbose) this.line(`    (modem) ${event.line}`);
        return;
      case 'stp':
        return;
      case 'boardOutput':
        this.line(`  board: ${event.line}`);
        return;
      case 'plan': {
        const eta = event.estimatedMs !== undefined ? ` (transfer about ${formatDuration(event.estimatedMs)})` : '';
        this.line(`Plan: ${event.path} — ${event.files.join(', ')}${eta}`);
        return;
      }
      case 'modemState':
        this.line(`  Modem state: ${describeModemState(event.state)}`);
        return;
      case 'modemInfo':
        this.line(event.phase === 'before' ? 'Modem before:' : 'Modem after:');
        for (const l of formatVersionReport(event.report)) this.line(`  ${l}`);
        return;
      case 'crashDump':
        this.line('Modem crash dump:');
        for (const l of formatCrashDumpText(event.dump).split('\n')) this.line(`  ${l}`);
        return;
      case 'diagnosis':
        this.hasDiagnosis = true;
        this.line('');
        this.line(`Diagnosis: ${event.diagnosis.title} [${event.diagnosis.cause}]`);
        event.diagnosis.evidence.forEach((fact, index) => this.line(`  ${index === 0 ? 'Why:' : '    '} ${fact}`));
        this.line(`  What to do: ${withCliActions(event.diagnosis.action, event.diagnosis.actions, this.options.actionDefaults)}`);
        return;
      case 'preflight':
        this.line('Preflight:');
        for (const l of renderPreflightText(withCliPreflightActions(event.results, this.options.actionDefaults)).split('\n')) this.line(`  ${l}`);
        return;
      case 'result':
        this.line('');
        this.line(event.message);
        // The diagnosis already said what to do, with more facts than the error alone.
        if (event.error && !this.hasDiagnosis) this.line(`What to do: ${withCliActions(event.error.action, event.error.actions, this.options.actionDefaults)}`);
        if (event.resumeHint) {
          const hint = withCliActions(event.resumeHint, standingActions(event.resumeHint), this.options.actionDefaults);
          this.line(event.outcome === 'success' ? `Next: ${hint}` : `Where the modem stands: ${hint}`);
        }
        if (event.transcriptPath) this.line(`Transcript: ${event.transcriptPath}`);
        return;
    }
  }

  private progress(event: Extract<UpgradeEvent, { kind: 'progress' }>): void {
    const fraction = event.bytesTotal > 0 ? event.bytesDone / event.bytesTotal : 1;
    const isDone = event.bytesDone >= event.bytesTotal;
    // Whether anything is shown is decided before the text is made: most events show nothing.
    if (this.options.isTTY) {
      const now = this.nowMs();
      if (!isDone && now - this.lastBarMs < BAR_REDRAW_MS) return;
      this.lastBarMs = now;
      this.out.write(`\r\x1b[2K  ${event.fileName} ${bar(fraction)} ${progressFiguresText(event, fraction, isDone)}`);
      this.barIsShown = true;
      if (isDone) this.endBar();
      return;
    }
    const key = `${event.step}:${event.fileIndex}`;
    const bucket = Math.floor((fraction * 100) / PLAIN_PROGRESS_PERCENT_STEP);
    if (this.lastPlainBucket.get(key) === bucket) return;
    this.lastPlainBucket.set(key, bucket);
    this.line(`  ${event.fileName}: ${progressFiguresText(event, fraction, isDone)}`);
  }

  /**
   * A long wait: redrawn in place on a terminal; in a pipe the first report and then one a
   * minute, so a 35-minute wait does not print 200 lines.
   */
  private waiting(event: Extract<UpgradeEvent, { kind: 'step' }>): void {
    if (!event.wait) {
      this.line(`  … ${event.detail ?? 'waiting'}`);
      return;
    }
    const text = `  … ${formatWaitText(event.wait)}`;
    if (this.options.isTTY) {
      this.out.write(`\r\x1b[2K${text}`);
      this.barIsShown = true;
      return;
    }
    const minute = Math.floor(event.wait.elapsedMs / WAIT_PLAIN_LINE_MS);
    const key = `wait:${event.step}:${event.wait.what}`;
    if (this.lastPlainBucket.get(key) === minute) return;
    this.lastPlainBucket.set(key, minute);
    this.line(text);
  }

  private endBar(): void {
    if (!this.barIsShown) return;
    this.out.write('\n');
    this.barIsShown = false;
  }

  private line(text: string): void {
    this.endBar();
    this.out.write(`${text}\n`);
  }
}
