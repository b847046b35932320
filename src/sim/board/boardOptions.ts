import type { ByteTransport } from '../../core/transport/byteTransport';
import type { ModemNetwork } from '../firmwareImage';
import type { BoardFault } from './boardFaults';
import type { RunHow } from './micropythonHost';

export type { BoardFault } from './boardFaults';

/** The simulated board's settings, events and counters, and the facts they rest on. */
export const REPL_BAUD_RATE = 115200;
/** Mirror mode: UART0 switches to this, 8N1, no flow control (PROTOCOL.md §1). */
export const MIRROR_BAUD_RATE = 921600;
/** The board's UART receive buffer: bytes arriving while it is busy and the buffer is full are lost. */
export const DEFAULT_RX_BUFFER_BYTES = 512;
/** Older GPy boards have about 1 MB of /flash. */
export const DEFAULT_FLASH_BYTES = 1024 * 1024;
/** FatFS on the ESP32's SPI flash, board time (an assumption: tens of KB/s). */
export const DEFAULT_FLASH_BYTES_PER_SECOND = 64 * 1024;

export type PycomMachine = 'GPy' | 'FiPy' | 'G01' | 'LoPy4' | 'WiPy' | 'SiPy';

/** What the board's updater would learn by probing the modem (read synchronously, a simulation shortcut). */
export interface ModemFacts {
  state: number;
  hasOldBootrom: boolean;
  /** False when the modem would not answer the updater's AT wake-up (dead, crashed, rebooting); default true. */
  isAnswering?: boolean;
  /** Software build (ATI1's LR…-<build>); default 38638. */
  build?: number;
  network?: ModemNetwork;
  imei?: string;
}

/**
 * What the board's updater does to the modem itself, each false when the modem would
 * not take it. The board paces the bytes; the modem only changes what it runs.
 */
export interface BoardModemActions {
  /** updater.elf sent to the recovery bootrom (its first bytes: the bootrom starts only an ELF). */
  loadUpdater(head: Uint8Array): boolean;
  /** The FFH step: a new bootrom written through the application. */
  rewriteBootrom(): boolean;
  /** AT+SMSWBOOT=0,1: reboot into the FFH bootrom. */
  switchToFfh(): boolean;
  /**
   * The on-board methods (`sqnsupgrade.run()`): one AT command over the board's UART, the
   * reply text or null when the modem does not answer now. Optional: without it the
   * modem answers the board nothing (run() then cannot detect it).
   */
  at?(command: string): string | null;
  /** A block of the board's own STP transfer: modem-time ms to wait before the next, or 'failed'. */
  stpBlock?(data: Uint8Array): number | 'failed';
  /** The board's own transfer is complete. */
  stpEnd?(): boolean;
}

export interface SimulatedBoardOptions {
  machine?: PycomMachine;
  /** Pycom firmware release, e.g. '1.20.2.r6' or '1.18.2.r7'. */
  release?: string;
  /** MicroPython core tag and build date shown in the banner and os.uname(). */
  micropythonTag?: string;
  buildDate?: string;
  /** `sqnsupgrade` frozen in the firmware; default: release ≥ 1.20. */
  hasSqnsupgrade?: boolean;
  flashBytes?: number;
  /** 1 = real time; 0.001 makes lines, sleeps and flash writes a thousand times faster. */
  timeScale?: number;
  /** false: the UART costs no line time. */
  isPaced?: boolean;
  rxBufferBytes?: number;
  flashBytesPerSecond?: number;
  /** Files on /flash at first power-on (paths relative to /flash or absolute under it). */
  files?: Record<string, string | Uint8Array>;
  /**
   * An SD card in the board's slot, with these files (names relative to the card's root,
   * e.g. 'CATM1-41065.dup'; `{}` = an empty card). Absent: no card, so mounting `/sd`
   * fails ("Unable to mount SD card!" from the updater). The board's code mounts it
   * (`os.mount(machine.SD(), '/sd')`), as the updater's run() does itself.
   */
  sdCard?: Record<string, string | Uint8Array>;
  /** The modem as the updater would probe it (a simulation shortcut, read synchronously). */
  modemFacts?: () => ModemFacts;
  /** What the updater's recovery steps do to the modem; absent: the modem takes none of them. */
  modemActions?: BoardModemActions;
  /** Board-half failures the updater acts out (PROTOCOL.md §9). */
  faults?: BoardFault[];
  /** `pycom.lte_modem_en_on_boot()`: LTE starts at boot, so the modem is in use (default false). */
  lteAutostart?: boolean;
  /** The board's end of the modem UART, bridged to UART0 in mirror mode. */
  modemIo?: ByteTransport;
  log?: (line: string) => void;
}

export type BoardState = 'off' | 'booting' | 'repl' | 'mirror' | 'stopped';

export type BoardEvent =
  | { kind: 'state'; state: BoardState }
  | { kind: 'booted'; reason: 'power-on' | 'soft-reboot' | 'safe-boot' | 'hard-reset' }
  | { kind: 'mirror'; baudRate: number }
  | { kind: 'ctrlF' }
  | { kind: 'rxDropped'; byteCount: number }
  | { kind: 'exec'; how: RunHow; code: string };

export interface BoardStats {
  /** Ctrl-F bytes received outside mirror mode: a client must never send one. */
  ctrlFReceived: number;
  safeBoots: number;
  softReboots: number;
  hardResets: number;
  /** Bytes lost because they arrived while the board was busy and its buffer was full. */
  rxDroppedBytes: number;
  execs: number;
  /** Times the interpreter had to be restarted because running code ignored Ctrl-C. */
  interpreterRestarts: number;
}

/** Paths given relative to /flash (as users think of them) or absolute. */
export function flashPath(path: string): string {
  return path.startsWith('/') ? path : `/flash/${path}`;
}

/**
 * Where the card's files live in the interpreter's file system while `/sd` is not
 * mounted; mounting renames this folder to `/sd` (and unmounting back), so the files
 * are out of reach until the board's code mounts the card.
 */
export const SD_CARD_STORE = '/_sdcard';

/** A card file's path in the interpreter's file system (unmounted), from a name on the card. */
export function sdCardPath(name: string): string {
  return `${SD_CARD_STORE}/${name.replace(/^\/?(sd\/)?/, '')}`;
}

/** Compares dotted release strings numerically ('1.18.2.r7' < '1.20'). */
export function compareRelease(a: string, b: string): number {
  const parts = (s: string) => s.split('.').map((p) => Number.parseInt(p.replace(/^r/, ''), 10) || 0);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
