import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedGpy, type SimulatedGpy, type SimulatedGpyOptions } from '../../src/sim/simulatedGpy';
import { makeSyntheticUpdaterElf, writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { UpgradeEngine } from '../../src/core/engine/upgradeEngine';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { runFullUpgrade, type FullUpgradeRequest } from '../../src/core/board/fullUpgrade';
import { RawRepl } from '../../src/core/repl/rawRepl';
import { REPL_LINE } from '../../src/core/board/fullUpgrade';
import { PortOwner } from '../../src/core/transport/portOwner';
import { BOARD_TEST_TIMEOUTS } from './support/boardTestTimeouts';

/**
 * The board half as Pycom's updater really behaves (PROTOCOL.md §9): what it prints
 * becomes a diagnosis, the board's standing comes from what it printed, every file and
 * rule is checked before the board is asked to do anything irreversible.
 */

const dir = mkdtempSync(join(tmpdir(), 'board-safety-'));
const gpys: SimulatedGpy[] = [];
after(async () => {
  for (const gpy of gpys) await gpy.stop();
  rmSync(dir, { recursive: true, force: true });
});

const TIME_SCALE = 0.001;
const TIMEOUTS = BOARD_TEST_TIMEOUTS;

let rigs = 0;
async function rig(options: SimulatedGpyOptions = {}) {
  const gpy = await createSimulatedGpy({
    portPath: `sim:safety${++rigs}`,
    timeScale: TIME_SCALE,
    ...options,
    board: { timeScale: 0.002, ...options.board },
    modem: { timeScale: TIME_SCALE, keepImageBytes: false, ...options.modem },
  });
  gpys.push(gpy);
  const engine = new UpgradeEngine();
  const events: UpgradeEvent[] = [];
  engine.events.on((e) => events.push(e));
  const run = (request: Omit<FullUpgradeRequest, 'port'>) =>
    runFullUpgrade({ port: new PortOwner(gpy.registry, gpy.portPath), timeouts: TIMEOUTS, ...request }, { engine });
  return { gpy, engine, events, run };
}

async function diffFile(name = 'upgdiff_38638-to-41065.dup'): Promise<string> {
  const path = join(dir, name);
  await writeSyntheticFirmware(path, { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 600_000 });
  return path;
}

async function fullFile(build = 41065, network: 'CAT-M1' | 'NB-IoT' = 'CAT-M1'): Promise<string> {
  const path = join(dir, `${network === 'CAT-M1' ? 'CATM1' : 'NB1'}-${build}.dup`);
  await writeSyntheticFirmware(path, { kind: 'full', network, build, size: 4_500_000 });
  return path;
}

function updaterElf(): string {
  const path = join(dir, 'updater.elf');
  writeFileSync(path, makeSyntheticUpdaterElf());
  return path;
}

const stepPhases = (events: UpgradeEvent[], step: string) => events.flatMap((e) => (e.kind === 'step' && e.step === step ? [e.phase] : []));
const diagnosisOf = (events: UpgradeEvent[]) => events.find((e): e is Extract<UpgradeEvent, { kind: 'diagnosis' }> => e.kind === 'diagnosis')?.diagnosis;

/** The board answers its friendly prompt: it was handed back at its REPL, not left in mirror mode. */
async function assertAtFriendlyRepl(gpy: SimulatedGpy): Promise<void> {
  assert.equal(gpy.board.state, 'repl');
  const io = await gpy.registry.open(gpy.portPath, REPL_LINE);
  try {
    const repl = await RawRepl.enter(io);
    assert.equal((await repl.exec('print(6*7)')).stdout.trim(), '42');
    await repl.exit();
  } finally {
    await io.close();
  }
}

for (const [fault, cause, title] of [
  ['no-upgrade-mode', 'board-updater-said', /too old for the modem upgrade/],
  ['lte-in-use', 'board-updater-said', /LTE is in use/],
] as const) {
  test(`board fault ${fault}: the updater's own words become the diagnosis; the board is back at its REPL, no power-cycle advised`, async () => {
    const { gpy, events, run } = await rig({ board: { faults: [fault] } });
    const outcome = await run({ files: [await diffFile()] });
    assert.equal(outcome.outcome, 'failed');
    assert.equal(outcome.error?.code, 'trigger-failed');
    assert.equal(outcome.diagnosis?.cause, cause);
    assert.match(outcome.diagnosis?.title ?? '', title);
    assert.match(outcome.resumeHint ?? '', /back at its REPL \(no power-cycle needed\)/);
    assert.doesNotMatch(`${outcome.resumeHint} ${outcome.diagnosis?.action}`, /unplug|power-cycle it|mirror mode \(it has no way back\)/i);
    assert.deepEqual(stepPhases(events, 'mirror-handover'), []);
    await assertAtFriendlyRepl(gpy);
  });
}

test('a silent modem: "Could not detect your modem!" is read before mirror mode, named in the diagnosis, and the board stays at its REPL', async () => {
  const { gpy, events, run } = await rig({ modem: { faults: ['silent'] } });
  // The diff cannot be checked against an unknown build: that warning is confirmed here.
  const outcome = await run({ files: [await diffFile()], confirm: async () => true });
  assert.equal(outcome.outcome, 'failed');
  // The board's info() could not tell the state: the read is skipped, not a failure of its own.
  assert.deepEqual(stepPhases(events, 'board-modem-read'), ['start', 'skip']);
  assert.equal(outcome.diagnosis?.cause, 'board-updater-said');
  assert.match(outcome.diagnosis?.action ?? '', /safe boot/);
  assert.ok(events.some((e) => e.kind === 'boardOutput' && /Could not detect your modem!/.test(e.line)));
  await assertAtFriendlyRepl(gpy);
});

test('a failed bootrom write (old bootrom, FFH): "Unable to upgrade bootrom." is the diagnosis; the board is at its REPL', async () => {
  const { gpy, run } = await rig({ board: { faults: ['bootrom-write-fails'] }, modem: { hasOldBootrom: true, build: 33080 } });
  const outcome = await run({ files: [await fullFile()], updaterPath: updaterElf() });
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.diagnosis?.title, "The board's updater could not rewrite the modem's bootrom");
  assert.match(outcome.resumeHint ?? '', /back at its REPL/);
  assert.equal(gpy.modem.hasOldBootrom, true);
  await assertAtFriendlyRepl(gpy);
});

test('an updater.elf that is not an ELF file is refused before the port opens: nothing pushed, nothing started', async () => {
  const { gpy, events, run } = await rig();
  const execsBefore = gpy.board.stats.execs;
  const bogus = join(dir, 'bogus', 'updater.elf');
  (await import('node:fs')).mkdirSync(join(dir, 'bogus'), { recursive: true });
  writeFileSync(bogus, Buffer.alloc(340_000, 0x41));
  const outcome = await run({ files: [await fullFile()], updaterPath: bogus });
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'usage');
  assert.match(outcome.error?.message ?? '', /ELF/);
  assert.deepEqual(stepPhases(events, 'board-connect'), []);
  assert.deepEqual(stepPhases(events, 'push-files'), []);
  assert.equal(gpy.board.stats.execs, execsBefore);
});

test("the board's own info() reads the modem before mirror mode, and a modem in recovery without updater.elf is refused there", async () => {
  const { gpy, events, run } = await rig({ modem: { state: 0 } });
  const outcome = await run({ files: [await fullFile()] });
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'usage');
  assert.deepEqual(stepPhases(events, 'board-modem-read'), ['start', 'done']);
  assert.ok(events.some((e) => e.kind === 'modemState' && e.state === 0));
  assert.deepEqual(stepPhases(events, 'preflight'), ['start', 'fail']);
  const preflight = events.find((e): e is Extract<UpgradeEvent, { kind: 'preflight' }> => e.kind === 'preflight');
  assert.equal(preflight?.isReady, false);
  // Never mirrored: the board is handed back at its prompt.
  assert.deepEqual(stepPhases(events, 'trigger'), []);
  assert.match(outcome.resumeHint ?? '', /board is at its REPL/);
  await assertAtFriendlyRepl(gpy);
});

test('a warning needs a confirmation: without one nothing changes; confirmed, the upgrade runs and ends with the power-cycle advice', async () => {
  // The board reads an NB-IoT modem and the file is CAT-M1: a network switch is a warning.
  const declined = await rig({ modem: { network: 'NB-IoT', build: 43818 } });
  const file = await fullFile();
  const asked: string[][] = [];
  const refused = await declined.run({ files: [file], confirm: async (warnings) => (asked.push(warnings.map((w) => w.id)), false) });
  assert.equal(refused.outcome, 'failed');
  assert.equal(refused.error?.code, 'usage');
  assert.match(refused.error?.message ?? '', /not confirmed/);
  assert.ok(asked[0]?.includes('network-change'), JSON.stringify(asked));
  assert.deepEqual(stepPhases(declined.events, 'trigger'), []);
  assert.equal(declined.gpy.modem.build, 43818);

  const accepted = await rig({ modem: { network: 'NB-IoT', build: 43818 } });
  const confirmations: string[][] = [];
  const outcome = await accepted.run({ files: [file], confirm: async (warnings) => (confirmations.push(warnings.map((w) => w.id)), true) });
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  // Asked once: the host half does not ask again about what the board half confirmed.
  assert.equal(confirmations.filter((ids) => ids.includes('network-change')).length, 1, JSON.stringify(confirmations));
  // A normal upgrade leaves Bootloader0 as it was (PROTOCOL.md §9).
  assert.equal(outcome.after?.softwareBuild, 41065);
  assert.equal(outcome.after?.bootloaders.find((b) => b.slot === 0)?.build, 43818);
  const result = accepted.events.find((e): e is Extract<UpgradeEvent, { kind: 'result' }> => e.kind === 'result');
  assert.match(result?.resumeHint ?? '', /Power-cycle the board/);
});

test('FFH on a modem in recovery: the board loads updater.elf itself, so the host resumes (state 4) and never sends it again', async () => {
  const { gpy, events, run } = await rig({ modem: { state: 0 } });
  const outcome = await run({ files: [await fullFile()], updaterPath: updaterElf() });
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'resume');
  assert.deepEqual(stepPhases(events, 'load-updater'), []);
  assert.ok(events.some((e) => e.kind === 'boardOutput' && /Loading .*updater\.elf/.test(e.line)));
  assert.equal(gpy.modem.build, 41065);
  assert.equal(diagnosisOf(events), undefined);
});
