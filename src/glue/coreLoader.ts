import type * as vscode from 'vscode';
import { open as openFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UpgradeEngine, type PortRequest } from '../core/engine/upgradeEngine';
import { resolveTimeouts, scaleTimeouts, type UpgradeTimeouts } from '../core/engine/upgradeTimeouts';
import { classifyFirmwareFileName, inspectFirmwareFile, transferMethodForSize } from '../core/parse/firmwareFile';
import { listSerialPorts } from '../core/transport/portList';
import { SerialPortOpener } from '../core/transport/serialTransport';
import { writeSyntheticFirmware } from '../sim/firmwareImage';
import { runFullUpgrade } from '../core/board/fullUpgrade';
import { identifyBoard } from '../core/board/boardIdentity';
import { pushFile } from '../core/board/boardFiles';
import { readModemInfoOnBoard, withModemViaBoard } from '../core/board/modemViaBoard';
import { createSimulatedGpy, type SimulatedGpy } from '../sim/simulatedGpy';
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
  let simulator: SimulatedGpy | undefined;
  context.subscriptions.push({ dispose: () => void simulator?.stop() });
  // An upgrade (whatever its end) leaves the simulated modem and board where a real
  // one would need unplugging; the next board-half job starts from a power cycle.
  let isSimulatorSpent = false;
  const powerCycleSimulator = async (): Promise<string> => {
    if (simulator) await simulator.powerCycle();
    isSimulatorSpent = false;
    return SIMULATOR_POWER_CYCLED;
  };

  return {
    ...sessionRules,
    async listSerialPorts() {
      const ports = await listSerialPorts();
      return ports.map((p) => ({ path: p.path, description: p.description, board: p.board, isLikelyPycom: p.isLikelyPycom }));
    },
    async openerFor(portPath) {
      if (SIMULATED_PORTS.owns(portPath)) {
        // One simulated board per window, so the REPL terminal and the upgrade see the same one.
        const board = (simulator ??= await createSimulatedGpy({ timeScale: 1 / readSettings().simulatorSpeedUp }));
        return board.registry;
      }
      serial ??= new SerialPortOpener();
      return serial;
    },
    createEngine: (options) => wrapEngine(new UpgradeEngine(), engineTimeouts(options)),
    async runFullUpgrade(request, { engine, signal }) {
      if (SIMULATED_PORTS.owns(request.port.path)) isSimulatorSpent = true;
      return runFullUpgrade(
        {
          ...request,
          timeouts: (engine as WrappedEngine).timeouts,
          updaterDebug: request.updaterDebug ?? readSettings().updaterDebug,
          replBaudRate: readSettings().replBaudRate,
        },
        { engine: (engine as WrappedEngine).inner, signal },
      );
    },
    async readySimulatedBoard(portPath) {
      if (!SIMULATED_PORTS.owns(portPath) || !simulator) return undefined;
      if (!isSimulatorSpent && simulator.board.state === 'repl') return undefined;
      return powerCycleSimulator();
    },
    async powerCycleSimulator(portPath) {
      if (SIMULATED_PORTS.owns(portPath)) simulator ??= await createSimulatedGpy({ timeScale: 1 / readSettings().simulatorSpeedUp });
      return powerCycleSimulator();
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
      const path = join(folder, 'CATM1-41065.dup');
      // A full CAT-M1 image of a typical size: sent ON_THE_FLY, like the real thing.
      await writeSyntheticFirmware(path, { kind: 'full', network: 'CAT-M1', build: 41065, size: 5_835_531 });
      return path;
    },
  };
}

interface WrappedEngine extends ModemEngine {
  inner: UpgradeEngine;
  timeouts: UpgradeTimeouts;
}

/**
 * With the simulator, the engine's waits follow the simulated clock, down to a floor:
 * the host's own work (and a busy machine) does not speed up with it. A wake-up attempt
 * below a few hundred ms would switch baud rates under the modem's reply (it arrives
 * garbled), so it keeps a real-time floor like the deadlines.
 */
const SIMULATED_FLOOR_MS: Partial<Record<keyof UpgradeTimeouts, number>> = {
  pollIntervalMs: 20,
  swbootFallbackDelayMs: 10,
  wakeAttemptMs: 250,
};
const SIMULATED_DEADLINE_FLOOR_MS = 3_000;

function engineTimeouts(options: EngineOptions): UpgradeTimeouts {
  const timeouts = resolveTimeouts(options.timeouts);
  if (options.timeScale >= 1) return timeouts;
  const scaled = scaleTimeouts(timeouts, options.timeScale);
  for (const key of Object.keys(scaled) as (keyof UpgradeTimeouts)[]) {
    const floorMs = SIMULATED_FLOOR_MS[key] ?? SIMULATED_DEADLINE_FLOOR_MS;
    scaled[key] = Math.min(timeouts[key], Math.max(scaled[key], floorMs));
  }
  return scaled;
}

/** The engine takes its timeouts per request; the glue sets them once per engine. */
function wrapEngine(inner: UpgradeEngine, timeouts: UpgradeTimeouts): WrappedEngine {
  const reach = <T>({ viaBoard, ...request }: ModemReadRequest, signal: AbortSignal, read: (request: PortRequest) => Promise<T>): Promise<T> =>
    viaBoard
      ? withModemViaBoard({ ...request, events: inner.events, replBaudRate: readSettings().replBaudRate }, signal, (modem) => read({ port: modem, timeouts }))
      : read({ ...request, timeouts });
  return {
    inner,
    timeouts,
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

