import { AtChannel, type AtExchange } from '../at/atChannel';
import type { AtReply } from '../at/atReply';
import { OperationAbortedError } from '../errors';
import { Deadline } from '../time/deadline';
import type { ByteTransport } from '../transport/byteTransport';
import { ModemRefusedError, type Standing } from './upgradeErrors';
import type { StepId, WaitInfo } from './upgradeEvents';
import type { EventSink, UnstampedEvent } from './stepRunner';
import {
  DEFAULT_UPGRADE_TIMEOUTS,
  normalMsFor,
  resolveTimeouts,
  WAIT_PHASES,
  type ResolvedUpgradeTimeouts,
  type UpgradeTimeouts,
  type WaitPhaseId,
} from './upgradeTimeouts';

export type { UnstampedEvent } from './stepRunner';

/**
 * What every step works with: the open port, the AT channel over it, the timeouts, the
 * session's abort signal, and the event stream. Also remembers where the modem stands,
 * so a failure or cancel can tell the user how to continue.
 */
export class UpgradeSession {
  readonly at: AtChannel;
  standing: Standing = 'untouched';
  /** True once the modem runs its updater (after AT+SMSWBOOT=3,1, updater.elf, or in state 4): echo off, no preparation. */
  isInUpdater = false;

  readonly timeouts: ResolvedUpgradeTimeouts;

  constructor(
    readonly io: ByteTransport,
    timeouts: UpgradeTimeouts,
    readonly signal: AbortSignal,
    private readonly sink: EventSink,
  ) {
    this.timeouts = resolveTimeouts(timeouts);
    this.at = new AtChannel(io, {
      onExchange: (exchange) => this.reportExchange(exchange),
      onUnsolicited: (line) => this.emit({ kind: 'unsolicited', line }),
      onStaleReply: (command, stale) =>
        this.log('info', `Skipped a late reply to ${stale.echo} (${[...stale.lines, stale.final].join(' | ')}) while reading the reply to ${command}.`),
    });
  }

  emit(event: UnstampedEvent): void {
    this.sink.emit(event);
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.emit({ kind: 'log', level, message });
  }

  /** Runs one step between its start and done/fail events (the run's one step runner); a typed error learns its step. */
  step<T>(step: StepId, run: () => Promise<T>, detail?: string): Promise<T> {
    return this.sink.steps.run(step, run, detail ? { atStart: detail } : {});
  }

  waiting(step: StepId, detail: string, wait?: WaitInfo): void {
    this.sink.steps.event(step, 'waiting', detail, wait);
  }

  /** The figures of one of the long waits (WAIT_PHASES) under this session's budgets. */
  waitFigures(phaseId: WaitPhaseId, budgetMs?: number): Omit<WaitInfo, 'elapsedMs'> {
    const phase = WAIT_PHASES[phaseId];
    const key = phase.budgetKey as keyof ResolvedUpgradeTimeouts;
    const budget = budgetMs ?? this.timeouts[key];
    return {
      what: phase.what,
      normalMs: normalMsFor(phase, budget, DEFAULT_UPGRADE_TIMEOUTS[key]),
      budgetMs: budget,
      isSafeToInterrupt: phase.isSafeToInterrupt,
    };
  }

  /**
   * Runs `run` as a long wait the person can see: a waiting event when it starts and again
   * every waitReportIntervalMs with the time elapsed, until it settles. `elapsedMs` may
   * measure something else than the time since the start (the silence of the line).
   */
  async whileWaiting<T>(
    step: StepId,
    phaseId: WaitPhaseId,
    run: () => Promise<T>,
    options: { budgetMs?: number; detail?: string; elapsedMs?: () => number; isQuietUntilMs?: number } = {},
  ): Promise<T> {
    const stop = this.reportWait(step, phaseId, options);
    try {
      return await run();
    } finally {
      stop();
    }
  }

  /**
   * Starts the periodic waiting events of `whileWaiting`; returns what stops them. With
   * `isQuietUntilMs`, nothing is reported while the elapsed time is below it (a transfer
   * whose modem answers every block shows progress, not a wait).
   */
  reportWait(
    step: StepId,
    phaseId: WaitPhaseId,
    options: { budgetMs?: number; detail?: string; elapsedMs?: () => number; isQuietUntilMs?: number } = {},
  ): () => void {
    const figures = this.waitFigures(phaseId, options.budgetMs);
    const startedMs = performance.now();
    const elapsedMs = options.elapsedMs ?? (() => performance.now() - startedMs);
    const detail = options.detail ?? figures.what;
    const report = () => {
      const elapsed = Math.max(0, elapsedMs());
      if (options.isQuietUntilMs !== undefined && elapsed < options.isQuietUntilMs) return;
      this.waiting(step, detail, { ...figures, elapsedMs: Math.round(elapsed) });
    };
    report();
    const timer = setInterval(report, Math.max(1, this.timeouts.waitReportIntervalMs));
    // A wait in progress must not keep a process alive that is otherwise done.
    timer.unref?.();
    return () => clearInterval(timer);
  }

  throwIfAborted(): void {
    if (this.signal.aborted) throw new OperationAbortedError(this.signal.reason);
  }

  /** One AT command under the session's signal; ERROR comes back as a reply, silence throws. */
  command(command: string, options: { timeoutMs?: number; deadline?: Deadline; lineEnding?: string } = {}): Promise<AtReply> {
    const deadline = options.deadline ?? Deadline.in(options.timeoutMs ?? this.timeouts.atReplyMs, `reply to ${command}`);
    return this.at.command(command, {
      deadline,
      signal: this.signal,
      ...(options.lineEnding ? { lineEnding: options.lineEnding } : {}),
    });
  }

  /** A command the upgrade cannot go on without: anything but OK is a ModemRefusedError. */
  async commandExpectingOk(
    command: string,
    action: string,
    options: { timeoutMs?: number; deadline?: Deadline; lineEnding?: string } = {},
  ): Promise<AtReply> {
    const reply = await this.command(command, options);
    if (!reply.isOk) throw new ModemRefusedError(command, replyText(reply), action);
    return reply;
  }

  private reportExchange(exchange: AtExchange): void {
    if (exchange.reply) {
      const reply = exchange.reply;
      this.emit({
        kind: 'at',
        command: exchange.command,
        reply: reply.lines.join('\n'),
        final: reply.final,
        durationMs: reply.durationMs,
      });
    } else {
      const message = exchange.error instanceof Error ? exchange.error.message : String(exchange.error);
      this.emit({ kind: 'at', command: exchange.command, reply: '', final: `(no reply: ${message})`, durationMs: 0 });
    }
  }
}

export function replyText(reply: AtReply): string {
  return [...reply.lines, reply.final].filter((l) => l.length > 0).join(' | ');
}
