// A simulated modem behind a memory link, an engine that opens the host end, and a
// power cycle that brings the modem back in the state the last run left it in: what a
// fault-matrix row and its re-run need.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpgradeEngine, type UpgradeOutcome, type UpgradeRequest } from '../../src/core/engine/upgradeEngine';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import type { UpgradeTimeouts } from '../../src/core/engine/upgradeTimeouts';
import type { ByteTransport } from '../../src/core/transport/byteTransport';
import { MemoryLink, MemoryPortRegistry } from '../../src/core/transport/memoryLink';
import { makeSyntheticUpdaterElf, writeSyntheticFirmware, type SyntheticFirmwareOptions } from '../../src/sim/firmwareImage';
import { SimulatedModem, type SimulatedModemOptions } from '../../src/sim/modem/simulatedModem';
import { CONFIRM_ALL } from '../support/confirmAll';
import { PortOwner } from '../../src/core/transport/portOwner';

/** The simulated modem runs 1000× faster than a real one. */
export const RELIABILITY_TIME_SCALE = 0.001;

/**
 * The engine's bounds for the matrix: short enough that a failing row costs about a
 * second, long enough for a loaded 2-core machine. Each row's "just inside / just
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
};

export const MiB = 1024 * 1024;
let rigCount = 0;

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
   * USB out and back in: the host handle vanishes; a healthy modem (no faults) comes up
   * where the old one left off, or as `replacement` says (a modem reflashed to its old build).
   */
  powerCycle(replacement?: SimulatedModemOptions): Promise<void>;
  transcripts(): string[];
  close(): Promise<void>;
}

export function engineRig(options: SimulatedModemOptions = {}, timeouts: UpgradeTimeouts = MATRIX_TIMEOUTS): EngineRig {
  const portPath = `sim:rel${rigCount++}`;
  const dir = mkdtempSync(join(tmpdir(), 'reliability-'));
  const transcriptDir = join(dir, 'transcripts');
  const registry = new MemoryPortRegistry();
  const link = registry.add(new MemoryLink(portPath, { baudRate: 921_600 }));
  const base: SimulatedModemOptions = {
    timeScale: RELIABILITY_TIME_SCALE,
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
    request: (files, extra = {}) => ({ port: new PortOwner(registry, portPath), files, timeouts, transcriptDir, confirm: CONFIRM_ALL, ...extra }),
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
    },
    transcripts() {
      try {
        return readdirSync(transcriptDir)
          .filter((name) => name.endsWith('.log'))
          .sort()
          .map((name) => join(transcriptDir, name));
      } catch {
        return [];
      }
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
