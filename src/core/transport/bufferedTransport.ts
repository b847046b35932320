import { OperationAbortedError, PortClosedError, ReadTimeoutError, type PortCloseReason } from '../errors';
import type { Deadline } from '../time/deadline';
import { AbortWatches } from './abortWatches';
import type { ByteTap, ByteTransport, Framer, LineSettings, ReadOptions, Unsubscribe } from './byteTransport';

/** Input held while nobody reads: bounded so a babbling line cannot grow memory without end. */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024;

interface PendingRead {
  framer: Framer<unknown>;
  deadline: Deadline;
  signal: AbortSignal | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The receive side shared by every transport: incoming chunks land in one buffer,
 * and a read runs its framer each time bytes arrive, until a frame, the deadline,
 * abort or close. Subclasses supply the sending side and the OS handle.
 */
export abstract class BufferedTransport implements ByteTransport {
  private buffer = new Uint8Array(4096);
  private start = 0;
  private end = 0;
  /** One owner reads at a time, so one pending read is all there is to wake. */
  private pendingRead: PendingRead | undefined;
  /**
   * Wakes the pending read at its deadline. Outlives the read that armed it: a read
   * of an STP transfer lasts a millisecond against a deadline of seconds, so the next
   * read with a later deadline reuses it (it re-arms when it fires early) instead of
   * creating and clearing a timer per read. Unreferenced while no read waits.
   */
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private deadlineTimerDueMs = Infinity;
  private readonly abortWatches = new AbortWatches((signal) => this.signalAborted(signal));
  private tapListeners = new Set<(tap: ByteTap) => void>();
  private closeListeners = new Set<(reason: PortCloseReason) => void>();
  private closedReason: PortCloseReason | undefined;

  protected constructor(
    readonly path: string,
    protected currentSettings: LineSettings,
  ) {}

  get isOpen(): boolean {
    return this.closedReason === undefined;
  }

  get settings(): LineSettings {
    return { ...this.currentSettings };
  }

  protected abstract sendBytes(bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  protected abstract applySettings(settings: LineSettings): Promise<void>;
  protected abstract releaseHandle(): Promise<void>;

  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    // Not async: the subclass's promise is returned as it is, not wrapped in another per write.
    try {
      this.throwIfClosed();
      if (signal?.aborted) throw new OperationAbortedError(signal.reason);
      this.emitTap('tx', bytes);
      return this.sendBytes(bytes, signal);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async update(settings: LineSettings): Promise<void> {
    this.throwIfClosed();
    await this.applySettings(settings);
    this.currentSettings = { ...settings };
  }

  async close(): Promise<void> {
    if (this.closedReason) return;
    this.markClosed('closed');
    await this.releaseHandle();
  }

  drain(): Uint8Array {
    const taken = this.buffer.slice(this.start, this.end);
    this.start = this.end = 0;
    return taken;
  }

  peekPending(): Uint8Array {
    return this.buffer.slice(this.start, this.end);
  }

  onTap(listener: (tap: ByteTap) => void): Unsubscribe {
    this.tapListeners.add(listener);
    return () => this.tapListeners.delete(listener);
  }

  onClose(listener: (reason: PortCloseReason) => void): Unsubscribe {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  read<T>(framer: Framer<T>, { deadline, signal }: ReadOptions): Promise<T> {
    if (this.pendingRead) {
      return Promise.reject(new Error(`Two reads at once on ${this.path}: one owner reads at a time.`));
    }
    if (signal?.aborted) return Promise.reject(new OperationAbortedError(signal.reason));
    return new Promise<T>((resolve, reject) => {
      this.pendingRead = { framer, deadline, signal, resolve: resolve as (value: unknown) => void, reject };
      if (signal) this.watchAbort(signal);
      this.armDeadlineTimer(deadline);
      this.attemptRead();
    });
  }

  /** Frames what has arrived; settles the pending read on a frame, a framer error, a closed port or its deadline. */
  private attemptRead(): void {
    const read = this.pendingRead;
    if (!read) return;
    let framed: { value: unknown; consumed: number } | undefined;
    try {
      framed = this.end > this.start ? read.framer.frame(this.buffer.subarray(this.start, this.end)) : undefined;
    } catch (error) {
      this.endRead(read);
      read.reject(error);
      return;
    }
    if (framed) {
      this.start += Math.min(framed.consumed, this.end - this.start);
      if (this.start === this.end) this.start = this.end = 0;
      this.endRead(read);
      read.resolve(framed.value);
      return;
    }
    if (this.closedReason) {
      this.endRead(read);
      read.reject(new PortClosedError(this.path, this.closedReason));
      return;
    }
    if (read.deadline.isExpired()) {
      this.endRead(read);
      read.reject(new ReadTimeoutError(`${read.framer.description} (${read.deadline.label})`, read.deadline.budgetMs, this.peekPending()));
    }
  }

  private endRead(read: PendingRead): void {
    this.pendingRead = undefined;
    if (read.signal) this.unwatchAbort(read.signal);
    this.deadlineTimer?.unref();
  }

  private armDeadlineTimer(deadline: Deadline): void {
    if (deadline.atMs === Infinity) return;
    // Due times in this process's clock, so deadlines on another clock (tests) compare too.
    const dueMs = performance.now() + deadline.remainingMs() + 1;
    if (this.deadlineTimer && this.deadlineTimerDueMs <= dueMs) {
      this.deadlineTimer.ref();
      return;
    }
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimerDueMs = dueMs;
    // setTimeout cannot take more than 2^31-1 ms; a longer deadline re-arms when it fires.
    this.deadlineTimer = setTimeout(() => this.deadlineTimerFired(), Math.min(dueMs - performance.now(), 2 ** 31 - 1));
  }

  private deadlineTimerFired(): void {
    this.deadlineTimer = undefined;
    this.deadlineTimerDueMs = Infinity;
    const read = this.pendingRead;
    if (!read) return;
    if (read.deadline.isExpired()) this.attemptRead();
    else this.armDeadlineTimer(read.deadline);
  }

  /** An operation under `signal` starts: signalAborted(signal) runs if it aborts meanwhile. */
  protected watchAbort(signal: AbortSignal): void {
    // A closed transport has let go of its listeners and must not take new ones.
    if (!this.closedReason) this.abortWatches.hold(signal);
  }

  protected unwatchAbort(signal: AbortSignal): void {
    this.abortWatches.release(signal);
  }

  /** `signal` aborted: the pending read (and, in subclasses, writes) under it end now. */
  protected signalAborted(signal: AbortSignal): void {
    const read = this.pendingRead;
    if (read?.signal === signal) {
      this.endRead(read);
      read.reject(new OperationAbortedError(signal.reason));
    }
  }

  /** Subclasses call this with every chunk the OS delivers. */
  protected receive(chunk: Uint8Array): void {
    if (this.closedReason || chunk.length === 0) return;
    this.emitTap('rx', chunk);
    this.append(chunk);
    this.attemptRead();
  }

  /** Subclasses call this when the OS handle goes away by itself (unplug). */
  protected markClosed(reason: PortCloseReason): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    for (const listener of [...this.closeListeners]) listener(reason);
    this.attemptRead();
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.abortWatches.dropAll();
  }

  protected throwIfClosed(): void {
    if (this.closedReason) throw new PortClosedError(this.path, this.closedReason);
  }

  private emitTap(direction: 'tx' | 'rx', bytes: Uint8Array): void {
    if (this.tapListeners.size === 0) return;
    const tap: ByteTap = { direction, bytes: bytes.slice(), atMs: performance.now() };
    for (const listener of this.tapListeners) listener(tap);
  }

  private append(chunk: Uint8Array): void {
    const pending = this.end - this.start;
    if (pending + chunk.length > MAX_PENDING_BYTES) {
      // Keep the newest bytes: the oldest are the ones no framer wanted.
      const keep = this.buffer.slice(this.end - Math.max(0, MAX_PENDING_BYTES - chunk.length), this.end);
      this.buffer = new Uint8Array(MAX_PENDING_BYTES);
      this.buffer.set(keep, 0);
      this.start = 0;
      this.end = keep.length;
      const tail = chunk.subarray(Math.max(0, chunk.length - MAX_PENDING_BYTES));
      this.buffer.set(tail, this.end);
      this.end += tail.length;
      return;
    }
    if (this.end + chunk.length > this.buffer.length) {
      if (pending + chunk.length <= this.buffer.length / 2) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        let size = this.buffer.length * 2;
        while (size < pending + chunk.length) size *= 2;
        const bigger = new Uint8Array(size);
        bigger.set(this.buffer.subarray(this.start, this.end), 0);
        this.buffer = bigger;
      }
      this.start = 0;
      this.end = pending;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.length;
  }
}
