import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpgradeEngine, type UpgradeRequest } from '../../src/core/engine/upgradeEngine';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import type { UpgradeTimeouts } from '../../src/core/engine/upgradeTimeouts';
import { MemoryLink, MemoryPortRegistry } from '../../src/core/transport/memoryLink';
import type { PortOpener } from '../../src/core/transport/byteTransport';
import { makeSyntheticUpdaterElf, writeSyntheticFirmware, type SyntheticFirmwareOptions } from '../../src/sim/firmwareImage';
import { SimulatedModem, type SimulatedModemOptions } from '../../src/sim/modem/simulatedModem';
import { writeFileSync } from 'node:fs';
import { CONFIRM_ALL } from '../support/confirmAll';
import { PortOwner } from '../../src/core/transport/portOwner';

/** The simulator runs 1000× faster than a modem; the engine's waits shrink to match, with room for a busy CI machine. */
export const SIM_TIME_SCALE = 0.001;

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

export const PORT = 'sim:modem';
export const MiB = 1024 * 1024;

export interface SimRig {
  engine: UpgradeEngine;
  modem: SimulatedModem;
  link: MemoryLink;
  registry: MemoryPortRegistry;
  events: UpgradeEvent[];
  dir: string;
  request(files: string[], extra?: Partial<UpgradeRequest>): UpgradeRequest;
  firmware(name: string, options: SyntheticFirmwareOptions): Promise<string>;
  updater(): string;
  /**
   * What the tool tells the user after an interruption: unplug the board and plug it back.
   * The modem comes back in the state it would after a power cycle (4, 0 or 2), without
   * the faults of the first run; `rig.modem` is the new one.
   */
  powerCycle(): Promise<SimulatedModem>;
  close(): Promise<void>;
}

/** A simulated modem on the device end of a memory link, an engine that opens the host end. */
export function simRig(options: SimulatedModemOptions = {}): SimRig {
  const dir = mkdtempSync(join(tmpdir(), 'engine-'));
  const registry = new MemoryPortRegistry();
  const link = registry.add(new MemoryLink(PORT, { baudRate: 921_600 }));
  let device = link.open('device', { baudRate: 921_600 });
  const modem = new SimulatedModem(device, {
    timeScale: SIM_TIME_SCALE,
    keepImageBytes: true,
    unplug: () => link.unplug(),
    ...options,
  });
  modem.start();
  const engine = new UpgradeEngine();
  const events: UpgradeEvent[] = [];
  engine.events.on((e) => events.push(e));
  const rig: SimRig = {
    engine,
    modem,
    link,
    registry,
    events,
    dir,
    // Small synthetic files stand for real ones: their size warnings are confirmed, as a user would with --yes.
    request: (files, extra = {}) => ({ port: new PortOwner(registry, PORT), files, timeouts: TEST_TIMEOUTS, confirm: CONFIRM_ALL, ...extra }),
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
    async powerCycle() {
      const state = rig.modem.stateAfterPowerCycle;
      const build = rig.modem.build;
      await rig.modem.stop();
      await device.close();
      device = link.open('device', { baudRate: 921_600 });
      const { faults: _faults, state: _state, build: _build, ...rest } = options;
      rig.modem = new SimulatedModem(device, { timeScale: SIM_TIME_SCALE, keepImageBytes: true, unplug: () => link.unplug(), ...rest, state: state as 0 | 2 | 4, build });
      rig.modem.start();
      return rig.modem;
    },
    async close() {
      await rig.modem.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
