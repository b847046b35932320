import type { ByteTransport } from '../../core/transport/byteTransport';
import { anyBytes } from '../../core/transport/framers';
import { garble } from '../../core/transport/memoryLink';
import { Deadline } from '../../core/time/deadline';
import { LinePacer } from './linePacer';

/** Scaled line time a paced chunk covers: small enough to look like a stream. */
const PACE_CHUNK_MS = 2;

export interface ModemUartOptions {
  timeScale: number;
  isPaced: boolean;
  /**
   * When the far end cannot garble a baud mismatch itself (a pty ignores baud rates),
   * the rate the host is assumed to use: bytes are garbled here when the modem's own
   * rate differs. Undefined over a MemoryLink, which garbles by itself.
   */
  assumedHostBaud?: number;
  /** The modem UART's rate; default the transport's. Over a pty the transport's rate means nothing. */
  uartBaud?: number;
  log?: (line: string) => void;
}

/**
 * The modem's UART: receives from the transport and hands bytes on only as fast as
 * the line delivers them, and sends at line rate. Every byte in or out crosses here.
 */
export class ModemUart {
  private readonly rxPacer: LinePacer;
  private readonly txPacer: LinePacer;
  private readonly inbox: Uint8Array[] = [];
  private inboxWaiter: (() => void) | undefined;
  private sendChain: Promise<void> = Promise.resolve();
  private readonly stopController = new AbortController();
  private pump: Promise<void> | undefined;
  private closedListeners: Array<(why: string) => void> = [];
  private isClosed = false;
  private currentBaud: number;

  constructor(
    private readonly io: ByteTransport,
    private readonly options: ModemUartOptions,
  ) {
    this.currentBaud = options.uartBaud ?? io.settings.baudRate;
    const baudRate = () => this.currentBaud;
    this.rxPacer = new LinePacer({ baudRate, timeScale: options.timeScale, isEnabled: options.isPaced });
    this.txPacer = new LinePacer({ baudRate, timeScale: options.timeScale, isEnabled: options.isPaced });
  }

  get baudRate(): number {
    return this.currentBaud;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get signal(): AbortSignal {
    return this.stopController.signal;
  }

  start(): void {
    this.pump ??= this.runPump();
  }

  onClosed(listener: (why: string) => void): void {
    this.closedListeners.push(listener);
  }

  /** The next bytes the modem sees (at line time), or undefined once the UART stopped. */
  async next(): Promise<Uint8Array | undefined> {
    while (this.inbox.length === 0) {
      if (this.isClosed) return undefined;
      await new Promise<void>((resolve) => (this.inboxWaiter = resolve));
    }
    return this.inbox.shift();
  }

  /** Throws away what arrived and was not yet processed (a reboot loses it). */
  discardInput(): number {
    const count = this.inbox.reduce((n, chunk) => n + chunk.length, 0);
    this.inbox.length = 0;
    return count;
  }

  /** Queues bytes for the line; resolves once they have crossed it. */
  send(bytes: Uint8Array): Promise<void> {
    const handedOverAtMs = performance.now();
    const sent = this.sendChain.then(() => this.sendPaced(bytes, handedOverAtMs));
    this.sendChain = sent.catch(() => undefined);
    return sent;
  }

  async setBaudRate(baudRate: number): Promise<void> {
    await this.sendChain;
    this.currentBaud = baudRate;
    if (this.io.isOpen) await this.io.update({ ...this.io.settings, baudRate });
  }

  async stop(): Promise<void> {
    this.markClosed('stopped');
    this.stopController.abort(new Error('modem stopped'));
    await this.pump?.catch(() => undefined);
    await this.sendChain.catch(() => undefined);
  }

  private async sendPaced(bytes: Uint8Array, handedOverAtMs: number): Promise<void> {
    const outgoing = this.mismatchGarble(bytes, 'tx');
    const step = this.txPacer.bytesIn(PACE_CHUNK_MS);
    for (let at = 0; at < outgoing.length; at += step) {
      if (this.isClosed || !this.io.isOpen) return;
      const piece = outgoing.subarray(at, Math.min(outgoing.length, at + step));
      const isLast = at + step >= outgoing.length;
      await this.txPacer.pace(piece.length, this.stopController.signal, handedOverAtMs, isLast).catch(() => undefined);
      if (this.isClosed || !this.io.isOpen) return;
      await this.io.write(piece).catch((error: unknown) => this.options.log?.(`modem write failed: ${String(error)}`));
    }
  }

  private async runPump(): Promise<void> {
    const signal = this.stopController.signal;
    try {
      while (!signal.aborted) {
        const chunk = await this.io.read(anyBytes, { deadline: Deadline.never('host bytes'), signal });
        const arrivedAtMs = performance.now();
        const incoming = this.mismatchGarble(chunk, 'rx');
        const step = this.rxPacer.bytesIn(PACE_CHUNK_MS);
        for (let at = 0; at < incoming.length; at += step) {
          const piece = incoming.subarray(at, Math.min(incoming.length, at + step));
          await this.rxPacer.pace(piece.length, signal, arrivedAtMs, at + step >= incoming.length);
          this.inbox.push(piece);
          this.wake();
        }
      }
    } catch (error) {
      this.markClosed(signal.aborted ? 'stopped' : error instanceof Error ? error.message : String(error));
    }
  }

  private mismatchGarble(bytes: Uint8Array, direction: 'tx' | 'rx'): Uint8Array {
    const hostBaud = this.options.assumedHostBaud;
    if (hostBaud === undefined || hostBaud === this.baudRate) return bytes;
    return direction === 'tx' ? garble(bytes, this.baudRate, hostBaud) : garble(bytes, hostBaud, this.baudRate);
  }

  private markClosed(why: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.wake();
    for (const listener of this.closedListeners) listener(why);
  }

  private wake(): void {
    const waiter = this.inboxWaiter;
    this.inboxWaiter = undefined;
    waiter?.();
  }
}
