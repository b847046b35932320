// The board half of the fault matrix: a whole simulated GPy (MicroPython board + modem)
// and runFullUpgrade, with faults at the board's steps — the REPL, the push of
// updater.elf, the trigger, the hand-over to mirror mode — where the harness pulls the
// cable, or the modem is silent to the board's own AT wake-up, or the board is still in
// mirror mode from an earlier attempt.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFullUpgrade, type FullUpgradeRequest } from '../../src/core/board/fullUpgrade';
import { UpgradeEngine, type UpgradeOutcome } from '../../src/core/engine/upgradeEngine';
import type { StepId, UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { makeSyntheticUpdaterElf, writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import type { SimulatedModemOptions } from '../../src/sim/modem/simulatedModem';
import { createSimulatedGpy, type SimulatedGpy } from '../../src/sim/simulatedGpy';
import { MATRIX_TIMEOUTS, SIM_TIME_SCALE } from '../support/engineRig';
import type { Expectation, MatrixFault } from './faultMatrix';
import { FROM_BUILD, TARGET_BUILD, transcriptProblems, type RowResult } from './rowRunner';
import { CONFIRM_ALL } from '../support/confirmAll';
import { PortOwner } from '../../src/core/transport/portOwner';

/** The board's line runs slower than the modem's so the MicroPython REPL keeps up. */
const BOARD_TIME_SCALE = 0.005;
const BOARD_TIMEOUTS = { replyMs: 1_500, triggerMs: 10_000 };
/** Booting MicroPython (wasm) and a run of the board half, with room for a loaded machine. */
const BOARD_RUN_BOUND_MS = 30_000;

export interface BoardRow {
  id: string;
  step: StepId;
  label: string;
  fault: MatrixFault;
  expect: Expectation;
  /** Recovery (FFH) method with updater.elf: the push-files step runs. */
  isFfh?: boolean;
  modem?: Omit<SimulatedModemOptions, 'unplug'>;
  /** Pulls the cable at the first event this returns true for. */
  unplugWhen?: (event: UpgradeEvent) => boolean;
  /** A first attempt that leaves the board in mirror mode, not power-cycled, before the row's run. */
  isAfterMirrorFailure?: boolean;
  isInSubset: boolean;
  todo?: string;
}

export const BOARD_ROWS: BoardRow[] = [
  {
    id: 'board/board-connect/REPL of a board still in mirror mode/silence',
    step: 'board-connect',
    label: 'REPL of a board still in mirror mode',
    fault: 'silence',
    expect: { outcome: 'failed', step: 'board-connect', why: 'bytes go to the modem: no raw REPL; a power cycle ends mirror mode' },
    modem: { faultPlan: { strikes: [{ point: { at: 'command', command: 'AT' }, effect: 'silent' }] } },
    isAfterMirrorFailure: true,
    isInSubset: false,
  },
  {
    id: 'board/push-files/updater.elf at a third/unplug',
    step: 'push-files',
    label: 'updater.elf at a third',
    fault: 'unplug',
    expect: { outcome: 'failed', step: 'push-files', why: 'the port vanishes mid-push; the old file stays until the verified copy replaces it' },
    isFfh: true,
    unplugWhen: (e) => e.kind === 'progress' && e.step === 'push-files' && e.bytesDone > e.bytesTotal / 3,
    isInSubset: false,
  },
  {
    id: 'board/trigger/first updater line/unplug',
    step: 'trigger',
    label: 'first updater line',
    fault: 'unplug',
    expect: { outcome: 'failed', step: 'trigger', why: 'the port vanishes while the updater prints' },
    unplugWhen: (e) => e.kind === 'boardOutput',
    isInSubset: false,
  },
  {
    id: "board/trigger/the board's AT wake-up/silence",
    step: 'trigger',
    label: "the board's AT wake-up",
    fault: 'silence',
    expect: { outcome: 'failed', step: 'trigger', why: 'the firmware updater gives up on a silent modem before mirroring' },
    modem: { faults: ['silent'] },
    isInSubset: true,
  },
  {
    id: 'board/mirror-handover/first AT through the mirror/silence',
    step: 'detect',
    label: 'first AT through the mirror',
    fault: 'silence',
    expect: { outcome: 'failed', step: 'detect', why: 'the modem is silent behind the mirror; board and modem need a power cycle' },
    modem: { faultPlan: { strikes: [{ point: { at: 'command', command: 'AT' }, effect: 'silent' }] } },
    isInSubset: false,
  },
];

export async function runBoardRow(row: BoardRow): Promise<RowResult> {
  const dir = mkdtempSync(join(tmpdir(), 'reliability-board-'));
  const gpy: SimulatedGpy = await createSimulatedGpy({
    portPath: `sim:${row.id.replace(/[^a-z0-9]+/gi, '-')}`,
    timeScale: SIM_TIME_SCALE,
    board: { timeScale: BOARD_TIME_SCALE },
    modem: { timeScale: SIM_TIME_SCALE, keepImageBytes: true, build: FROM_BUILD, ...row.modem },
  });
  try {
    const full = join(dir, `CATM1-${TARGET_BUILD}.dup`);
    await writeSyntheticFirmware(full, { kind: 'full', network: 'CAT-M1', build: TARGET_BUILD, size: 40_000 });
    const diff = join(dir, `upgdiff_${FROM_BUILD}-to-${TARGET_BUILD}.dup`);
    await writeSyntheticFirmware(diff, { kind: 'diff', network: 'CAT-M1', fromBuild: FROM_BUILD, build: TARGET_BUILD, size: 20_000 });
    const updaterPath = join(dir, 'updater.elf');
    writeFileSync(updaterPath, makeSyntheticUpdaterElf());
    const request: FullUpgradeRequest = {
      port: new PortOwner(gpy.registry, gpy.portPath),
      // updater.elf goes with a full image only (a diff with it is refused before the port opens).
      files: [row.isFfh ? full : diff],
      transcriptDir: join(dir, 'transcripts'),
      timeouts: MATRIX_TIMEOUTS,
      boardTimeouts: BOARD_TIMEOUTS,
      // The matrix's small files stand for real ones: their size warnings are confirmed.
      confirm: CONFIRM_ALL,
      ...(row.isFfh ? { updaterPath, ffh: true } : {}),
    };
    const run = async (unplugWhen?: (event: UpgradeEvent) => boolean): Promise<UpgradeOutcome> => {
      const engine = new UpgradeEngine();
      let hasPulled = false;
      engine.events.on((event) => {
        if (!hasPulled && unplugWhen?.(event)) {
          hasPulled = true;
          gpy.boardLink.unplug();
        }
      });
      return runFullUpgrade(request, { engine });
    };

    if (row.isAfterMirrorFailure) {
      const first = await run();
      if (first.outcome !== 'failed' || gpy.board.state !== 'mirror') throw new Error(`set-up: expected a failure in mirror mode, got ${first.outcome} with the board ${gpy.board.state}`);
    }
    const started = performance.now();
    const outcome = await run(row.unplugWhen);
    const elapsedMs = performance.now() - started;
    const problems: string[] = [];
    if (elapsedMs > BOARD_RUN_BOUND_MS) problems.push(`took ${Math.round(elapsedMs)} ms, over its bound of ${BOARD_RUN_BOUND_MS} ms`);
    if (gpy.boardLink.isOpen('host')) problems.push('the port is still open after the run');
    if (outcome.outcome !== row.expect.outcome) problems.push(`ended ${outcome.outcome} (${outcome.error?.code} in ${outcome.error?.step}), expected ${row.expect.outcome}`);
    if (row.expect.outcome === 'failed') {
      if (outcome.error?.step !== row.expect.step) problems.push(`the error names step ${outcome.error?.step ?? '(none)'}, expected ${row.expect.step}`);
      if (!outcome.error?.action) problems.push('the error has no action');
      if (gpy.board.state === 'mirror' && !/power-cycle|unplug/i.test(`${outcome.resumeHint} ${outcome.error?.action}`)) {
        problems.push(`the board is left in mirror mode but neither the resume hint nor the action says to power-cycle it: ${outcome.resumeHint}`);
      }
      if (gpy.board.state === 'mirror' && /any time/i.test(outcome.resumeHint ?? '')) {
        problems.push(`the board is left in mirror mode but the resume hint says to run again at any time: ${outcome.resumeHint}`);
      }
    }
    problems.push(...transcriptProblems(outcome.transcriptPath, outcome, row.expect.outcome === 'failed' ? row.expect.step : undefined));
    if (outcome.transcriptPath && existsSync(outcome.transcriptPath) && !readFileSync(outcome.transcriptPath, 'utf8').includes('STEP board-connect')) {
      problems.push('the transcript has no board steps');
    }

    // The user unplugs the board and plugs it back; the fault is gone.
    await gpy.powerCycle({ modem: { faults: [], faultPlan: { strikes: [] } } });
    const rerunStarted = performance.now();
    const again = await run();
    const rerunMs = performance.now() - rerunStarted;
    const rerun = again.outcome === 'success' ? 'ok' : `${again.outcome}: ${again.error?.code} in ${again.error?.step}: ${again.error?.message}`;
    if (again.outcome !== 'success') problems.push(`re-run: ${rerun}`);
    else if (gpy.modem.build !== TARGET_BUILD) problems.push(`re-run: the modem runs build ${gpy.modem.build}`);
    return {
      outcome: outcome.outcome,
      elapsedMs,
      boundMs: BOARD_RUN_BOUND_MS,
      ...(outcome.error?.step ? { errorStep: outcome.error.step } : {}),
      ...(outcome.error?.code ? { errorCode: outcome.error.code } : {}),
      rerun,
      rerunMs,
      hasCrashDump: outcome.crashDump !== undefined,
      problems,
    };
  } finally {
    await gpy.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
