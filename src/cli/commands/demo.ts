import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpgradeEngine } from '../../core/engine/upgradeEngine';
import { simulatedClockTimeouts } from '../../core/engine/upgradeTimeouts';
import { UsageError } from '../../core/errors';
import type { ModemVersionReport } from '../../core/parse/modemVersion';
import { runFullUpgrade, type BoardTimeouts } from '../../core/board/fullUpgrade';
import { makeSyntheticUpdaterElf, writeSyntheticFirmware } from '../../sim/firmwareImage';
import { isSimFault, SIM_FAULTS, type SimFault } from '../../sim/modem/modemFaults';
import { createSimulatedGpy } from '../../sim/simulatedGpy';
import { flagOption, numberOption, parseCommandArgs, stringListOption, stringOption, type ParsedArgs } from '../args';
import { timeScaleOption } from './sim';
import type { CliCommand, CliContext } from '../cliCommand';
import { JSON_OPTION, showEngineEvents } from '../cliSupport';
import { writeJsonLine } from '../renderJson';
import { PortOwner } from '../../core/transport/portOwner';
import { runFleetCommand } from '../fleet/fleetCommand';
import { PortOpenerByPath } from '../../core/transport/portOpenerByPath';
import { BENCH_BUILD_BEFORE, BENCH_OTHER_BUILD_BEFORE, benchModemOptions, benchPortPath } from '../../sim/simulatedBench';

/** Fast enough to finish well under a minute, slow enough to watch the progress. */
const DEFAULT_TIME_SCALE = 0.02;
/** The build the simulated modem runs before, and the one the demo installs. */
const BUILD_BEFORE = BENCH_BUILD_BEFORE;
const BUILD_AFTER = 41065;
/** With --boards, board 2 runs an older build, so the table shows boards that did not start alike. */
const OTHER_BUILD_BEFORE = BENCH_OTHER_BUILD_BEFORE;
const MAX_DEMO_BOARDS = 16;
/** A full CAT-M1 image of a typical size: sent ON_THE_FLY, like the real thing. */
const FULL_IMAGE_BYTES = 5_835_531;
function versionLine(report: ModemVersionReport | undefined): string {
  if (!report) return 'unknown';
  const lr = report.lrVersion ?? report.ati1?.find((l) => l.startsWith('LR')) ?? '';
  return `${lr && !lr.startsWith('LR') ? `LR${lr}` : lr || report.softwareVersion || '?'} (build ${report.softwareBuild ?? '?'}, ${report.kind})`;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Run a whole modem upgrade against a simulated GPy: no hardware, nothing to set up.',
  usage: `Usage: pycom-modem demo [--speed-up N | --time-scale F] [--recovery] [--fault NAME]... [--boards N] [--json]

Creates a simulated GPy (MicroPython board + Sequans modem) in memory and runs the
whole upgrade on it exactly as on a real board: the board's REPL, sqnsupgrade.uart(),
mirror mode on the same port, then the firmware transfer to the modem and the version
report before and after.

Options:
  --speed-up <N>     run N times faster than a real modem (default ${1 / DEFAULT_TIME_SCALE}; 1 = real modem timing,
                     ~minutes), as the VS Code setting pycomModem.simulator.speedUp
  --time-scale <F>   the same as a factor on the modem's time (default ${DEFAULT_TIME_SCALE} = --speed-up ${1 / DEFAULT_TIME_SCALE})
  --recovery         start from a modem in its recovery bootrom (state 0, old 33080 bootrom):
                     updater.elf is copied to the board and the recovery method runs
  --fault <name>     make the simulated modem fail (repeatable): ${SIM_FAULTS.join(', ')};
                     with --boards, --fault 2:<name> makes only board 2's modem fail
  --boards <N>       N simulated GPys (sim:GPy#1 … sim:GPy#N, board 2 on build ${OTHER_BUILD_BEFORE}) upgraded at
                     once as by \`board upgrade --port … --port …\`, then one table
      --max-parallel N, --report FILE.md   as for board upgrade
  --json             one JSON event per line`,
  async run(context) {
    const args = parseCommandArgs('demo', context.argv, {
      ...JSON_OPTION,
      'time-scale': { type: 'string' },
      'speed-up': { type: 'string' },
      recovery: { type: 'boolean' },
      fault: { type: 'string', multiple: true },
      'transcript-dir': { type: 'string' },
      boards: { type: 'string' },
      'max-parallel': { type: 'string' },
      report: { type: 'string' },
    });
    const boardCount = numberOption(args, 'demo', 'boards', { min: 1, max: MAX_DEMO_BOARDS, integer: true });
    if (boardCount !== undefined) return runDemoFleet(context, args, boardCount);
    const timeScale = timeScaleOption(args, 'demo', { min: 0.0001, max: 1 }) ?? DEFAULT_TIME_SCALE;
    const faults: SimFault[] = [];
    for (const name of stringListOption(args, 'fault')) {
      if (!isSimFault(name)) throw new UsageError(`pycom-modem demo: no fault named "${name}".`, `Use one of: ${SIM_FAULTS.join(', ')}.`);
      faults.push(name);
    }
    const isRecovery = flagOption(args, 'recovery');
    const json = flagOption(args, 'json');
    const say = (text: string) => {
      if (!json) context.stdout.write(`${text}\n`);
    };

    const dir = mkdtempSync(join(tmpdir(), 'pycom-modem-demo-'));
    say(`Simulated GPy: Pycom firmware 1.20.2.r6, modem on build ${BUILD_BEFORE}${isRecovery ? ' in its recovery bootrom' : ''}` +
      `${faults.length ? `, faults: ${faults.join(', ')}` : ''}; time scale ${timeScale}.`);
    const gpy = await createSimulatedGpy({
      timeScale,
      // The board's line runs a little slower than the modem's so the REPL half stays readable.
      board: { timeScale: Math.max(timeScale, 0.005) },
      modem: {
        build: BUILD_BEFORE,
        ...(isRecovery ? { state: 0 as const, hasOldBootrom: true } : {}),
        ...(faults.length ? { faults } : {}),
      },
    });
    const engine = new UpgradeEngine();
    const detach = showEngineEvents(engine, context, { json });
    try {
      const { firmware, updaterPath } = await writeDemoFiles(dir, isRecovery);
      const boardTimeouts: Partial<BoardTimeouts> = { triggerMs: Math.max(30_000, 300_000 * timeScale) };
      const transcriptDir = stringOption(args, 'transcript-dir');
      const startedMs = performance.now();
      const outcome = await runFullUpgrade(
        {
          port: new PortOwner(gpy.registry, gpy.portPath),
          files: [firmware],
          ...(updaterPath ? { updaterPath } : {}),
          timeouts: simulatedClockTimeouts(undefined, timeScale),
          boardTimeouts,
          ...(transcriptDir ? { transcriptDir } : {}),
        },
        { engine, signal: context.signal },
      );
      const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
      if (json) {
        writeJsonLine(context.stdout, { kind: 'demoSummary', outcome: outcome.outcome, before: outcome.before, after: outcome.after, seconds: Number(seconds) });
      } else {
        say('');
        say(`Demo ${outcome.outcome === 'success' ? 'finished' : outcome.outcome} in ${seconds} s.`);
        say(`  Modem before: ${versionLine(outcome.before)}`);
        say(`  Modem after:  ${versionLine(outcome.after)}`);
      }
      return outcome.outcome === 'success' ? 0 : 1;
    } finally {
      detach();
      await gpy.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** A distinct, well-formed IMEI per simulated board (14 digits and the Luhn check digit). */
/** The demo's files: the full image, and updater.elf when the modem sits in its recovery bootrom. */
async function writeDemoFiles(dir: string, isRecovery: boolean): Promise<{ firmware: string; updaterPath?: string }> {
  const firmware = join(dir, `CATM1-${BUILD_AFTER}.dup`);
  await writeSyntheticFirmware(firmware, { kind: 'full', network: 'CAT-M1', build: BUILD_AFTER, size: FULL_IMAGE_BYTES });
  if (!isRecovery) return { firmware };
  const updaterPath = join(dir, 'updater.elf');
  writeFileSync(updaterPath, makeSyntheticUpdaterElf());
  return { firmware, updaterPath };
}

/** `--fault NAME` strikes every board; `--fault 2:NAME` board 2 only. */
function demoFaultsByBoard(args: ParsedArgs, boardCount: number): SimFault[][] {
  const faults: SimFault[][] = Array.from({ length: boardCount }, () => []);
  for (const text of stringListOption(args, 'fault')) {
    const match = /^(?:(\d+):)?(.+)$/.exec(text)!;
    const name = match[2]!;
    const board = match[1] === undefined ? undefined : Number(match[1]);
    if (!isSimFault(name)) throw new UsageError(`pycom-modem demo: no fault named "${name}".`, `Use one of: ${SIM_FAULTS.join(', ')}.`);
    if (board !== undefined && (board < 1 || board > boardCount)) {
      throw new UsageError(`pycom-modem demo: --fault ${text} names board ${board}, but there are ${boardCount}.`, `Number the boards 1 to ${boardCount}.`);
    }
    for (let i = 0; i < boardCount; i++) if (board === undefined || board === i + 1) faults[i]!.push(name);
  }
  return faults;
}

/** Several simulated GPys, each with its own modem, upgraded as a fleet through their own ports. */
async function runDemoFleet(context: CliContext, args: ParsedArgs, boardCount: number): Promise<number> {
  const timeScale = timeScaleOption(args, 'demo', { min: 0.0001, max: 1 }) ?? DEFAULT_TIME_SCALE;
  const faultsByBoard = demoFaultsByBoard(args, boardCount);
  const isRecovery = flagOption(args, 'recovery');
  const json = flagOption(args, 'json');
  const dir = mkdtempSync(join(tmpdir(), 'pycom-modem-demo-'));
  const gpys: Awaited<ReturnType<typeof createSimulatedGpy>>[] = [];
  try {
    const opener = new PortOpenerByPath();
    for (let i = 0; i < boardCount; i++) {
      const faults = faultsByBoard[i]!;
      const gpy = await createSimulatedGpy({
        portPath: benchPortPath(i),
        timeScale,
        board: { timeScale: Math.max(timeScale, 0.005) },
        modem: {
          ...benchModemOptions(i),
          ...(isRecovery ? { state: 0 as const, hasOldBootrom: true } : {}),
          ...(faults.length ? { faults } : {}),
        },
      });
      gpys.push(gpy);
      opener.add(gpy.portPath, gpy.registry);
    }
    if (!json) {
      context.stdout.write(
        `${boardCount} simulated GPys (${gpys.map((g) => g.portPath).join(', ')}): modems on build ${BUILD_BEFORE}` +
          `${boardCount > 1 ? ` (board 2 on ${OTHER_BUILD_BEFORE})` : ''}; time scale ${timeScale}.\n`,
      );
    }
    const { firmware, updaterPath } = await writeDemoFiles(dir, isRecovery);
    const transcriptDir = stringOption(args, 'transcript-dir');
    return await runFleetCommand(args, context, {
      files: [firmware],
      portPaths: gpys.map((g) => g.portPath),
      opener,
      request: {
        files: [firmware],
        ...(updaterPath ? { updaterPath } : {}),
        timeouts: simulatedClockTimeouts(undefined, timeScale),
        boardTimeouts: { triggerMs: Math.max(30_000, 300_000 * timeScale) },
        ...(transcriptDir ? { transcriptDir } : {}),
      },
    });
  } finally {
    for (const gpy of gpys) await gpy.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
