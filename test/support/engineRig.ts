// A simulated modem behind a memory link, an engine that opens the host end, and a
// power cycle that brings the modem back in the state the last run left it in: what the
// engine and CLI tests, a fault-matrix row and its re-run need. The one knob that differs
// between them is the timeout table (and whether runs keep transcripts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpgradeEngine, type UpgradeOutcome, type UpgradeRequest } from '../../src/core/engine/upgradeEngine';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import type { UpgradeTimeouts } from '../../src/core/engine/upgradeTimeouts';
import type { ByteTransport, PortOpener } from '../../src/core/transport/byteTransport';
import { MemoryLink, MemoryPortRegistry } from '../../src/core/transport/memoryLink';
import { PortOwner } from '../../src/core/transport/portOwner';
import { makeSyntheticUpdaterElf, writeSyntheticFirmware, type SyntheticFirmwareOptions } from '../../src/sim/firmwareImage';
import { SimulatedModem, type SimulatedModemOptions } from '../../src/sim/modem/simulatedModem';
import { CONFIRM_ALL } from './confirmAll';

/** The simulator runs 1000× faster than a modem; the engine's waits shrink to match, with room for a busy CI machine. */
export const SIM_TIME_SCALE = 0.001;

/** The engine tests' bounds. */
export const TEST_TIMEOUTS: UpgradeTimeouts = {
  atReplyMs: 2_000,
  wakeupMs: 3_000,
  updaterLoadMs: 10_000,
  stpRequestMs: 2_000,
  applyMs: 10_000,
  rebootMs: 10_000,
  pollIntervalMs: 20,
  wakeAttemptMs: 100,
  swbootFallbackDelayMs: 10,
  crashDumpMs: 2_000,
  // The old shared budgets, so the fault tests keep their pace.
  postTransferWakeMs: 10_000,
  bootCheckMs: 10_000,
  stpSilenceMs: 8_000,
  waitReportIntervalMs: 10_000,
};

/**
 * The engine's bounds for the reliability matrix: short enough that a failing row costs
 * about a second, long enough for a loaded 2-core machine. Each row's "just inside / just
 * outside" delays are computed from these.
 */
export const MATRIX_TIMEOUTS: UpgradeTimeouts = {
  atReplyMs: 700,
  wakeupMs: 1_500,
  updaterLoadMs: 5_000,
  stpRequestMs: 500,
  applyMs: 5_000,
  rebootMs: 5_000,
  pollIntervalMs: 20,
  wakeAttemptMs: 150,
  swbootFallbackDelayMs: 10,
  crashDumpMs: 1_000,
  // The wake after the transfer has its own budget before the apply polling starts; the
  // matrix keeps it at the apply budget instead of the published 7×, so a silent row costs seconds.
  postTransferWakeMs: 5_000,
};

export const PORT = 'sim:modem';
export const MiB = 1024 * 1024;

export interface EngineRigOptions {
  /** Every request's timeouts; TEST_TIMEOUTS unless told. */
  timeouts?: UpgradeTimeouts;
  /** Requests name `rig.transcriptDir`, so each run leaves a transcript there. */
  keepsTranscripts?: boolean;
}

/** A matrix row's rig: the matrix bounds, and a transcript per run for the failure report. */
export const MATRIX_RIG: EngineRigOptions = { timeouts: MATRIX_TIMEOUTS, keepsTranscripts: true };

export interface EngineRig {
  readonly portPath: string;
  readonly link: MemoryLink;
  readonly registry: MemoryPortRegistry;
  readonly engine: UpgradeEngine;
  /** Every event of every run on this rig, in order. */
  readonly events: UpgradeEvent[];
  readonly dir: string;
  readonly transcriptDir: string;
  /** The modem now on the line (a power cycle replaces it). */
  modem: SimulatedModem;
  request(files: string[], extra?: Partial<UpgradeRequest>): UpgradeRequest;
  upgrade(files: string[], extra?: Partial<UpgradeRequest>, signal?: AbortSignal): Promise<UpgradeOutcome>;
  firmware(name: string, options: SyntheticFirmwareOptions): Promise<string>;
  updater(): string;
  /**
   * What the tool tells the user after an interruption: unplug the board and plug it back.
   * The host handle vanishes; a healthy modem (no faults) comes up where the old one left
   * off (state 4, 0 or 2), or as `replacement` says (a modem reflashed to its old build).
   */
  powerCycle(replacement?: SimulatedModemOptions): Promise<SimulatedModem>;
  close(): Promise<void>;
}

/** A simulated modem on the device end of a memory link, an engine that opens the host end. */
export function engineRig(options: SimulatedModemOptions = {}, rigOptions: EngineRigOptions = {}): EngineRig {
  const { timeouts = TEST_TIMEOUTS, keepsTranscripts = false } = rigOptions;
  const portPath = PORT;
  const dir = mkdtempSync(join(tmpdir(), 'engine-'));
  const transcriptDir = join(dir, 'transcripts');
  const registry = new MemoryPortRegistry();
  const link = registry.add(new MemoryLink(portPath, { baudRate: 921_600 }));
  const base: SimulatedModemOptions = {
    timeScale: SIM_TIME_SCALE,
    keepImageBytes: true,
    unplug: () => link.unplug(),
  };
  let device: ByteTransport = link.open('device', { baudRate: 921_600 });
  const engine = new UpgradeEngine();
  const events: UpgradeEvent[] = [];
  engine.events.on((e) => events.push(e));
  const rig: EngineRig = {
    portPath,
    link,
    registry,
    engine,
    events,
    dir,
    transcriptDir,
    modem: new SimulatedModem(device, { ...base, ...options }),
    // Small synthetic files stand for real ones: their size warnings are confirmed, as a user would with --yes.
    request: (files, extra = {}) => ({
      port: new PortOwner(registry, portPath),
      files,
      timeouts,
      ...(keepsTranscripts ? { transcriptDir } : {}),
      confirm: CONFIRM_ALL,
      ...extra,
    }),
    upgrade: (files, extra, signal) => engine.upgrade(rig.request(files, extra), signal),
    async firmware(name, firmwareOptions) {
      const path = join(dir, name);
      await writeSyntheticFirmware(path, firmwareOptions);
      return path;
    },
    updater() {
      const path = join(dir, 'updater.elf');
      writeFileSync(path, makeSyntheticUpdaterElf());
      return path;
    },
    async powerCycle(replacement = {}) {
      const old = rig.modem;
      link.unplug();
      await old.stop();
      await device.close().catch(() => undefined);
      link.replug();
      device = link.open('device', { baudRate: 921_600 });
      rig.modem = new SimulatedModem(device, {
        ...base,
        state: old.stateAfterPowerCycle,
        build: old.build,
        hasOldBootrom: old.hasOldBootrom,
        ...(options.network ? { network: options.network } : {}),
        ...replacement,
      });
      rig.modem.start();
      return rig.modem;
    },
    async close() {
      await rig.modem.stop();
      await device.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  rig.modem.start();
  return rig;
}

export function fileBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

export function stepsOf(events: UpgradeEvent[], phase: 'start' | 'done' | 'fail' = 'done'): string[] {
  return events.flatMap((e) => (e.kind === 'step' && e.phase === phase ? [e.step] : []));
}

export function atCommandsOf(events: UpgradeEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'at' ? [e.command] : []));
}

/**
 * An opener over `registry` whose ports abort `controller` once more than `bytes` have been
 * sent: a user pressing Ctrl-C with the transfer under way, at a point the test controls.
 */
export function abortAfterSending(registry: MemoryPortRegistry, bytes: number, controller: AbortController): PortOpener {
  return {
    async open(...args: Parameters<MemoryPortRegistry['open']>) {
      const io = await registry.open(...args);
      let sentBytes = 0;
      io.onTap((tap) => {
        if (tap.direction === 'tx' && (sentBytes += tap.bytes.length) > bytes) controller.abort(new Error('Ctrl-C'));
      });
      return io;
    },
  };
}
