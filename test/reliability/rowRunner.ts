// Runs one fault-matrix row: a fresh simulated modem with the row's strike, one upgrade,
// the checks of issue 10 (deadline, port, step + action, transcript, re-run), and a
// result line for the table.
import { existsSync, readFileSync } from 'node:fs';
import type { UpgradeOutcome } from '../../src/core/engine/upgradeEngine';
import type { StepId, UpgradePath } from '../../src/core/engine/upgradeEvents';
import { resolveTimeouts, type UpgradeTimeouts } from '../../src/core/engine/upgradeTimeouts';
import type { SimulatedModemOptions } from '../../src/sim/modem/simulatedModem';
import { engineRig, fileBytes, MATRIX_RIG, MATRIX_TIMEOUTS, MiB, type EngineRig } from '../support/engineRig';
import type { MatrixRow } from './faultMatrix';
import { PortOwner } from '../../src/core/transport/portOwner';

export const FROM_BUILD = 38638;
export const TARGET_BUILD = 41065;
/** About ten STP blocks: cheap, yet room for a fault at block 5. */
const DIFF_BYTES = 20_000;
/** ON_THE_FLY is chosen by size alone: just over 4 MiB. */
const FULL_BYTES = 4 * MiB + 4_001;

export interface RowResult {
  outcome: UpgradeOutcome['outcome'];
  elapsedMs: number;
  boundMs: number;
  errorStep?: StepId;
  errorCode?: string;
  /** What the re-run after a power cycle did: 'ok', 'already new' (nothing left to do), or a failure text. */
  rerun: string;
  rerunMs?: number;
  hasCrashDump: boolean;
  /** Every check that did not hold, in words; empty = the row passes. */
  problems: string[];
}

const MODEM_AT_START: Record<UpgradePath, SimulatedModemOptions> = {
  fff: { state: 2, build: FROM_BUILD },
  'on-the-fly': { state: 2, build: FROM_BUILD },
  recovery: { state: 0, build: FROM_BUILD, hasOldBootrom: true },
  resume: { state: 4, build: FROM_BUILD },
};

/** A happy run of each path on a loaded 2-core machine, with room to spare. */
const PATH_BASE_MS: Record<UpgradePath, number> = {
  fff: 4_000,
  'on-the-fly': 15_000,
  recovery: 20_000,
  resume: 15_000,
};

/** The longest wait a fault in this step can cost before the step gives up. */
export function stepBudgetMs(step: StepId, t: UpgradeTimeouts): number {
  switch (step) {
    case 'detect':
      return t.wakeupMs + 3 * t.atReplyMs;
    case 'prepare':
      return t.wakeupMs + t.atReplyMs;
    case 'recovery-boot':
      return t.rebootMs + t.atReplyMs;
    case 'load-updater':
      return t.updaterLoadMs + 4 * t.stpRequestMs;
    case 'transfer':
      return 3 * t.atReplyMs + 4 * t.stpRequestMs * 2;
    case 'await-upgrade':
      // The wake after the transfer, then the apply polling: two budgets one after the other.
      return resolveTimeouts(t).postTransferWakeMs + t.applyMs + t.atReplyMs;
    case 'boot-check':
    case 'boot-app':
      return t.rebootMs + t.wakeupMs + t.atReplyMs;
    default:
      return 2 * t.atReplyMs;
  }
}

export function rowBoundMs(row: MatrixRow, t: UpgradeTimeouts = MATRIX_TIMEOUTS): number {
  // After a failure the engine spends up to two crash-dump budgets on the state and the dump.
  return PATH_BASE_MS[row.path] + stepBudgetMs(row.point.step, t) + 2 * t.crashDumpMs + (row.strike.delayMs ?? 0);
}

export interface PathFiles {
  files: string[];
  updaterPath?: string;
}

export async function filesFor(rig: EngineRig, path: UpgradePath): Promise<PathFiles> {
  if (path === 'fff') {
    return {
      files: [
        await rig.firmware(`upgdiff_${FROM_BUILD}-to-${TARGET_BUILD}.dup`, {
          kind: 'diff',
          network: 'CAT-M1',
          fromBuild: FROM_BUILD,
          build: TARGET_BUILD,
          size: DIFF_BYTES,
        }),
      ],
    };
  }
  const full = await rig.firmware(`CATM1-${TARGET_BUILD}.dup`, { kind: 'full', network: 'CAT-M1', build: TARGET_BUILD, size: FULL_BYTES });
  return path === 'recovery' ? { files: [full], updaterPath: rig.updater() } : { files: [full] };
}

export function modemOptionsFor(path: UpgradePath): SimulatedModemOptions {
  return MODEM_AT_START[path];
}

/** The transcript holds the failing step, the error, and ends with the result block. */
export function transcriptProblems(path: string | undefined, outcome: UpgradeOutcome, expectedStep?: StepId): string[] {
  if (!path) return ['no transcript path in the outcome'];
  if (!existsSync(path)) return [`transcript ${path} is not on disk`];
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const problems: string[] = [];
  const lastIndex = (pattern: RegExp) => lines.reduce((found, line, index) => (pattern.test(line) ? index : found), -1);
  const lastStep = lastIndex(/ STEP /);
  const resultAt = lastIndex(/ RESULT /);
  if (resultAt < 0 || resultAt < lastStep) problems.push('the transcript has no RESULT line after its last step');
  if (!/ (RESULT|ERROR|ACTION|RESUME) /.test(lines.at(-1) ?? '')) problems.push(`the transcript's last line is not the result: ${lines.at(-1)}`);
  if (!lines[resultAt]?.includes(`RESULT ${outcome.outcome}`)) problems.push(`the RESULT line does not say ${outcome.outcome}`);
  if (expectedStep && outcome.outcome !== 'success') {
    if (!lines.some((l) => l.includes(`STEP ${expectedStep} fail`))) problems.push(`the transcript does not show STEP ${expectedStep} fail`);
    if (!lines.some((l) => / ERROR /.test(l) && l.includes(` in ${expectedStep}:`))) problems.push(`the transcript's ERROR line does not name ${expectedStep}`);
  }
  return problems;
}

export async function runRow(row: MatrixRow, timeouts: UpgradeTimeouts = MATRIX_TIMEOUTS): Promise<RowResult> {
  const rig = engineRig({ ...modemOptionsFor(row.path), faultPlan: { strikes: [row.strike] } }, { ...MATRIX_RIG, timeouts });
  try {
    const { files, updaterPath } = await filesFor(rig, row.path);
    const extra = updaterPath ? { updaterPath } : {};
    const started = performance.now();
    const outcome = await rig.upgrade(files, extra);
    const elapsedMs = performance.now() - started;
    const boundMs = rowBoundMs(row, timeouts);
    const problems: string[] = [];
    const expect = row.expect;

    if (elapsedMs > boundMs) problems.push(`took ${Math.round(elapsedMs)} ms, over its bound of ${boundMs} ms`);
    if (rig.link.isOpen('host')) problems.push('the port is still open after the run');
    if (outcome.outcome !== expect.outcome) {
      problems.push(`ended ${outcome.outcome}${outcome.error ? ` (${outcome.error.code} in ${outcome.error.step ?? 'no step'}: ${outcome.error.message})` : ''}, expected ${expect.outcome}`);
    }
    if (expect.outcome === 'success' && outcome.outcome === 'success') {
      const stored = rig.modem.stored.at(-1);
      const sent = fileBytes(files.at(-1)!);
      if (!stored?.bytes || Buffer.compare(Buffer.from(stored.bytes), Buffer.from(sent)) !== 0) problems.push('the stored image differs from the file');
    }
    if (expect.outcome === 'failed' && outcome.outcome === 'failed') {
      if (outcome.error?.step !== expect.step) problems.push(`the error names step ${outcome.error?.step ?? '(none)'}, expected ${expect.step}`);
      if (!outcome.error?.action || outcome.error.action.length < 10) problems.push('the error has no action');
      if (!outcome.resumeHint) problems.push('no resume hint');
    }
    problems.push(...transcriptProblems(outcome.transcriptPath, outcome, expect.outcome === 'failed' ? expect.step : undefined));

    let rerun = '-';
    let rerunMs: number | undefined;
    if (outcome.outcome !== 'success') {
      ({ rerun, rerunMs } = await rerunAfterPowerCycle(rig, files, extra));
      if (rerun !== 'ok' && rerun !== 'already new') problems.push(`re-run: ${rerun}`);
    }
    return {
      outcome: outcome.outcome,
      elapsedMs,
      boundMs,
      ...(outcome.error?.step ? { errorStep: outcome.error.step } : {}),
      ...(outcome.error?.code ? { errorCode: outcome.error.code } : {}),
      rerun,
      ...(rerunMs !== undefined ? { rerunMs } : {}),
      hasCrashDump: outcome.crashDump !== undefined,
      problems,
    };
  } finally {
    await rig.close();
  }
}

/**
 * The user's next move after a failure: unplug, plug back, run the same command. A modem
 * that already runs the target build has nothing left to do (a diff would be refused).
 */
export async function rerunAfterPowerCycle(
  rig: EngineRig,
  files: string[],
  extra: { updaterPath?: string },
): Promise<{ rerun: string; rerunMs: number }> {
  await rig.powerCycle();
  const started = performance.now();
  if (rig.modem.state === 2 && rig.modem.build === TARGET_BUILD) {
    const info = await rig.engine.info({ port: new PortOwner(rig.registry, rig.portPath), timeouts: MATRIX_TIMEOUTS });
    const rerunMs = performance.now() - started;
    return { rerun: info.report.softwareBuild === TARGET_BUILD ? 'already new' : `info says build ${info.report.softwareBuild}`, rerunMs };
  }
  const again = await rig.upgrade(files, extra);
  const rerunMs = performance.now() - started;
  if (again.outcome !== 'success') return { rerun: `${again.outcome}: ${again.error?.code} in ${again.error?.step}: ${again.error?.message}`, rerunMs };
  if (rig.link.isOpen('host')) return { rerun: 'the port is still open after the re-run', rerunMs };
  const stored = rig.modem.stored.at(-1);
  if (!stored?.bytes || Buffer.compare(Buffer.from(stored.bytes), Buffer.from(fileBytes(files.at(-1)!))) !== 0) {
    return { rerun: 'the re-run stored an image that differs from the file', rerunMs };
  }
  return { rerun: 'ok', rerunMs };
}
