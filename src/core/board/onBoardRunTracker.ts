import { ProgressPacer } from '../engine/progressFigures';
import type { StepRunner, UnstampedEvent } from '../engine/stepRunner';
import type { StepId, WaitInfo } from '../engine/upgradeEvents';
import { WAIT_PHASES, type WaitPhase } from '../engine/upgradeTimeouts';
import type { ModemVersionReport } from '../parse/modemVersion';
import { onBoardPhaseOf, parseProgressBar, parseUpdaterVersionBlock } from '../parse/updaterProgress';

/**
 * The on-board run as the host sees it (onBoardUpgrade.ts): the board's updater prints
 * lines, not events, so this is where they become the same steps, progress and waits a
 * host transfer reports, and the panel, CLI and transcript need no on-board case.
 */

const SECOND_MS = 1_000;
/** A line of the bar this long ago, during the transfer: the modem is thinking (a stall). */
const TRANSFER_QUIET_MS = 5 * SECOND_MS;

/** The steps of the board's run, in the order they come; a line never takes the run back. */
const RUN_STEPS = ['prepare', 'transfer', 'await-upgrade', 'report'] as const satisfies readonly StepId[];
type RunStep = (typeof RUN_STEPS)[number];

interface RunWait {
  phase: WaitPhase;
  /** Since when (performance.now()). */
  sinceMs: number;
}

/**
 * Turns the lines of `sqnsupgrade.run()` into the run's steps, progress and waits, as the
 * host transfer emits them. A wait is reported when it starts and every interval while
 * the board prints nothing.
 */
export class OnBoardRunTracker {
  private step: RunStep | undefined;
  private lastLineMs = performance.now();
  private wait: RunWait | undefined;
  private pacer: ProgressPacer;
  private percent = -1;
  readonly lines: string[] = [];
  private readonly reportLines: string[] = [];
  private hasTransferStarted = false;

  constructor(
    private readonly steps: StepRunner,
    private readonly emit: (event: UnstampedEvent) => void,
    private readonly file: { name: string; bytes: number },
    private readonly scale: number,
  ) {
    this.pacer = new ProgressPacer(file.bytes);
  }

  get currentStep(): RunStep | undefined {
    return this.step;
  }

  /** Firmware went to the modem (the bar moved): from here a failure may have changed it. */
  get sentFirmware(): boolean {
    return this.hasTransferStarted;
  }

  get isModemWriting(): boolean {
    return this.step === 'transfer' || this.step === 'await-upgrade';
  }

  start(call: string): void {
    this.enter('prepare', call);
  }

  line(text: string): void {
    this.lines.push(text);
    this.lastLineMs = performance.now();
    if (this.step === 'report') {
      this.reportLines.push(text);
      return;
    }
    const percent = parseProgressBar(text);
    if (percent !== undefined) {
      this.hasTransferStarted = true;
      this.enter('transfer');
      this.wait = undefined;
      this.progress(percent);
      if (percent >= 100) this.enter('await-upgrade', 'the modem writes its flash', WAIT_PHASES['post-transfer-wake']);
      return;
    }
    switch (onBoardPhaseOf(text)) {
      case 'transfer':
        this.enter('transfer');
        return;
      case 'prepare-wait':
        if (this.step === 'prepare') this.beginWait(WAIT_PHASES[/updater/i.test(text) && !/restart/i.test(text) ? 'updater-load' : 'reboot']);
        return;
      case 'write-wait':
        this.enter('await-upgrade', 'the modem writes its flash', WAIT_PHASES['post-transfer-wake']);
        return;
      case 'boot-wait':
        this.enter('await-upgrade');
        this.beginWait(WAIT_PHASES['new-firmware-boot']);
        return;
      case 'done':
        this.enter('report');
        return;
      default:
        return;
    }
  }

  /** Called every interval: a wait that lasts is reported again with its elapsed time. */
  tick(): void {
    const step = this.step;
    if (!step) return;
    if (step === 'transfer' && !this.wait && performance.now() - this.lastLineMs >= TRANSFER_QUIET_MS * Math.min(1, this.scale)) {
      this.beginWait(WAIT_PHASES['stp-silence'], this.lastLineMs);
      return;
    }
    if (this.wait) this.reportWait(step, this.wait);
  }

  /** The version block after the success line. */
  versionAfter(): ModemVersionReport | undefined {
    return parseUpdaterVersionBlock(this.reportLines);
  }

  /** Ends the last step as done. */
  finish(detail?: string): void {
    const step = this.step;
    if (!step) return;
    this.steps.event(step, 'done', detail);
    this.steps.current = undefined;
    this.step = undefined;
  }

  private enter(step: RunStep, detail?: string, wait?: WaitPhase): void {
    if (this.step === step) {
      if (wait) this.beginWait(wait);
      return;
    }
    const from = this.step ? RUN_STEPS.indexOf(this.step) : -1;
    if (RUN_STEPS.indexOf(step) < from) return;
    if (this.step) {
      const unreported = this.step === 'transfer' ? this.pacer.unreported() : undefined;
      if (unreported) this.emitProgress(this.percentToBytes(this.percent), unreported);
      this.steps.event(this.step, 'done');
    }
    // Steps between (a run that skipped the bar, e.g. a failure) are not shown as done.
    this.step = step;
    this.wait = undefined;
    this.steps.current = step;
    this.steps.event(step, 'start', detail);
    if (wait) this.beginWait(wait);
  }

  private beginWait(phase: WaitPhase, sinceMs = performance.now()): void {
    this.wait = { phase, sinceMs };
    if (this.step) this.reportWait(this.step, this.wait);
  }

  private reportWait(step: RunStep, wait: RunWait): void {
    const info: WaitInfo = {
      what: wait.phase.what,
      elapsedMs: Math.round(performance.now() - wait.sinceMs),
      normalMs: Math.round(wait.phase.normalMs * this.scale),
      budgetMs: Math.round(wait.phase.publishedMs * this.scale),
      isSafeToInterrupt: wait.phase.isSafeToInterrupt,
    };
    this.steps.event(step, 'waiting', info.what, info);
  }

  private percentToBytes(percent: number): number {
    return Math.min(this.file.bytes, Math.round((Math.max(0, percent) / 100) * this.file.bytes));
  }

  private progress(percent: number): void {
    if (percent === this.percent) return;
    this.percent = percent;
    const bytesDone = this.percentToBytes(percent);
    const figures = this.pacer.sample(bytesDone);
    if (figures) this.emitProgress(bytesDone, figures);
  }

  private emitProgress(bytesDone: number, figures: { bytesPerSecond: number; etaMs?: number }): void {
    this.emit({
      kind: 'progress',
      step: 'transfer',
      fileIndex: 1,
      fileName: this.file.name,
      bytesDone,
      bytesTotal: this.file.bytes,
      bytesPerSecond: figures.bytesPerSecond,
      ...(figures.etaMs !== undefined ? { etaMs: figures.etaMs } : {}),
    });
  }
}
