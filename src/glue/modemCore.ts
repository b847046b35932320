import type { TypedEmitter } from '../core/events/typedEmitter';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import type { ModemState, ModemVersionReport } from '../core/parse/modemVersion';
import type { CrashDump } from '../core/parse/crashDump';
import type { PortOpener } from '../core/transport/byteTransport';
import type { PortAccess } from '../core/transport/portOwner';
import type { UpgradeTimeouts } from '../core/engine/upgradeTimeouts';
import type { Diagnosis } from '../core/engine/upgradeEvents';
import type { LastAttempt } from '../core/engine/lastAttempt';
import type { PreflightFacts, PreflightResult } from '../core/preflight/preflight';
import type { ReportExtras } from '../core/diagnosis/reportInput';
import type { FleetBoardOutcome } from '../core/fleet/fleetUpgrade';

export type { FleetBoardOutcome };

/**
 * The part of the core the extension glue calls, as one interface. The glue receives
 * it through `ExtensionServices.loadCore()`, so tests hand in a fake and activation
 * loads none of it: the real one (coreLoader.ts) imports core, serial and simulator
 * code on first use.
 */
export interface ModemCore extends SessionRules {
  listSerialPorts(): Promise<SerialPortChoice[]>;
  /** The opener for a path: the simulator's registry for `sim:` paths, else the OS serial ports. */
  openerFor(portPath: string): Promise<PortOpener>;
  createEngine(options: EngineOptions): ModemEngine;
  runFullUpgrade(request: FullUpgradeRequest, context: { engine: ModemEngine; signal: AbortSignal }): Promise<unknown>;
  /**
   * Pycom's on-board methods: the board's own updater (`sqnsupgrade.run`) on a file on its
   * SD card or /flash, or on a local diff pushed to /flash first. No mirror mode: the board
   * is back at its REPL at the end.
   */
  runOnBoardUpgrade(request: OnBoardUpgradeRequest, context: { engine: ModemEngine; signal: AbortSignal }): Promise<unknown>;
  /** The `.dup` and `.elf` files on /flash and on the SD card (undefined: no card), for the on-board methods' picker. */
  listUpgradeFilesOnBoard(request: { port: PortAccess }, signal: AbortSignal): Promise<UpgradeFilesOnBoard>;
  /** Several boards at once, each its own run on its own port; one outcome per board, in the order given. */
  runFleetUpgrade(request: FleetUpgradeRequest): Promise<FleetBoardOutcome[]>;
  inspectFirmwareFile(path: string): Promise<FirmwareFileCheck>;
  identifyBoard(request: { port: PortAccess }, signal: AbortSignal): Promise<BoardIdentity>;
  /** Writes a synthetic full image the simulated modem accepts; returns its path. */
  writeDemoFirmware(folder: string): Promise<string>;
  pushFile(
    request: { port: PortAccess; localPath: string; remotePath: string },
    options: { signal: AbortSignal; onProgress?: (bytesDone: number, bytesTotal: number) => void },
  ): Promise<void>;
  /**
   * Before a board-half job (upgrade, identify, REPL, push) on a simulated port: a simulated
   * board left in mirror mode, or after an upgrade ended either way, is power-cycled, as
   * the user would unplug a real one. Returns the sentence for the log when it did; a
   * no-op for real ports. Call it while holding the port (the cycle drops every handle).
   */
  readySimulatedBoard(portPath: string): Promise<string | undefined>;
  /** Power-cycles the simulated GPy now (the "Power-cycle Simulated GPy" action). */
  powerCycleSimulator(portPath: string): Promise<string>;
}

/** What the log says when the glue power-cycled the simulated GPy itself. */
export const SIMULATOR_POWER_CYCLED = 'Simulated GPy power-cycled (a real board needs unplugging).';

/**
 * The core's rules over what the glue knows of a session (diagnosis, preflight checks,
 * the last-attempt record, the diagnostic report). They are plain functions, but they
 * live in the core bundle: reached through here, activation does not load them.
 */
export interface SessionRules {
  /** The diagnoses of a failed session: of `error` when given, else the engine's own or the rules over the events. */
  diagnoseSession(events: readonly UpgradeEvent[], error?: unknown): Diagnosis[];
  runPreflight(facts: PreflightFacts): { results: PreflightResult[]; hasFailure: boolean; text: string };
  newAttempt(portPath: string, files: readonly string[], updaterPath: string | undefined): LastAttempt;
  /** The attempt's record once it ended: outcome, path and where the modem stood, from the session's events. */
  finishedAttempt(attempt: LastAttempt, events: readonly UpgradeEvent[]): LastAttempt;
  /** A stored record, or undefined when it is not one (an older or damaged entry). */
  parseLastAttempt(value: unknown): LastAttempt | undefined;
  /** A firmware file's kind for the report, from its name alone. */
  reportFileKind(path: string): string;
  /** The forum-ready Markdown report of a session; the transcript file's tail when it can be read, else the events. */
  renderReport(events: readonly UpgradeEvent[], extras: ReportExtras & { transcriptPath?: string }): Promise<string>;
}

export interface SerialPortChoice {
  path: string;
  description: string;
  /** 'GPy', 'FiPy', 'G01' … when the USB identity tells. */
  board?: string;
  isLikelyPycom: boolean;
}

export interface EngineOptions {
  /** Overrides from the settings, ms. */
  timeouts: Partial<UpgradeTimeouts>;
  /** The simulator's clock multiplier (0.05 = 20× faster), 1 for hardware: the engine's waits follow it. */
  timeScale: number;
}

export interface ModemEngine {
  readonly events: TypedEmitter<UpgradeEvent>;
  info(request: ModemReadRequest, signal: AbortSignal): Promise<{ state: ModemState; report?: ModemVersionReport; baudRate: number }>;
  /**
   * The board's own `sqnsupgrade.info()` from its REPL: no mirror mode, the board stays at
   * its prompt. `state` is undefined (with `failure`) when the updater could not tell.
   */
  infoOnBoard(request: { port: PortAccess }, signal: AbortSignal): Promise<BoardModemInfo>;
  readCrashDump(request: ModemReadRequest, signal: AbortSignal): Promise<CrashDump | undefined>;
}

export interface ModemReadRequest {
  /** The port's owner in this window: the read is one turn on it. */
  port: PortAccess;
  /** The board is at its REPL: start mirror mode on it first (it stays there until power-cycled). */
  viaBoard?: boolean;
}

export interface BoardModemInfo {
  state?: ModemState;
  report: ModemVersionReport;
  /** Why the board's updater could not tell. */
  failure?: string;
}

export type TransferMethodChoice = 'auto' | 'on-the-fly' | 'fff';

export interface BoardFileEntry {
  name: string;
  size: number;
}

export interface UpgradeFilesOnBoard {
  flash: BoardFileEntry[];
  /** Undefined when the board has no SD card. */
  sd?: BoardFileEntry[];
}

export interface OnBoardUpgradeRequest {
  port: PortAccess;
  /** A file on the board (`/sd/NAME.dup`, `/flash/NAME.dup`), or a local diff for the /flash method. */
  firmware: { kind: 'on-board'; path: string } | { kind: 'via-flash'; localPath: string };
  /** updater.elf already on the board, for a modem in its recovery bootrom. */
  updaterPath?: string;
  transcriptDir?: string;
  confirm?: (warnings: readonly PreflightResult[]) => Promise<boolean>;
}

export interface FullUpgradeRequest {
  /** The port's owner in this window: the whole upgrade is one turn on one handle. */
  port: PortAccess;
  /** .dup files in order; empty when `packageSource` is given. */
  files: string[];
  /** A Pycom firmware package (the .zip, or the folder it was extracted to): the files are chosen once the board has read the modem. */
  packageSource?: string;
  updaterPath?: string;
  transcriptDir?: string;
  ffh?: boolean;
  /** 'auto' follows Pycom's rules; the others are the expert override. */
  method?: TransferMethodChoice;
  /** Asked about warnings the checks raise during the run (after the board read the modem). */
  confirm?: (warnings: readonly PreflightResult[]) => Promise<boolean>;
  /** The board's updater runs with debug=True. */
  updaterDebug?: boolean;
}

export interface FleetUpgradeRequest {
  boards: readonly {
    portPath: string;
    /** The port's owner in this window. */
    port: PortAccess;
    /** The engine's clock for this board (a simulated one runs faster). */
    engine: EngineOptions;
    /** Stops this board alone; it follows `signal` too. */
    signal: AbortSignal;
  }[];
  files: string[];
  /** A firmware package: each board's files are chosen for its own modem. */
  packageSource?: string;
  updaterPath?: string;
  transcriptDir?: string;
  method?: TransferMethodChoice;
  maxParallel?: number;
  /** Warnings a board raised once it read its modem: the run of that board waits for the answer. */
  confirm(warnings: readonly PreflightResult[], portPath: string): Promise<boolean>;
  /** Stops every board. */
  signal: AbortSignal;
  onBoardStart?(portPath: string): void;
  onEvent(portPath: string, event: UpgradeEvent): void;
  onBoardDone?(outcome: FleetBoardOutcome): void;
}

/** A firmware file's checks in words, for the preflight summary. */
export interface FirmwareFileCheck {
  path: string;
  sizeBytes: number;
  /** e.g. "CAT-M1 full image, build 41065, sent ON_THE_FLY". */
  summary: string;
  /** Problems that stop the upgrade (too small, not a .dup …). */
  problems: string[];
  /** Things worth knowing that do not stop it. */
  warnings: string[];
  isUpdaterElf: boolean;
  /** The file's first bytes, for the preflight checks (magic numbers, header line). */
  head?: Uint8Array;
  /** Why the file could not be read, when it could not. */
  readError?: string;
}

export interface BoardIdentity {
  /** 'GPy', 'FiPy', 'G01', 'LoPy' … */
  name: string;
  firmwareVersion?: string;
  hasLteModem: boolean;
}

export { SIMULATED_PORT_PATH } from './portProviders';
