/** Signals kept watched while no operation uses them, before they are let go. */
export const MAX_IDLE_WATCHED_SIGNALS = 8;

interface AbortWatch {
  listener: () => void;
  /** Operations under way with this signal. */
  users: number;
}

/**
 * One 'abort' listener per signal, kept between operations. The engine passes the same
 * signal to thousands of reads and writes of a transfer; adding and removing a listener
 * for each (Node's EventTarget allocates on both) was a measurable share of the garbage
 * a transfer made. Watches no operation uses are dropped once there are more than a few,
 * so a port kept open across many operations does not collect listeners.
 */
export class AbortWatches {
  private readonly watches = new Map<AbortSignal, AbortWatch>();

  constructor(private readonly onAbort: (signal: AbortSignal) => void) {}

  /** An operation starts under `signal`: `onAbort(signal)` runs if it aborts before every hold is released. */
  hold(signal: AbortSignal): void {
    const watch = this.watches.get(signal);
    if (watch) {
      watch.users += 1;
      return;
    }
    if (this.watches.size >= MAX_IDLE_WATCHED_SIGNALS) this.dropIdle();
    const listener = () => {
      this.watches.delete(signal);
      this.onAbort(signal);
    };
    signal.addEventListener('abort', listener, { once: true });
    this.watches.set(signal, { listener, users: 1 });
  }

  /** The operation under `signal` is over; the listener stays for the next one. */
  release(signal: AbortSignal): void {
    const watch = this.watches.get(signal);
    if (watch) watch.users = Math.max(0, watch.users - 1);
  }

  /** Removes every listener (the transport closed). */
  dropAll(): void {
    for (const [signal, watch] of this.watches) signal.removeEventListener('abort', watch.listener);
    this.watches.clear();
  }

  private dropIdle(): void {
    for (const [signal, watch] of this.watches) {
      if (watch.users > 0) continue;
      signal.removeEventListener('abort', watch.listener);
      this.watches.delete(signal);
    }
  }
}
