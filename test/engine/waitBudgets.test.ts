import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boardTimeoutsFromArgs, timeoutsFromArgs } from '../../src/cli/cliSupport';
import { formatWaitText } from '../../src/shared/waitText';
import { DEFAULT_BOARD_TIMEOUTS } from '../../src/core/board/fullUpgrade';
import { TRIGGER_FFH_TIMEOUT_MS, TRIGGER_TIMEOUT_MS } from '../../src/core/board/boardUpgradeTrigger';
import type { UpgradeEvent, WaitInfo } from '../../src/core/engine/upgradeEvents';
import { cancelledHint, STANDING } from '../../src/core/engine/upgradeErrors';
import { DEFAULT_UPGRADE_TIMEOUTS, resolveTimeouts, simulatedClockTimeouts, WAIT_PHASES } from '../../src/core/engine/upgradeTimeouts';
import { MiB, SIM_TIME_SCALE, engineRig, TEST_TIMEOUTS } from '../support/engineRig';

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;

// The published updater's waits (PROTOCOL.md §9), written out here so that lowering a
// default below them fails this test rather than passing silently.
const PUBLISHED_AT_PROBE_MS = 21 * SECOND_MS;

test('every budget is at least what the published updater allows for the same phase', () => {
  const d = DEFAULT_UPGRADE_TIMEOUTS;
  assert.ok(d.wakeupMs >= 10 * PUBLISHED_AT_PROBE_MS, 'first wake-up: 10 probes of ~21 s');
  assert.ok(d.postTransferWakeMs >= 100 * PUBLISHED_AT_PROBE_MS, 'after the transfer: 100 probes (~35 min)');
  assert.ok(d.postTransferWakeMs >= 35 * MINUTE_MS);
  assert.ok(d.applyMs >= 300 * SECOND_MS, 'AT+SMUPGRADE? polling: 300 s');
  assert.ok(d.applyMs >= 10 * MINUTE_MS, 'NB-IoT pauses of ~10 minutes are normal');
  assert.ok(d.bootCheckMs >= 300 * SECOND_MS, 'AT+SMSWBOOT? polling: 300 s');
  assert.ok(d.updaterLoadMs >= 300 * SECOND_MS, 'updater.elf "may take several minutes"');
  assert.ok(d.rebootMs >= 300 * SECOND_MS);
  assert.ok(d.stpSilenceMs >= 75 * MINUTE_MS, 'a silent STP read costs the published tool ~75 minutes');
  assert.ok(d.stpRequestMs >= 90 * SECOND_MS, 'one block may take ~90 s');
  assert.ok(TRIGGER_TIMEOUT_MS >= 10 * PUBLISHED_AT_PROBE_MS);
  assert.ok(TRIGGER_FFH_TIMEOUT_MS >= 10 * PUBLISHED_AT_PROBE_MS + 100 * PUBLISHED_AT_PROBE_MS + 300 * SECOND_MS, 'FFH: bootrom write, updater load, its waits');
  assert.equal(DEFAULT_BOARD_TIMEOUTS.triggerFfhMs, TRIGGER_FFH_TIMEOUT_MS);
  for (const [id, phase] of Object.entries(WAIT_PHASES)) {
    const budgetMs =
      phase.budgetKey === 'triggerMs' || phase.budgetKey === 'triggerFfhMs' ? DEFAULT_BOARD_TIMEOUTS[phase.budgetKey] : d[phase.budgetKey];
    assert.ok(budgetMs >= phase.publishedMs, `${id}: ${budgetMs} ms < published ${phase.publishedMs} ms`);
    assert.ok(phase.normalMs <= budgetMs, `${id}: normal beyond the budget`);
    assert.ok(phase.source.length > 0);
  }
});

test('a caller that predates the named phases keeps its scale: the new phases follow the keys they shared', () => {
  const resolved = resolveTimeouts({ applyMs: 3_000, rebootMs: 2_000, stpRequestMs: 500 });
  assert.equal(resolved.postTransferWakeMs, 3_000 * (DEFAULT_UPGRADE_TIMEOUTS.postTransferWakeMs / DEFAULT_UPGRADE_TIMEOUTS.applyMs));
  assert.equal(resolved.bootCheckMs, 2_000);
  assert.equal(resolved.stpSilenceMs, 2_000, 'four sends of the request, as before');
  assert.equal(resolveTimeouts({ applyMs: 3_000, postTransferWakeMs: 9_000 }).postTransferWakeMs, 9_000);
});

/** The modem stays silent after the transfer for 10 minutes of its time: over the old 300 s budget, under the published 35 minutes. */
const POST_TRANSFER_SILENCE_MS = 10 * MINUTE_MS;
const OLD_POST_TRANSFER_BUDGET_MS = 300 * SECOND_MS;

function silentAfterTransferRig() {
  return engineRig({ state: 2, build: 38638, timings: { postTransferBusyMs: POST_TRANSFER_SILENCE_MS } });
}

function waitsOf(events: UpgradeEvent[], step: string): WaitInfo[] {
  return events.flatMap((e) => (e.kind === 'step' && e.step === step && e.phase === 'waiting' && e.wait ? [e.wait] : []));
}

test('a modem silent after the transfer for longer than the old 300 s but less than the published 35 min: the upgrade completes', async (t) => {
  const rig = silentAfterTransferRig();
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const postTransferWakeMs = DEFAULT_UPGRADE_TIMEOUTS.postTransferWakeMs * SIM_TIME_SCALE;
  assert.ok(OLD_POST_TRANSFER_BUDGET_MS * SIM_TIME_SCALE < POST_TRANSFER_SILENCE_MS * SIM_TIME_SCALE);
  assert.ok(POST_TRANSFER_SILENCE_MS * SIM_TIME_SCALE < postTransferWakeMs);
  const outcome = await rig.engine.upgrade(
    rig.request([file], { timeouts: { ...TEST_TIMEOUTS, postTransferWakeMs, waitReportIntervalMs: 50 } }),
  );
  assert.equal(outcome.outcome, 'success', outcome.error?.message);

  // The wait was shown as a wait, again and again, with what is normal.
  const waits = [...waitsOf(rig.events, 'transfer'), ...waitsOf(rig.events, 'await-upgrade')].filter((w) => /writing its flash/.test(w.what));
  assert.ok(waits.length >= 3, `${waits.length} waiting events for the flash write`);
  for (const wait of waits) {
    assert.equal(wait.isSafeToInterrupt, false);
    assert.equal(wait.budgetMs, postTransferWakeMs);
    assert.ok(wait.normalMs > 0 && wait.normalMs < wait.budgetMs);
  }
  const elapsed = waits.map((w) => w.elapsedMs);
  assert.ok(elapsed.at(-1)! > elapsed[0]!, 'elapsed time grows from one report to the next');

  // Nothing told the user to unplug while the modem was within its budget.
  const untilResult = rig.events.filter((e) => e.kind !== 'result');
  for (const event of untilResult) {
    assert.doesNotMatch(JSON.stringify(event), /unplug|power-cycle|power cycle/i, `event ${event.kind} advises a power cycle within budget`);
  }
});

test('control: with the old 300 s budget the same modem fails, and only then is a power cycle advised', async (t) => {
  const rig = silentAfterTransferRig();
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const outcome = await rig.engine.upgrade(
    rig.request([file], { timeouts: { ...TEST_TIMEOUTS, postTransferWakeMs: OLD_POST_TRANSFER_BUDGET_MS * SIM_TIME_SCALE } }),
  );
  assert.equal(outcome.outcome, 'failed');
});

test('cancel while the modem may be writing its flash: the hint says to leave it powered, not to unplug', async (t) => {
  const rig = silentAfterTransferRig();
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const controller = new AbortController();
  rig.engine.events.on((e) => {
    if (e.kind === 'step' && e.step === 'await-upgrade' && e.phase === 'waiting' && !controller.signal.aborted) controller.abort(new Error('user pressed cancel'));
  });
  const outcome = await rig.engine.upgrade(rig.request([file]), controller.signal);
  assert.equal(outcome.outcome, 'cancelled');
  const hint = outcome.resumeHint ?? '';
  assert.match(hint, /may still be writing its flash: leave the board powered at least \d+ minutes before unplugging/);
  // The power-cycle advice, if any, comes only after the wait.
  const waitAt = hint.search(/leave the board powered/);
  const cycleAt = hint.search(/power-cycle/i);
  assert.ok(cycleAt === -1 || cycleAt > waitAt, hint);
  assert.equal(outcome.diagnosis?.action, hint, 'the diagnosis tells the same story');
  const result = rig.events.at(-1);
  assert.ok(result?.kind === 'result' && result.resumeHint === hint);
});

test('every standing in which the modem may write its flash gets the wait first after a cancel', () => {
  for (const standing of ['partialTransfer', 'stagedPartly', 'applying', 'booting'] as const) {
    assert.match(cancelledHint(standing), /^Cancelled while the modem .*leave the board powered at least \d+ minutes before unplugging/);
  }
  assert.equal(cancelledHint('untouched'), STANDING.untouched);
  assert.equal(cancelledHint('inUpdater'), STANDING.inUpdater);
});

test('--timeout-scale reaches the board half: the trigger budgets scale, the REPL reply does not', () => {
  const args = { values: { 'timeout-scale': '2' }, positionals: [] };
  assert.deepEqual(boardTimeoutsFromArgs(args, 'board'), { triggerMs: TRIGGER_TIMEOUT_MS * 2, triggerFfhMs: TRIGGER_FFH_TIMEOUT_MS * 2 });
  assert.equal(boardTimeoutsFromArgs({ values: {}, positionals: [] }, 'board'), undefined);
  assert.equal(timeoutsFromArgs(args, 'board')?.postTransferWakeMs, DEFAULT_UPGRADE_TIMEOUTS.postTransferWakeMs * 2);
});

test('a wait reads as a wait: elapsed, what is normal, and whether unplugging is safe', () => {
  const text = formatWaitText({ what: 'Waiting for the modem to finish writing its flash', elapsedMs: 130_000, normalMs: 600_000, budgetMs: 2_100_000, isSafeToInterrupt: false });
  assert.equal(text, 'Waiting for the modem to finish writing its flash: 2 min 10 s (up to 10 min is normal) — do not unplug or cancel');
  const late = formatWaitText({ what: 'Waiting for the modem to answer', elapsedMs: 45_000, normalMs: 21_000, budgetMs: 210_000, isSafeToInterrupt: true });
  assert.equal(late, 'Waiting for the modem to answer: 45 s (up to 21 s is normal; longer than usual, the tool waits up to 3 min 30 s)');
});

test('on a simulated clock the waits shrink with it, down to floors the host needs, and never above real time', () => {
  const real = resolveTimeouts({ atReplyMs: 2_000 });
  assert.deepEqual(simulatedClockTimeouts({ atReplyMs: 2_000 }, 1), real, 'real time: as given');
  const fast = simulatedClockTimeouts({ atReplyMs: 2_000 }, 1 / 200);
  assert.equal(fast.applyMs, 10_000, 'a poll lost in the reboot costs a reply deadline: the apply budget keeps room');
  assert.equal(fast.wakeAttemptMs, 250, 'a wake-up attempt keeps a real-time floor');
  assert.equal(fast.pollIntervalMs, 20);
  assert.equal(fast.stpSilenceMs, real.stpSilenceMs / 200, 'a long budget follows the clock');
  assert.equal(fast.atReplyMs, 2_000, 'a floor never lifts a wait above its real-time value');
});
