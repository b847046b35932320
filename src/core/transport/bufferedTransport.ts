import { OperationAbortedError, PortClosedError, ReadTimeoutError, type PortCloseReason } from '../errors';
import type { ByteTap, ByteTransport, Framer, LineSettings, ReadOptions, Unsubscribe } from './byteTransport';

/** Input held while nobody reads: bounded so a babbling line cannot grow memory without end. */
export const MAX_PENDING_BYTES = 4 * 1024 * 1024;

interface Waiter {
  wake(): void;
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
  private waiters = new Set<Waiter>();
  private tapListeners = new Set<(tap: ByteTap) => void>();
  private closeListeners = new Set<(reason: PortCloseReason) => void>();
  private closedReason: PortCloseReason | undefined;
  private reading = false;

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

  async write(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    this.throwIfClosed();
    if (signal?.aborted) throw new OperationAbortedError(signal.reason);
    this.emitTap('tx', bytes);
    await this.sendBytes(bytes, signal);
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
    if (this.reading) {
      return Promise.reject(new Error(`Two reads at once on ${this.path}: one owner reads at a time.`));
    }
    this.reading = true;
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter: Waiter = { wake: () => attempt() };
      const finish = (settle: () => void) => {
        this.reading = false;
        this.waiters.delete(waiter);
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = () => finish(() => reject(new OperationAbortedError(signal?.reason)));
      const attempt = () => {
        let framed: { value: T; consumed: number } | undefined;
        try {
          framed = this.end > this.start ? framer.frame(this.buffer.subarray(this.start, this.end)) : undefined;
        } catch (error) {
          finish(() => reject(error));
          return;
        }
        if (framed) {
          this.start += Math.min(framed.consumed, this.end - this.start);
          if (this.start === this.end) this.start = this.end = 0;
          const value = framed.value;
          finish(() => resolve(value));
          return;
        }
        if (this.closedReason) {
          const reason = this.closedReason;
          finish(() => reject(new PortClosedError(this.path, reason)));
          return;
        }
        if (deadline.isExpired()) {
          finish(() =>
            reject(new ReadTimeoutError(`${framer.description} (${deadline.label})`, deadline.budgetMs, this.peekPending())),
          );
        }
      };
      if (signal?.aborted) {
        finish(() => reject(new OperationAbortedError(signal.reason)));
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
      if (deadline.atMs !== Infinity) {
        // setTimeout cannot take more than 2^31-1 ms; a long deadline re-arms.
        const arm = () => {
          timer = setTimeout(() => {
            if (deadline.isExpired()) attempt();
            else arm();
          }, Math.min(deadline.remainingMs() + 1, 2 ** 31 - 1));
        };
        arm();
      }
      attempt();
    });
  }

  /** Subclasses call this with every chunk the OS delivers. */
  protected receive(chunk: Uint8Array): void {
    if (this.closedReason || chunk.length === 0) return;
    this.emitTap('rx', chunk);
    this.append(chunk);
    for (const waiter of [...this.waiters]) waiter.wake();
  }

  /** Subclasses call this when the OS handle goes away by itself (unplug). */
  protected markClosed(reason: PortCloseReason): void {
    if (this.closedReason) return;
    this.closedReason = reason;
    for (const listener of [...this.closeListeners]) listener(reason);
    for (const waiter of [...this.waiters]) waiter.wake();
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
