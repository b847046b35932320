import { OperationAbortedError, type PortCloseReason } from '../errors';
import type { ByteTap, ByteTransport, Framer, LineSettings, PortOpener, ReadOptions, Unsubscribe } from './byteTransport';

export interface RunOptions {
  settings: LineSettings;
  /** Cancels the job: while queued it never starts; while running its signal aborts. */
  signal?: AbortSignal;
  /**
   * Keep the OS handle open after this turn (the REPL terminal between commands),
   * so nothing else can take the port. A failed turn always releases it.
   */
  keepOpen?: boolean;
  /**
   * The turn gives way to any job queued behind it (the REPL terminal): its signal aborts
   * with a yield, and the open handle goes to the waiting job with no close in between.
   */
  isYielding?: boolean;
}

/** What a turn leaves for the next one on the same handle: how the board was left. */
export interface LineNote {
  /** The board bridges the port to its modem at 921600 and has no REPL until power-cycled. */
  isBoardInMirrorMode?: boolean;
}

/** A job's view of its turn, beside the transport and the signal. */
export interface TurnContext {
  /** What the previous turn on this handle left (undefined after a fresh open). */
  readonly previous: LineNote | undefined;
  /** Tells the next turn how this one leaves the line. */
  leave(note: LineNote): void;
}

export type PortJob<T> = (io: ByteTransport, signal: AbortSignal, turn: TurnContext) => Promise<T>;

/**
 * The only way core code reaches a port: one turn at a time, the port opened (or handed
 * over) for the job and released or handed on when it settles. PortOwner is one; a turn
 * already under way lends its handle to nested work through `onSameHandle`.
 */
export interface PortAccess {
  readonly path: string;
  run<T>(job: PortJob<T>, options: RunOptions): Promise<T>;
}

/** A job's abort because another job needs the port, not because anyone cancelled it. */
export function isYieldAbort(error: unknown): boolean {
  return error instanceof OperationAbortedError && error.isYield === true;
}

/**
 * Nested work inside a turn that already holds the port (the board half hands the same
 * handle to the host half): the job runs on it with its settings, nothing is opened or
 * closed, and what it leaves goes to the outer turn.
 */
export function onSameHandle(io: ByteTransport, outer: TurnContext): PortAccess {
  return {
    path: io.path,
    async run(job, options) {
      if (options.signal?.aborted) throw new OperationAbortedError(options.signal.reason);
      if (io.settings.baudRate !== options.settings.baudRate || (io.settings.rtscts ?? false) !== (options.settings.rtscts ?? false)) {
        await io.update(options.settings);
      }
      return job(io, options.signal ?? new AbortController().signal, outer);
    },
  };
}

interface Turn {
  controller: AbortController;
  ended: Promise<void>;
  isYieldRequested: boolean;
  isYielding: boolean;
}

interface Ticket {
  isYielding: boolean;
  start(): Promise<void>;
  cancel(error: Error): void;
}

/**
 * The one owner of a port: jobs take turns in FIFO order, each gets the open
 * transport for its turn, and the turn ends when the job's promise settles. Between
 * turns with a job waiting, the handle stays open and is handed over, so no other
 * program can grab the port in the gap (REPL terminal → upgrade engine).
 */
export class PortOwner implements PortAccess {
  private readonly queue: Ticket[] = [];
  /** What the last turn left on the open handle; cleared when the handle closes. */
  private note: LineNote | undefined;
  private transport: ByteTransport | undefined;
  private current: Turn | undefined;
  /** The last close of the handle, awaited before opening again (a real port stays busy until closed). */
  private closing: Promise<void> = Promise.resolve();
  /** Whether the idle handle may stay open: the last turn asked for it and nobody asked for the port since. */
  private isIdleKept = false;
  private isDisposed = false;

  constructor(
    private readonly opener: PortOpener,
    readonly path: string,
  ) {}

  /** A job is running or waiting. */
  get busy(): boolean {
    return this.current !== undefined || this.queue.length > 0;
  }

  /** The OS handle is open (during a turn, or kept between turns). */
  get isHoldingPort(): boolean {
    return this.transport?.isOpen ?? false;
  }

  /** Queues the job; it gets the open transport for its turn; the turn ends when its promise settles. */
  run<T>(job: PortJob<T>, options: RunOptions): Promise<T> {
    if (this.isDisposed) return Promise.reject(new OperationAbortedError(`the port owner of ${this.path} was disposed`));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new OperationAbortedError(signal.reason));
    return new Promise<T>((resolve, reject) => {
      const onQueuedAbort = () => {
        const at = this.queue.indexOf(ticket);
        if (at === -1) return;
        this.queue.splice(at, 1);
        reject(new OperationAbortedError(signal?.reason));
        this.pump();
      };
      const ticket: Ticket = {
        isYielding: options.isYielding === true,
        cancel: (error) => {
          signal?.removeEventListener('abort', onQueuedAbort);
          reject(error);
        },
        start: async () => {
          signal?.removeEventListener('abort', onQueuedAbort);
          const outcome = await this.takeTurn(job, options);
          if (outcome.ok) resolve(outcome.value);
          else reject(outcome.error);
        },
      };
      signal?.addEventListener('abort', onQueuedAbort, { once: true });
      this.queue.push(ticket);
      // A yielding holder (the REPL terminal) gives way at once; the handle is handed over.
      if (this.current?.isYielding) this.askToYield(this.current);
      this.pump();
    });
  }

  private askToYield(turn: Turn): void {
    if (turn.isYieldRequested) return;
    turn.isYieldRequested = true;
    turn.controller.abort(OperationAbortedError.forYield(`another job needs ${this.path}`));
  }

  /**
   * Asks the current holder (the REPL terminal, a long job) to yield: aborts its
   * signal and waits until its turn ended. A kept-open idle handle is closed. If a job
   * is queued, the handle goes to it; otherwise the port is free for other programs.
   */
  async requestRelease(): Promise<void> {
    this.isIdleKept = false;
    const current = this.current;
    if (current) {
      this.askToYield(current);
      await current.ended;
    } else {
      await this.closeIdleTransport();
    }
    await this.closing;
  }

  /** Cancels queued jobs, asks the running one to stop, waits for it and closes the port. */
  async dispose(): Promise<void> {
    this.isDisposed = true;
    for (const ticket of this.queue.splice(0)) {
      ticket.cancel(new OperationAbortedError(`the port owner of ${this.path} was disposed`));
    }
    await this.requestRelease();
    await this.closeIdleTransport();
  }

  private pump(): void {
    if (this.current) return;
    const next = this.queue.shift();
    if (!next) {
      if (!this.isIdleKept) void this.closeIdleTransport();
      return;
    }
    const controller = new AbortController();
    let endTurn!: () => void;
    const ended = new Promise<void>((resolve) => (endTurn = resolve));
    this.current = { controller, ended, isYieldRequested: false, isYielding: next.isYielding };
    // A yielding job that reaches its turn with others already waiting gives way at once.
    if (next.isYielding && this.queue.length > 0) this.askToYield(this.current);
    void next.start().finally(() => {
      this.current = undefined;
      endTurn();
      this.pump();
    });
  }

  private async takeTurn<T>(
    job: PortJob<T>,
    options: RunOptions,
  ): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
    const current = this.current!;
    const controller = current.controller;
    const forwardAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', forwardAbort, { once: true });
    let lease: TurnLease | undefined;
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      if (controller.signal.aborted) throw new OperationAbortedError(controller.signal.reason);
      const io = await this.acquire(options.settings, controller.signal);
      lease = new TurnLease(io);
      const previous = this.note;
      this.note = undefined;
      const turn: TurnContext = { previous, leave: (note) => (this.note = { ...this.note, ...note }) };
      outcome = { ok: true, value: await job(lease, controller.signal, turn) };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      options.signal?.removeEventListener('abort', forwardAbort);
      lease?.revoke();
    }
    // A failed turn may have left the line in any state: release it. A turn that ended
    // well, or that stopped because requestRelease() asked it to, hands the open handle
    // to the next waiting job; with nobody waiting, it stays open only if asked.
    const isYield = current.isYieldRequested && outcome.ok === false && outcome.error instanceof OperationAbortedError;
    // What a failed turn left is still true of the board (mirror mode has no exit): it is kept for a hand-over.
    this.isIdleKept = outcome.ok && options.keepOpen === true && !controller.signal.aborted;
    const isHandedOver = (outcome.ok || isYield) && this.queue.length > 0;
    if (!this.isIdleKept && !isHandedOver) await this.closeIdleTransport();
    return outcome;
  }

  /** The open transport with these settings: reused (rate changed in place) or opened. */
  private async acquire(settings: LineSettings, signal: AbortSignal): Promise<ByteTransport> {
    const held = this.transport;
    if (held?.isOpen && (held.settings.rtscts ?? false) === (settings.rtscts ?? false)) {
      if (held.settings.baudRate !== settings.baudRate) await held.update(settings);
      return held;
    }
    await this.closeIdleTransport();
    if (signal.aborted) throw new OperationAbortedError(signal.reason);
    const opened = await this.opener.open(this.path, settings, signal);
    this.transport = opened;
    return opened;
  }

  private closeIdleTransport(): Promise<void> {
    const held = this.transport;
    if (held) {
      this.transport = undefined;
      this.note = undefined;
      // close() also releases a handle whose device vanished; a failing close leaves nothing to retry.
      this.closing = this.closing.then(() => held.close()).catch(() => undefined);
    }
    return this.closing;
  }
}

/**
 * The transport as one job sees it: after its turn it refuses every call, and the
 * listeners the job added are removed, so a job that kept a reference can neither
 * write into nor listen to the next job's conversation.
 */
class TurnLease implements ByteTransport {
  private isRevoked = false;
  private readonly subscriptions = new Set<Unsubscribe>();

  constructor(private readonly inner: ByteTransport) {}

  get path(): string {
    return this.inner.path;
  }
  get isOpen(): boolean {
    return !this.isRevoked && this.inner.isOpen;
  }
  get settings(): LineSettings {
    return this.inner.settings;
  }

  revoke(): void {
    this.isRevoked = true;
    for (const unsubscribe of this.subscriptions) unsubscribe();
    this.subscriptions.clear();
  }

  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.guard(() => this.inner.write(bytes, signal));
  }
  read<T>(framer: Framer<T>, options: ReadOptions): Promise<T> {
    return this.guard(() => this.inner.read(framer, options));
  }
  drain(): Uint8Array {
    this.throwIfRevoked();
    return this.inner.drain();
  }
  peekPending(): Uint8Array {
    this.throwIfRevoked();
    return this.inner.peekPending();
  }
  update(settings: LineSettings): Promise<void> {
    return this.guard(() => this.inner.update(settings));
  }
  close(): Promise<void> {
    return this.guard(() => this.inner.close());
  }
  onTap(listener: (tap: ByteTap) => void): Unsubscribe {
    return this.track(this.inner.onTap(listener));
  }
  onClose(listener: (reason: PortCloseReason) => void): Unsubscribe {
    return this.track(this.inner.onClose(listener));
  }

  private track(unsubscribe: Unsubscribe): Unsubscribe {
    if (this.isRevoked) {
      unsubscribe();
      return () => undefined;
    }
    this.subscriptions.add(unsubscribe);
    return () => {
      this.subscriptions.delete(unsubscribe);
      unsubscribe();
    };
  }

  private guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      this.throwIfRevoked();
    } catch (error) {
      return Promise.reject(error);
    }
    return call();
  }

  private throwIfRevoked(): void {
    if (this.isRevoked) throw new Error(`${this.inner.path} was used after its turn ended: one job at a time owns the port.`);
  }
}
