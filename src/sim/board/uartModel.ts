import type { ByteTransport } from '../../core/transport/byteTransport';
import { anyBytes } from '../../core/transport/framers';
import { Deadline } from '../../core/time/deadline';
import { lineBytesPerSecond } from '../modem/linePacer';
import { isPseudoTerminal } from './pseudoTerminal';

/** Timer granularity the pacing works in: pieces of about this much line time. */
const PIECE_MS = 4;

export interface UartModelOptions {
  /** 1 = real time (115200 baud = 11,520 bytes/s); 0.001 = a thousand times faster. */
  timeScale: number;
  /** false: bytes cost no line time (for tests that only care about content). */
  isPaced?: boolean;
  /** Each piece as it finishes crossing the wire into the board. */
  onReceive: (bytes: Uint8Array) => void;
  /**
   * Whether the transport is a real line whose speed setBaudRate() changes. Default: yes,
   * unless it is a pseudo-terminal, where the speed is only modelled (see setBaudRate).
   */
  hasLineSpeed?: boolean;
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
  private readonly hasLineSpeed: boolean;
  /** The speed the board's UART runs at when the transport has none to set (a pty). */
  private modelledBaudRate: number | undefined;

  constructor(
    private readonly io: ByteTransport,
    private readonly options: UartModelOptions,
  ) {
    this.hasLineSpeed = options.hasLineSpeed ?? !isPseudoTerminal(io.path);
    const rate = () => lineBytesPerSecond(this.baudRate, options.timeScale);
    this.txClock = new LineClock(rate);
    this.rxClock = new LineClock(rate);
  }

  get baudRate(): number {
    return this.modelledBaudRate ?? this.io.settings.baudRate;
  }

  start(): void {
    this.rxLoop ??= this.receiveLoop();
  }

  /** Queues bytes to send; they leave in order at the line rate. */
  send(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.stopController.signal.aborted) return;
    this.txQueue.push(bytes.slice());
    this.startPump();
  }

  private startPump(): void {
    if (this.txPumping || this.txQueue.length === 0 || this.stopController.signal.aborted) return;
    this.txPumping = this.pumpTx(this.txGeneration).finally(() => {
      this.txPumping = undefined;
      // Bytes queued while this pump was finishing, or for a new generation after
      // clearTx(), found it still busy and started none: they need a pump of their own.
      this.startPump();
    });
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

  /**
   * Changes the UART speed on the same handle (mirror mode: 921600). On a pty the speed
   * is only modelled: setting it there would flush the pty, and with it the last lines
   * the board sent at 115200 ("OK", the updater's welcome) whenever the peer (socat) had
   * not read them yet, which a loaded machine makes likely. A real line has no such
   * loss: every write here waited for its bytes to leave (drain) before the change.
   */
  async setBaudRate(baudRate: number): Promise<void> {
    if (this.hasLineSpeed) await this.io.update({ ...this.io.settings, baudRate });
    else this.modelledBaudRate = baudRate;
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
        if (generation !== this.txGeneration) return;
        if (!this.io.isOpen) throw new Error('port closed');
        await this.io.write(piece);
      } catch {
        // Stopped or the port went away: nothing left to send to.
        if (generation === this.txGeneration) this.txQueue = [];
        return;
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
