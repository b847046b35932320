import type * as vscode from 'vscode';
import { open as openFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UpgradeEngine, type PortRequest } from '../core/engine/upgradeEngine';
import { simulatedClockTimeouts, type UpgradeTimeouts } from '../core/engine/upgradeTimeouts';
import { classifyFirmwareFileName, inspectFirmwareFile, transferMethodForSize } from '../core/parse/firmwareFile';
import { listSerialPorts } from '../core/transport/portList';
import { SerialPortOpener } from '../core/transport/serialTransport';
import { makeSyntheticFirmware, writeSyntheticFirmware } from '../sim/firmwareImage';
import { runFullUpgrade } from '../core/board/fullUpgrade';
import { identifyBoard } from '../core/board/boardIdentity';
import { pushFile } from '../core/board/boardFiles';
import { readModemInfoOnBoard, withModemViaBoard } from '../core/board/modemViaBoard';
import { createSimulatedGpy, type SimulatedGpy } from '../sim/simulatedGpy';
import { benchIndexOf, benchModemOptions } from '../sim/simulatedBench';
import { runFleetUpgrade } from '../core/fleet/fleetUpgrade';
import { runOnBoardUpgrade } from '../core/board/onBoardUpgrade';
import { listUpgradeFilesOnBoard } from '../core/board/onBoardFiles';
import { withRawRepl } from '../core/repl/replTurn';
import {
  SIMULATOR_POWER_CYCLED,
  type EngineOptions,
  type FirmwareFileCheck,
  type ModemCore,
  type ModemEngine,
  type ModemReadRequest,
} from './modemCore';
import { readSettings } from './settings';
import { SIMULATED_PORTS } from './portProviders';
import { sessionRules } from './sessionRules';

/** Enough of a file's start for the checks (archive and ELF magics, the synthetic header). */
const HEAD_BYTES = 64;

/**
 * The real core behind the glue's ModemCore interface. This module is imported only
 * from inside a command (extension.ts loads it with import()), so activation stays cheap
 * and a missing serial binding surfaces as a message on first use, not a dead extension.
 */
export async function loadModemCore(context: vscode.ExtensionContext): Promise<ModemCore> {
  let serial: SerialPortOpener | undefined;
  // One simulated GPy per `sim:` path, so a REPL terminal and an upgrade on a port see the same board.
  const simulators = new Map<string, Promise<SimulatedGpy>>();
  context.subscriptions.push({ dispose: () => void Promise.all([...simulators.values()].map(async (gpy) => (await gpy).stop())) });
  const simulatorFor = (portPath: string): Promise<SimulatedGpy> => {
    let gpy = simulators.get(portPath);
    if (!gpy) {
      const benchIndex = benchIndexOf(portPath);
      gpy = createSimulatedGpy({
        portPath,
        timeScale: 1 / readSettings().simulatorSpeedUp,
        // Every simulated board has an SD card to try that method on; the bench boards (sim:GPy#N) differ by build and IMEI.
        board: { sdCard: demoSdCard() },
        ...(benchIndex !== undefined ? { modem: benchModemOptions(benchIndex) } : {}),
      });
      simulators.set(portPath, gpy);
      // A board that failed to boot is not kept: the next job tries again.
      gpy.catch(() => simulators.delete(portPath));
    }
    return gpy;
  };
  // An upgrade (whatever its end) leaves the simulated modem and board where a real
  // one would need unplugging; the next board-half job starts from a power cycle.
  const spentSimulators = new Set<string>();
  const powerCycleSimulator = async (portPath: string): Promise<string> => {
    if (simulators.has(portPath)) await (await simulatorFor(portPath)).powerCycle();
    spentSimulators.delete(portPath);
    return SIMULATOR_POWER_CYCLED;
  };
  const runOneUpgrade: ModemCore['runFullUpgrade'] = async (request, { engine, signal }) => {
    if (SIMULATED_PORTS.owns(request.port.path)) spentSimulators.add(request.port.path);
    return runFullUpgrade(
      {
        ...request,
        timeouts: (engine as WrappedEngine).timeouts,
        updaterDebug: request.updaterDebug ?? readSettings().updaterDebug,
        replBaudRate: readSettings().replBaudRate,
      },
      { engine: (engine as WrappedEngine).inner, signal },
    );
  };

  return {
    ...sessionRules,
    async listSerialPorts() {
      const ports = await listSerialPorts();
      return ports.map((p) => ({ path: p.path, description: p.description, board: p.board, isLikelyPycom: p.isLikelyPycom }));
    },
    async openerFor(portPath) {
      if (SIMULATED_PORTS.owns(portPath)) return (await simulatorFor(portPath)).registry;
      serial ??= new SerialPortOpener();
      return serial;
    },
    createEngine: (options) => wrapEngine(new UpgradeEngine(), engineTimeouts(options), options.timeScale),
    runFullUpgrade: runOneUpgrade,
    async runFleetUpgrade(request) {
      const boards = new Map(request.boards.map((board) => [board.portPath, board]));
      const boardOf = (portPath: string) => boards.get(portPath)!;
      for (const board of request.boards) if (SIMULATED_PORTS.owns(board.portPath)) spentSimulators.add(board.portPath);
      return runFleetUpgrade({
        portPaths: request.boards.map((board) => board.portPath),
        portFor: (portPath) => boardOf(portPath).port,
        request: {
          files: request.files,
          ...(request.packageSource ? { packageSource: request.packageSource } : {}),
          ...(request.updaterPath ? { updaterPath: request.updaterPath } : {}),
          ...(request.transcriptDir ? { transcriptDir: request.transcriptDir } : {}),
          ...(request.method ? { method: request.method } : {}),
          updaterDebug: readSettings().updaterDebug,
          replBaudRate: readSettings().replBaudRate,
        },
        // Each board's waits follow its own clock: a simulated board's are scaled down.
        requestFor: (portPath) => ({ timeouts: engineTimeouts(boardOf(portPath).engine) }),
        signalFor: (portPath) => boardOf(portPath).signal,
        signal: request.signal,
        confirm: request.confirm,
        ...(request.maxParallel ? { maxParallel: request.maxParallel } : {}),
        onBoardStart: request.onBoardStart,
        onEvent: request.onEvent,
        onBoardDone: request.onBoardDone,
      });
    },
    async runOnBoardUpgrade(request, { engine, signal }) {
      if (SIMULATED_PORTS.owns(request.port.path)) spentSimulators.add(request.port.path);
      const wrapped = engine as WrappedEngine;
      return runOnBoardUpgrade(
        {
          ...request,
          updaterDebug: readSettings().updaterDebug,
          replBaudRate: readSettings().replBaudRate,
          // The board's own waits follow its clock: a simulated board's are shorter.
          ...(wrapped.timeScale < 1 ? { timeouts: { runScale: wrapped.timeScale } } : {}),
        },
        { events: wrapped.inner.events, signal },
      );
    },
    async listUpgradeFilesOnBoard(request, signal) {
      const files = await withRawRepl(request.port, (repl, turnSignal) => listUpgradeFilesOnBoard(repl, { signal: turnSignal }), replTurn(signal));
      const entries = (list: readonly { name: string; size: number }[]) => list.map(({ name, size }) => ({ name, size }));
      return { flash: entries(files.flash), ...(files.sd ? { sd: entries(files.sd) } : {}) };
    },
    async readySimulatedBoard(portPath) {
      if (!SIMULATED_PORTS.owns(portPath) || !simulators.has(portPath)) return undefined;
      const gpy = await simulatorFor(portPath);
      if (!spentSimulators.has(portPath) && gpy.board.state === 'repl') return undefined;
      return powerCycleSimulator(portPath);
    },
    async powerCycleSimulator(portPath) {
      if (SIMULATED_PORTS.owns(portPath)) await simulatorFor(portPath);
      return powerCycleSimulator(portPath);
    },
    inspectFirmwareFile: checkFirmwareFile,
    async identifyBoard(request, signal) {
      const identity = await withRawRepl(request.port, (repl, turnSignal) => identifyBoard(repl, { signal: turnSignal }), replTurn(signal));
      return { name: identity.machine, firmwareVersion: identity.release, hasLteModem: identity.hasLteModem };
    },
    async pushFile(request, options) {
      await withRawRepl(
        request.port,
        (repl, turnSignal) => pushFile(repl, { localPath: request.localPath, remotePath: request.remotePath, signal: turnSignal, onProgress: options.onProgress }),
        replTurn(options.signal),
      );
    },
    async writeDemoFirmware(folder) {
      const path = join(folder, DEMO_FULL_IMAGE_NAME);
      await writeSyntheticFirmware(path, DEMO_FULL_IMAGE);
      return path;
    },
  };
}

/** A full CAT-M1 image of a typical size: sent ON_THE_FLY, like the real thing. */
const DEMO_FULL_IMAGE = { kind: 'full', network: 'CAT-M1', build: 41065, size: 5_835_531 } as const;
const DEMO_FULL_IMAGE_NAME = 'CATM1-41065.dup';
/** The diff from the simulated modem's build: the one the SD card and /flash methods fit best. */
const DEMO_DIFF = { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 1_200_000 } as const;

/**
 * The simulated GPy's SD card: what a user who follows Pycom's SD card method has put on
 * it, the full image and the diff for the simulated modem's build. Made on first use.
 */
const demoSdCard = (() => {
  let card: Record<string, Uint8Array> | undefined;
  return () =>
    (card ??= {
      [DEMO_FULL_IMAGE_NAME]: makeSyntheticFirmware(DEMO_FULL_IMAGE),
      'upgdiff_38638-to-41065.dup': makeSyntheticFirmware(DEMO_DIFF),
    });
})();

interface WrappedEngine extends ModemEngine {
  inner: UpgradeEngine;
  timeouts: UpgradeTimeouts;
  /** The clock the engine's port runs on (below 1: the simulator's). */
  timeScale: number;
}

/** The user's timeouts; with the simulator they follow its clock, down to core's floors. */
function engineTimeouts(options: EngineOptions): UpgradeTimeouts {
  return simulatedClockTimeouts(options.timeouts, options.timeScale);
}

/** The engine takes its timeouts per request; the glue sets them once per engine. */
function wrapEngine(inner: UpgradeEngine, timeouts: UpgradeTimeouts, timeScale: number): WrappedEngine {
  const reach = <T>({ viaBoard, ...request }: ModemReadRequest, signal: AbortSignal, read: (request: PortRequest) => Promise<T>): Promise<T> =>
    viaBoard
      ? withModemViaBoard({ ...request, events: inner.events, replBaudRate: readSettings().replBaudRate }, signal, (modem) => read({ port: modem, timeouts }))
      : read({ ...request, timeouts });
  return {
    inner,
    timeouts,
    timeScale,
    events: inner.events,
    info: (request, signal) => reach(request, signal, (port) => inner.info(port, signal)),
    async infoOnBoard(request, signal) {
      const { read } = await readModemInfoOnBoard({ ...request, events: inner.events, debug: readSettings().updaterDebug, replBaudRate: readSettings().replBaudRate }, signal);
      return { ...(read.info.state !== undefined ? { state: read.info.state } : {}), report: read.info.report, ...(read.failure ? { failure: read.failure } : {}) };
    },
    readCrashDump: (request, signal) => reach(request, signal, (port) => inner.readCrashDump(port, signal)),
  };
}

/** A turn on the board's REPL at the rate the settings name. */
function replTurn(signal: AbortSignal) {
  return { signal, settings: { baudRate: readSettings().replBaudRate, rtscts: false } };
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await openFile(path, 'r');
  try {
    const head = new Uint8Array(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function checkFirmwareFile(path: string): Promise<FirmwareFileCheck> {
  const name = basename(path);
  let sizeBytes: number;
  let head: Uint8Array;
  try {
    sizeBytes = (await stat(path)).size;
    head = await readHead(path);
  } catch (error) {
    const readError = error instanceof Error ? error.message : String(error);
    return {
      path,
      sizeBytes: 0,
      summary: `${name}: cannot be read`,
      problems: [`${name} cannot be read (${readError}).`],
      warnings: [],
      isUpdaterElf: false,
      readError,
    };
  }
  const found = inspectFirmwareFile({ name, size: sizeBytes, head });
  const kind = classifyFirmwareFileName(name);
  const sizeText = `${(sizeBytes / 1e6).toFixed(2)} MB`;
  const what =
    kind.kind === 'full'
      ? `${kind.network} full image, build ${kind.build}${kind.stage ? `, part ${kind.stage}` : ''}`
      : kind.kind === 'diff'
        ? `differential ${kind.fromBuild} → ${kind.toBuild} (applies only to a modem on build ${kind.fromBuild})`
        : kind.kind === 'updater'
          ? 'updater for the recovery bootrom'
          : 'unrecognised name';
  const method = kind.kind === 'updater' ? '' : `, sent ${transferMethodForSize(sizeBytes) === 'on-the-fly' ? 'ON_THE_FLY' : 'with FFF'}`;
  return {
    path,
    sizeBytes,
    summary: `${name} (${sizeText}): ${what}${method}`,
    problems: found.filter((p) => p.severity === 'fail').map((p) => `${p.message} ${p.action}`),
    warnings: found.filter((p) => p.severity === 'warn').map((p) => `${p.message} ${p.action}`),
    isUpdaterElf: kind.kind === 'updater',
    head,
  };
}

