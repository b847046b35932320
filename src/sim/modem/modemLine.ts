import { AtLineAssembler } from './atInterpreter';
import type { ModemClock } from './modemClock';
import type { ModemUart } from './modemUart';

/** 'busy' while rebooting, loading or crashed: input is lost. 'dead' until a power cycle. */
export type LineMode = 'at' | 'stp' | 'busy' | 'dead';

/**
 * The modem's end of the wire, shared by every part of the modem that changes how
 * it listens: the UART, the mode the line is in, and the AT text assembled so far.
 */
export class ModemLine {
  mode: LineMode = 'at';
  readonly assembler = new AtLineAssembler();

  constructor(
    readonly uart: ModemUart,
    private readonly clock: ModemClock,
  ) {}

  /** Deaf for a modem duration (a reboot, a load, a crash): what arrives meanwhile is lost. */
  goBusy(realMs: number, then: () => void): void {
    this.mode = 'busy';
    this.assembler.clear();
    this.uart.discardInput();
    this.clock.schedule(realMs, then);
  }
}
