import type { ByteTransport } from '../../core/transport/byteTransport';
import { anyBytes } from '../../core/transport/framers';
import { Deadline } from '../../core/time/deadline';
import { lineBytesPerSecond } from '../modem/linePacer';

/** Timer granularity the pacing works in: pieces of about this much line time. */
const PIECE_MS = 4;

export interface UartModelOptions {
  /** 1 = real time (115200 baud = 11,520 bytes/s); 0.001 = a thousand times faster. */
  timeScale: number;
  /** false: bytes cost no line time (for tests that only care about content). */
  isPaced?: boolean;
  /** Each piece as it finishes crossing the wire into the board. */
  onReceive: (bytes: Uint8Array) => void;
}

/**
 * When bytes finish crossing a line that carries one byte after another. Timers fire
 * late, under load by several ms; a clock that restarted from "now" after each late
 * timer would lose that time on every piece. While a burst continues, each piece
 * starts where the previous one ended; only after the line went idle does it start now.
 */
class LineClock {
  private freeAtMs = 0;

  constructor(private readonly bytesPerSecond: () => number) {}

  /** Clock time at which `byteCount` more bytes have crossed. */
  reserve(byteCount: number, nowMs: number, isContinuing: boolean): number {
    const startMs = isContinuing ? this.freeAtMs : Math.max(this.freeAtMs, nowMs);
    this.freeAtMs = startMs + (byteCount * 1000) / this.bytesPerSecond();
    return this.freeAtMs;
  }

  /** How many bytes cross in `ms`. */
  bytesIn(ms: number): number {
    return Math.max(1, Math.floor((this.bytesPerSecond() * ms) / 1000));
  }

  reset(): void {
    this.freeAtMs = 0;
  }
}

/**
 * The board's UART0 as a host sees it: what the board sends leaves at the line rate
 * (8N1: baud/10 bytes per second, scaled), and what the host writes reaches the board
 * at the line rate too, however fast the host wrote it (USB-serial chips and the OS
 * buffer the rest). The board decides what to do with each arriving piece (its small
 * receive buffer lives in the board, see SimulatedBoard).
 */
export class UartModel {
  private readonly txClock: LineClock;
  private readonly rxClock: LineClock;
  private txQueue: Uint8Array[] = [];
  private txPumping: Promise<void> | undefined;
  private readonly stopController = new AbortController();
  private rxLoop: Promise<void> | undefined;
  private txGeneration = 0;

  constructor(
    private readonly io: ByteTransport,
    private readonly options: UartModelOptions,
  ) {
    const rate = () => lineBytesPerSecond(this.io.settings.baudRate, options.timeScale);
    this.txClock = new LineClock(rate);
    this.rxClock = new LineClock(rate);
  }

  get baudRate(): number {
    return this.io.settings.baudRate;
  }

  start(): void {
    this.rxLoop ??= this.receiveLoop();
  }

  /** Queues bytes to send; they leave in order at the line rate. */
  send(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.stopController.signal.aborted) return;
    this.txQueue.push(bytes.slice());
    this.txPumping ??= this.pumpTx(this.txGeneration).finally(() => (this.txPumping = undefined));
  }

  /** Resolves once everything queued so far has crossed the line. */
  async whenSent(): Promise<void> {
    while (this.txPumping) await this.txPumping;
  }

  /** Drops output not yet sent (a reset cuts the line off mid-message). */
  clearTx(): void {
    this.txQueue = [];
    this.txGeneration++;
    this.txClock.reset();
  }

  /** Changes the UART speed on the same handle (mirror mode: 921600). */
  async setBaudRate(baudRate: number): Promise<void> {
    await this.io.update({ ...this.io.settings, baudRate });
    this.txClock.reset();
    this.rxClock.reset();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.clearTx();
    await this.rxLoop?.catch(() => undefined);
  }

  private takeTxPiece(maxBytes: number): Uint8Array {
    const first = this.txQueue[0]!;
    if (first.length > maxBytes) {
      this.txQueue[0] = first.subarray(maxBytes);
      return first.subarray(0, maxBytes);
    }
    // Small writes (a prompt, one echoed character) travel together.
    const parts: Uint8Array[] = [];
    let size = 0;
    while (this.txQueue.length > 0 && size + this.txQueue[0]!.length <= maxBytes) {
      const part = this.txQueue.shift()!;
      parts.push(part);
      size += part.length;
    }
    if (parts.length === 1) return parts[0]!;
    const piece = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      piece.set(part, at);
      at += part.length;
    }
    return piece;
  }

  private async pumpTx(generation: number): Promise<void> {
    const signal = this.stopController.signal;
    let isContinuing = false;
    while (this.txQueue.length > 0 && generation === this.txGeneration) {
      const piece = this.takeTxPiece(this.txClock.bytesIn(PIECE_MS));
      try {
        if (this.options.isPaced !== false) {
          await untilClock(this.txClock.reserve(piece.length, performance.now(), isContinuing), signal);
        }
        isContinuing = true;
        if (generation !== this.txGeneration || !this.io.isOpen) return;
        await this.io.write(piece);
      } catch {
        return; // stopped or the port went away: nothing left to send to
      }
    }
  }

  private async receiveLoop(): Promise<void> {
    const signal = this.stopController.signal;
    while (!signal.aborted && this.io.isOpen) {
      let chunk: Uint8Array;
      try {
        chunk = await this.io.read(anyBytes, { deadline: Deadline.never('host bytes'), signal });
      } catch {
        return;
      }
      const pieceBytes = this.rxClock.bytesIn(PIECE_MS);
      for (let at = 0; at < chunk.length; at += pieceBytes) {
        const piece = chunk.slice(at, at + pieceBytes);
        try {
          if (this.options.isPaced !== false) {
            await untilClock(this.rxClock.reserve(piece.length, performance.now(), at > 0), signal);
          }
        } catch {
          return;
        }
        this.options.onReceive(piece);
      }
    }
  }
}

/** Waits until the clock reads `atMs` (the line time of bytes already reserved); ends early only on stop. */
function untilClock(atMs: number, signal: AbortSignal): Promise<void> {
  const waitMs = atMs - performance.now();
  if (waitMs < 1) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('stopped'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('stopped'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, waitMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
