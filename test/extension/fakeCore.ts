import { TypedEmitter } from '../../src/core/events/typedEmitter';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import type { CrashDump } from '../../src/core/parse/crashDump';
import type { ModemVersionReport } from '../../src/core/parse/modemVersion';
import { MemoryLink, MemoryPortRegistry } from '../../src/core/transport/memoryLink';
import type { PortAccess } from '../../src/core/transport/portOwner';
import type {
  BoardIdentity,
  EngineOptions,
  FirmwareFileCheck,
  FleetBoardOutcome,
  FleetUpgradeRequest,
  FullUpgradeRequest,
  ModemCore,
  ModemEngine,
  ModemReadRequest,
  OnBoardUpgradeRequest,
  SerialPortChoice,
  UpgradeFilesOnBoard,
} from '../../src/glue/modemCore';
import { sessionRules } from '../../src/glue/sessionRules';

export class FakeEngine implements ModemEngine {
  readonly events = new TypedEmitter<UpgradeEvent>();
  constructor(readonly options: EngineOptions) {}
  infoResult: Awaited<ReturnType<ModemEngine['info']>> = { state: 2, baudRate: 921600 };
  crashDump: CrashDump | undefined;
  /** Every info / crash-dump request, in order. */
  readonly requests: ModemReadRequest[] = [];
  /** Runs before the answer: a test throws from it to play a failure. */
  beforeRead: (engine: FakeEngine, request: ModemReadRequest) => void = () => undefined;
  async info(request: ModemReadRequest) {
    this.requests.push(request);
    this.beforeRead(this, request);
    return this.infoResult;
  }
  /** The board's updater's answer; undefined state means it could not tell. */
  boardInfoResult: Awaited<ReturnType<ModemEngine['infoOnBoard']>> = { failure: 'not scripted', report: { kind: 'unknown', bootloaders: [], needsRecoveryBootromUpgrade: false } };
  readonly boardInfoRequests: string[] = [];
  async infoOnBoard(request: { port: PortAccess }) {
    this.boardInfoRequests.push(request.port.path);
    return this.boardInfoResult;
  }
  async readCrashDump(request: ModemReadRequest) {
    this.requests.push(request);
    this.beforeRead(this, request);
    return this.crashDump;
  }
}

/** One board of a fleet: emit its events, answer with how it ended. */
export type FleetBoardScript = (
  board: FleetUpgradeRequest['boards'][number],
  emit: (event: UpgradeEvent) => void,
  request: FleetUpgradeRequest,
) => Promise<Pick<FleetBoardOutcome, 'result' | 'reason' | 'buildBefore' | 'buildAfter'>>;

export type UpgradeScript = (engine: FakeEngine, request: FullUpgradeRequest, signal: AbortSignal) => Promise<unknown>;

/** A core whose every answer the test sets (the session rules are the real ones); it records what the glue asked of it. */
export class FakeCore implements ModemCore {
  diagnoseSession = sessionRules.diagnoseSession;
  runPreflight = sessionRules.runPreflight;
  newAttempt = sessionRules.newAttempt;
  finishedAttempt = sessionRules.finishedAttempt;
  parseLastAttempt = sessionRules.parseLastAttempt;
  reportFileKind = sessionRules.reportFileKind;
  renderReport = sessionRules.renderReport;
  ports: SerialPortChoice[] = [];
  listCalls = 0;
  engines: FakeEngine[] = [];
  upgradeRequests: FullUpgradeRequest[] = [];
  upgradeScript: UpgradeScript = async () => undefined;
  board: BoardIdentity = { name: 'GPy', firmwareVersion: '1.20.2.r6', hasLteModem: true };
  fileChecks = new Map<string, Partial<FirmwareFileCheck>>();
  readonly registry = new MemoryPortRegistry();

  async listSerialPorts() {
    this.listCalls++;
    return this.ports;
  }
  /** Any path opens (a link is made on first use): the glue takes turns on real owners over it. */
  async openerFor() {
    return {
      open: (path: string, settings: Parameters<MemoryPortRegistry['open']>[1]) => {
        if (!this.registry.get(path)) this.registry.add(new MemoryLink(path));
        return this.registry.open(path, settings);
      },
    };
  }
  /** Applied to every engine the glue creates. */
  beforeRead: FakeEngine['beforeRead'] = () => undefined;
  /** Sets up every engine the glue creates (e.g. what the board's info() answers). */
  onEngine: (engine: FakeEngine) => void = () => undefined;
  createEngine(options: EngineOptions) {
    const engine = new FakeEngine(options);
    engine.beforeRead = (e, request) => this.beforeRead(e, request);
    this.onEngine(engine);
    this.engines.push(engine);
    return engine;
  }
  async runFullUpgrade(request: FullUpgradeRequest, context: { engine: ModemEngine; signal: AbortSignal }) {
    this.upgradeRequests.push(request);
    return this.upgradeScript(context.engine as FakeEngine, request, context.signal);
  }
  onBoardRequests: OnBoardUpgradeRequest[] = [];
  onBoardScript: (engine: FakeEngine, request: OnBoardUpgradeRequest, signal: AbortSignal) => Promise<unknown> = async () => undefined;
  async runOnBoardUpgrade(request: OnBoardUpgradeRequest, context: { engine: ModemEngine; signal: AbortSignal }) {
    this.onBoardRequests.push(request);
    return this.onBoardScript(context.engine as FakeEngine, request, context.signal);
  }
  /** What the board holds for the on-board methods' picker. */
  filesOnBoard: UpgradeFilesOnBoard = { flash: [] };
  async listUpgradeFilesOnBoard() {
    return this.filesOnBoard;
  }
  fleetRequests: FleetUpgradeRequest[] = [];
  fleetScript: FleetBoardScript = async () => ({ result: 'success' });
  /** Every board at once, as the real fleet without maxParallel; each board's script plays its run. */
  async runFleetUpgrade(request: FleetUpgradeRequest): Promise<FleetBoardOutcome[]> {
    this.fleetRequests.push(request);
    return Promise.all(
      request.boards.map(async (board) => {
        request.onBoardStart?.(board.portPath);
        const events: UpgradeEvent[] = [];
        const ended = await this.fleetScript(board, (event) => {
          events.push(event);
          request.onEvent(board.portPath, event);
        }, request);
        const outcome: FleetBoardOutcome = {
          portPath: board.portPath,
          ...ended,
          startedAtMs: Date.now(),
          durationMs: 1,
          events,
          outcome: { outcome: ended.result === 'success' ? 'success' : ended.result === 'cancelled' ? 'cancelled' : 'failed' },
        };
        request.onBoardDone?.(outcome);
        return outcome;
      }),
    );
  }
  async inspectFirmwareFile(path: string): Promise<FirmwareFileCheck> {
    return {
      path,
      sizeBytes: 5_000_000,
      summary: `${path}: CAT-M1 full image`,
      problems: [],
      warnings: [],
      isUpdaterElf: path.endsWith('.elf'),
      ...this.fileChecks.get(path),
    };
  }
  /** A board per port where one is set, else `board`. */
  boardsByPort = new Map<string, BoardIdentity>();
  async identifyBoard(request: { port: PortAccess }) {
    return this.boardsByPort.get(request.port.path) ?? this.board;
  }
  /** Port paths the glue asked to ready, and what the fake answered. */
  readied: string[] = [];
  simulatorNeedsPowerCycle = false;
  powerCycles = 0;
  async readySimulatedBoard(portPath: string) {
    this.readied.push(portPath);
    if (!portPath.startsWith('sim:') || !this.simulatorNeedsPowerCycle) return undefined;
    return this.powerCycleSimulator();
  }
  async powerCycleSimulator() {
    this.powerCycles++;
    this.simulatorNeedsPowerCycle = false;
    return 'Simulated GPy power-cycled (a real board needs unplugging).';
  }
  async writeDemoFirmware(folder: string) {
    return `${folder}/CATM1-41065.dup`;
  }
  pushed: { localPath: string; remotePath: string }[] = [];
  async pushFile(request: { localPath: string; remotePath: string }, options: { onProgress?: (done: number, total: number) => void }) {
    options.onProgress?.(50, 100);
    options.onProgress?.(100, 100);
    this.pushed.push({ localPath: request.localPath, remotePath: request.remotePath });
  }
}

export function versionReport(build: number): ModemVersionReport {
  return {
    softwareBuild: build,
    lrVersion: `LR5.1.1.0-${build}`,
    kind: 'CAT-M1',
    bootloaders: [{ slot: 0, version: '5.1.1.0', build: 33080, isActive: false }],
    needsRecoveryBootromUpgrade: false,
  };
}

/** Resolves when `condition` holds, re-checked after each emitted event or tick; bounded by a deadline. */
export async function until(condition: () => boolean, label: string, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
