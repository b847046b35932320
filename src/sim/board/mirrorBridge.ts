import type { ByteTransport } from '../../core/transport/byteTransport';
import { anyBytes } from '../../core/transport/framers';
import { Deadline } from '../../core/time/deadline';
import { MIRROR_BAUD_RATE, REPL_BAUD_RATE } from './boardOptions';
import type { UartModel } from './uartModel';

/**
 * Mirror mode (`LTE.modem_upgrade_mode()`): UART0 at 921600 bridged byte for byte to
 * the modem's UART, no REPL, no CRLF cooking, no exit but a reset.
 */
export class MirrorBridge {
  private readonly controller = new AbortController();

  constructor(
    private readonly uart: UartModel,
    private readonly modemIo: ByteTransport | undefined,
    private readonly log?: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    try {
      await this.uart.setBaudRate(MIRROR_BAUD_RATE);
    } catch (error) {
      // A pty has no baud rate to change; the bridge works the same.
      this.log?.(`cannot switch UART0 to ${MIRROR_BAUD_RATE}: ${String(error)}`);
    }
    if (!this.modemIo?.isOpen) {
      this.log?.('mirror mode without a modem UART: bytes go nowhere');
      return;
    }
    // What the modem said before the bridge opened was the board's to read, not the host's.
    this.modemIo.drain();
    void this.modemToHost(this.modemIo);
  }

  /** Host bytes, as they arrive at the board at line rate, go on to the modem. */
  fromHost(bytes: Uint8Array): void {
    if (this.controller.signal.aborted || !this.modemIo?.isOpen) return;
    void this.modemIo.write(bytes).catch(() => undefined);
  }

  /** A reset ends mirror mode: the bridge closes and UART0 goes back to the REPL's speed. */
  async stop(): Promise<void> {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    if (this.uart.baudRate !== REPL_BAUD_RATE) await this.uart.setBaudRate(REPL_BAUD_RATE).catch(() => undefined);
  }

  private async modemToHost(modemIo: ByteTransport): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted && modemIo.isOpen) {
      try {
        this.uart.send(await modemIo.read(anyBytes, { deadline: Deadline.never('modem bytes'), signal }));
      } catch {
        return;
      }
    }
  }
}
