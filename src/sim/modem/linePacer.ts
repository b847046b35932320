/**
 * Line time on a UART: at 8N1 every byte costs 10 bit times, so 921600 baud moves
 * 92,160 bytes/s. The simulators pace what they send AND what they consume with
 * this, because over a pty a host can write at 18 MB/s while a real modem only
 * sees bytes as fast as the wire delivers them.
 */
export const BITS_PER_BYTE_8N1 = 10;

export interface LinePacerOptions {
  /** Current baud rate (read on every reservation, so a baud change applies at once). */
  baudRate: () => number;
  /** 1 = real time; 0.001 makes the line 1000 times faster. */
  timeScale: number;
  /** false: bytes cost no time. */
  isEnabled?: boolean;
  /** Timers below this are not worth arming: the debt is carried to the next chunk. */
  minWaitMs?: number;
}

/** How late a Node timer may fire: an exact wait arms its timer this much early and polls the rest. */
const TIMER_SLACK_MS = 1.5;

export function lineBytesPerSecond(baudRate: number, timeScale = 1): number {
  return baudRate / BITS_PER_BYTE_8N1 / Math.max(timeScale, 1e-9);
}

/**
 * A virtual line clock: bytes start crossing when they were handed to the UART or when
 * the line went free, whichever is later. A late timer therefore never adds its
 * lateness to the bytes behind it, and an idle line gives no credit to later bytes.
 */
export class LinePacer {
  private lineFreeAtMs = 0;

  constructor(private readonly options: LinePacerOptions) {}

  get bytesPerSecond(): number {
    return lineBytesPerSecond(this.options.baudRate(), this.options.timeScale);
  }

  /** How many bytes cross in `ms` of (scaled) line time: a sensible chunk size. */
  bytesIn(ms: number): number {
    return Math.max(1, Math.floor((this.bytesPerSecond * ms) / 1000));
  }

  /**
   * Reserves line time for `byteCount` bytes handed over at `handedOverAtMs` (default
   * now); returns the clock time they finish crossing.
   */
  reserve(byteCount: number, handedOverAtMs = performance.now()): number {
    if (this.options.isEnabled === false) return handedOverAtMs;
    const startMs = Math.max(handedOverAtMs, this.lineFreeAtMs);
    this.lineFreeAtMs = startMs + (byteCount * 1000) / this.bytesPerSecond;
    return this.lineFreeAtMs;
  }

  /**
   * Waits until `byteCount` more bytes, handed over at `handedOverAtMs`, have crossed the
   * line. `isExact`: the caller acts on these bytes at once (a request has arrived whole,
   * a reply leaves), so the wait may neither skip a short remainder (the reply would leave
   * before the request's last byte arrived) nor end a timer's coarseness late (a modem
   * slower than the real one). Other pieces only carry their debt to the next one.
   */
  async pace(byteCount: number, signal?: AbortSignal, handedOverAtMs = performance.now(), isExact = false): Promise<void> {
    const doneAtMs = this.reserve(byteCount, handedOverAtMs);
    if (isExact) return untilClock(doneAtMs, signal);
    const waitMs = doneAtMs - performance.now();
    if (waitMs < (this.options.minWaitMs ?? 1)) return;
    await lineDelay(waitMs, signal);
  }

  /** Forgets reserved time (the line was reset, e.g. a reboot dropped what was queued). */
  reset(): void {
    this.lineFreeAtMs = 0;
  }
}

/**
 * Ends when the clock reads `atMs`, to a few µs: a timer for the bulk of the wait, then
 * event-loop turns (which still serve I/O) for the last stretch a timer cannot hit.
 */
async function untilClock(atMs: number, signal?: AbortSignal): Promise<void> {
  const coarseMs = atMs - performance.now() - TIMER_SLACK_MS;
  if (coarseMs >= 1) await lineDelay(coarseMs, signal);
  while (performance.now() < atMs) {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A wait that models the wire, not a guess: it ends early only on abort (then it rejects). */
function lineDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
