import type { ModemNetwork } from '../firmwareImage';
import type { FaultPlan, SimFault } from './modemFaults';
import type { ModemTimings } from './modemTimings';

export interface SimulatedModemOptions {
  /** Initial AT+SMOD? state; default 2 (application). */
  state?: 0 | 2 | 4;
  /** Current software build, default 38638 (LR5.1.1.0-38638). */
  build?: number;
  network?: ModemNetwork;
  /** Bootloader0 is 5.1.1.0 [33080]. */
  hasOldBootrom?: boolean;
  /** Bootloader0's build when the bootrom is not the old one; default the software build at power-on. */
  bootromBuild?: number;
  imei?: string;
  /**
   * Echo at start in the application (default true, as after a modem boot). The seed
   * capture shows AT+BIND=AT answered without echo: the board had turned it off before
   * mirroring; pass false to start like that.
   */
  hasEchoAtStart?: boolean;
  /** 1 = real timing; 0.001 in unit tests. Scales stalls, loads, apply, reboots and line pacing. */
  timeScale?: number;
  /** Default true: bytes in and out move at the line rate (baud/10 bytes per second) / timeScale. */
  paceLine?: boolean;
  faults?: SimFault[];
  /** Overrides of where faults strike. */
  faultPlan?: Partial<FaultPlan>;
  timings?: Partial<ModemTimings>;
  /** Contents of /fs/crashdump (after the leading CRLF); default: one built like the 33080 capture. */
  crashDump?: Uint8Array;
  /** Keep every stored byte (tests compare byte for byte); else only sha256 + length. */
  keepImageBytes?: boolean;
  /** New build when an image carries no synthetic header; default build + 1. */
  nextBuild?: number;
  /** Size the modem expects when an image has no header (places the stalls and faults). */
  expectedImageBytes?: number;
  /** See ModemUart: set when the transport cannot garble a baud mismatch itself (a pty). */
  assumedHostBaud?: number;
  /** The modem UART's rate for pacing; default the transport's (a MemoryLink end's). */
  uartBaud?: number;
  /** How to pull the cable (MemoryLink.unplug, or closing a pty). Default: close the transport. */
  unplug?: () => void;
  log?: (line: string) => void;
}
