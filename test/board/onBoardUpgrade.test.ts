import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedGpy, type SimulatedGpy, type SimulatedGpyOptions } from '../../src/sim/simulatedGpy';
import { makeSyntheticFirmware, makeSyntheticUpdaterElf } from '../../src/sim/firmwareImage';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { TypedEmitter } from '../../src/core/events/typedEmitter';
import { runOnBoardUpgrade, type OnBoardUpgradeRequest } from '../../src/core/board/onBoardUpgrade';
import { listUpgradeFilesOnBoard } from '../../src/core/board/onBoardFiles';
import { withRawRepl } from '../../src/core/repl/replTurn';
import { PortOwner } from '../../src/core/transport/portOwner';

const dir = mkdtempSync(join(tmpdir(), 'on-board-'));
const gpys: SimulatedGpy[] = [];
after(async () => {
  for (const gpy of gpys) await gpy.stop();
  rmSync(dir, { recursive: true, force: true });
});

const DIFF = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 80_000 });
const FULL = makeSyntheticFirmware({ kind: 'full', network: 'CAT-M1', build: 41065, size: 150_000 });
const DIFF_NAME = 'upgdiff_38638-to-41065.dup';

async function rig(name: string, options: SimulatedGpyOptions = {}) {
  const gpy = await createSimulatedGpy({ portPath: `sim:${name}`, timeScale: 0.001, ...options, board: { timeScale: 0.001, ...options.board } });
  gpys.push(gpy);
  const events = new TypedEmitter<UpgradeEvent>();
  const seen: UpgradeEvent[] = [];
  events.on((event) => seen.push(event));
  const port = new PortOwner(gpy.registry, gpy.portPath);
  const upgrade = (request: Omit<OnBoardUpgradeRequest, 'port'>) =>
    // The small synthetic files are below the usual sizes: that warning is confirmed.
    runOnBoardUpgrade({ port, timeouts: { runMs: 120_000, waitReportIntervalMs: 5 }, confirm: async () => true, ...request }, { events });
  return { gpy, port, seen, upgrade };
}

const stepTrail = (events: UpgradeEvent[]) => events.flatMap((e) => (e.kind === 'step' && e.phase !== 'waiting' ? [`${e.step}:${e.phase}`] : []));
const resultOf = (events: UpgradeEvent[]) => events.find((e): e is Extract<UpgradeEvent, { kind: 'result' }> => e.kind === 'result')!;

test('SD card method: the board updater sends the diff, steps and progress as for the host transfer, versions before and after, back at the REPL', async () => {
  const { gpy, seen, upgrade } = await rig('sd-ok', { board: { sdCard: { [DIFF_NAME]: DIFF } } });
  const transcriptDir = join(dir, 'transcripts-sd');
  const outcome = await upgrade({ firmware: { kind: 'on-board', path: `/sd/${DIFF_NAME}` }, transcriptDir });
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'fff');
  assert.equal(outcome.before?.softwareBuild, 38638);
  assert.equal(outcome.after?.softwareBuild, 41065);
  assert.equal(outcome.after?.bootloaders.length, 3, 'the showver block was read');
  assert.equal(gpy.modem.build, 41065);
  assert.deepEqual(stepTrail(seen), [
    'board-connect:start', 'board-connect:done', 'board-identify:start', 'board-identify:done', 'board-modem-read:start', 'board-modem-read:done',
    'on-board-file:start', 'on-board-file:done', 'preflight:start', 'preflight:done',
    'prepare:start', 'prepare:done', 'transfer:start', 'transfer:done', 'await-upgrade:start', 'await-upgrade:done', 'report:start', 'report:done',
  ]);
  const progress = seen.filter((e): e is Extract<UpgradeEvent, { kind: 'progress' }> => e.kind === 'progress');
  assert.ok(progress.length >= 2);
  assert.deepEqual([progress.at(-1)!.bytesDone, progress.at(-1)!.bytesTotal, progress.at(-1)!.fileName], [DIFF.length, DIFF.length, DIFF_NAME]);
  // The wait after the transfer: the modem writes its flash; never a time to unplug.
  const waits = seen.filter((e): e is Extract<UpgradeEvent, { kind: 'step' }> => e.kind === 'step' && e.phase === 'waiting' && e.step === 'await-upgrade');
  assert.ok(waits.length >= 1);
  assert.equal(waits[0]!.wait!.isSafeToInterrupt, false);
  assert.match(waits[0]!.wait!.what, /finish writing its flash/);
  assert.ok(seen.some((e) => e.kind === 'modemInfo' && e.phase === 'before' && e.report.softwareBuild === 38638));
  assert.ok(seen.some((e) => e.kind === 'modemInfo' && e.phase === 'after' && e.report.softwareBuild === 41065));
  assert.ok(seen.some((e) => e.kind === 'plan' && e.path === 'fff'));
  const result = resultOf(seen);
  assert.equal(result.outcome, 'success');
  assert.match(result.message, /38638 → 41065/);
  assert.match(result.resumeHint!, /back at its REPL/);
  assert.match(result.resumeHint!, /Power-cycle the board/);
  assert.equal(gpy.board.state, 'repl');
  assert.match(readFileSync(result.transcriptPath!, 'utf8'), /successfully updated/);
});

test('/flash method: the local diff is pushed (verified), run from /flash and removed; --keep leaves it', async () => {
  const local = join(dir, DIFF_NAME);
  writeFileSync(local, DIFF);
  const { gpy, seen, upgrade } = await rig('flash-ok');
  const outcome = await upgrade({ firmware: { kind: 'via-flash', localPath: local } });
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(gpy.modem.build, 41065);
  const trail = stepTrail(seen);
  assert.ok(trail.includes('push-firmware:done') && trail.includes('remove-firmware:done'), trail.join(' '));
  assert.ok(trail.indexOf('push-firmware:done') < trail.indexOf('prepare:start'));
  assert.equal(await gpy.board.exists(`/flash/${DIFF_NAME}`), false);

  const kept = await rig('flash-keep', { modem: { build: 38638 } });
  const keptOutcome = await kept.upgrade({ firmware: { kind: 'via-flash', localPath: local }, keepOnFlash: true });
  assert.equal(keptOutcome.outcome, 'success');
  assert.ok(stepTrail(kept.seen).includes('remove-firmware:skip'));
  assert.deepEqual(new Uint8Array(await kept.gpy.board.readFile(`/flash/${DIFF_NAME}`)), DIFF);
});

test('/flash method refuses a full image before the port opens: it does not fit', async () => {
  const local = join(dir, 'CATM1-41065.dup');
  writeFileSync(local, FULL);
  const { gpy, seen, upgrade } = await rig('flash-full');
  const execsBefore = gpy.board.stats.execs;
  const outcome = await upgrade({ firmware: { kind: 'via-flash', localPath: local } });
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'usage');
  assert.match(outcome.error!.message, /does not fit in \/flash/);
  assert.equal(gpy.board.stats.execs, execsBefore);
  assert.equal(resultOf(seen).outcome, 'failed');
});

test('no SD card, or no such file: refused by the checks before the modem is touched', async () => {
  const noCard = await rig('no-card');
  const outcome = await noCard.upgrade({ firmware: { kind: 'on-board', path: `/sd/${DIFF_NAME}` } });
  assert.equal(outcome.outcome, 'failed');
  const preflight = noCard.seen.find((e): e is Extract<UpgradeEvent, { kind: 'preflight' }> => e.kind === 'preflight')!;
  assert.equal(preflight.isReady, false);
  assert.match(preflight.results[0]!.detail, /No SD card/);
  assert.match(resultOf(noCard.seen).resumeHint!, /not changed/);
  assert.equal(noCard.gpy.modem.stored.length, 0);

  const missing = await rig('missing', { board: { sdCard: {} } });
  const missed = await missing.upgrade({ firmware: { kind: 'on-board', path: '/sd/NOPE.dup' } });
  assert.equal(missed.outcome, 'failed');
  const checks = missing.seen.find((e): e is Extract<UpgradeEvent, { kind: 'preflight' }> => e.kind === 'preflight')!;
  assert.match(checks.results[0]!.detail, /\/sd\/NOPE\.dup is not on the board/);
});

test('the modem rejects the diff: the updater says so, the diagnosis names it, the board is at its REPL', async () => {
  const { gpy, seen, upgrade } = await rig('patch', { modem: { faults: ['patch-fails'] }, board: { sdCard: { [DIFF_NAME]: DIFF } } });
  const outcome = await upgrade({ firmware: { kind: 'on-board', path: `/sd/${DIFF_NAME}` } });
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'on-board-failed');
  assert.match(outcome.error!.message, /Upgrade failed with result failure\[diffUpgrade,239\] Patch didn't apply!/);
  assert.equal(outcome.diagnosis?.cause, 'board-updater-said');
  assert.equal(outcome.diagnosis?.title, 'The modem rejected the image');
  assert.match(outcome.diagnosis!.action, /back at its REPL/);
  assert.match(outcome.resumeHint!, /keeps running its old firmware/);
  assert.equal(gpy.modem.build, 38638);
  assert.equal(gpy.board.state, 'repl');
  assert.ok(stepTrail(seen).includes('await-upgrade:fail'));
});

test('a silent modem: "Could not detect your modem!" as the diagnosis; nothing sent', async () => {
  const { gpy, seen, upgrade } = await rig('silent', { modem: { faults: ['silent'] }, board: { sdCard: { [DIFF_NAME]: DIFF } } });
  const outcome = await upgrade({ firmware: { kind: 'on-board', path: `/sd/${DIFF_NAME}` } });
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.diagnosis?.cause, 'board-updater-said');
  assert.match(outcome.diagnosis!.title, /could not detect the modem/);
  assert.match(outcome.resumeHint!, /before it sent any firmware/);
  assert.ok(stepTrail(seen).includes('prepare:fail'));
  assert.equal(gpy.modem.stored.length, 0);
});

test('the modem crashes mid-transfer: "Code download failed[1]", the transfer step fails', async () => {
  const { seen, upgrade } = await rig('crash', { modem: { faults: ['crash-mid-transfer'] }, board: { sdCard: { [DIFF_NAME]: DIFF } } });
  const outcome = await upgrade({ firmware: { kind: 'on-board', path: `/sd/${DIFF_NAME}` } });
  assert.equal(outcome.outcome, 'failed');
  assert.match(outcome.error!.message, /Code download failed\[1\]/);
  assert.equal(outcome.diagnosis?.title, 'The transfer from the board to the modem failed');
  assert.ok(stepTrail(seen).includes('transfer:fail'));
  assert.match(outcome.resumeHint!, /Power-cycle the board/);
});

test('the .dup and .elf files on /flash and on the SD card, for a picker', async () => {
  const { port } = await rig('list', { board: { files: { 'updater.elf': new Uint8Array(300), 'notes.txt': 'x' }, sdCard: { [DIFF_NAME]: DIFF, 'readme.txt': 'x' } } });
  const listed = await withRawRepl(port, (repl) => listUpgradeFilesOnBoard(repl));
  assert.deepEqual(listed.flash.map((e) => e.name), ['updater.elf']);
  assert.deepEqual(listed.sd?.map((e) => [e.name, e.size]), [[DIFF_NAME, DIFF.length]]);
  const { port: noCardPort } = await rig('list-no-card');
  assert.equal((await withRawRepl(noCardPort, (repl) => listUpgradeFilesOnBoard(repl))).sd, undefined);
});

test('a cancel during the transfer: the board goes on, so the hint says not to unplug', async () => {
  const { gpy, seen } = await rig('cancel', { board: { sdCard: { [DIFF_NAME]: DIFF } } });
  const events = new TypedEmitter<UpgradeEvent>();
  const controller = new AbortController();
  events.on((event) => {
    seen.push(event);
    if (event.kind === 'progress' && event.step === 'transfer') controller.abort('cancelled by the user');
  });
  const port = new PortOwner(gpy.registry, gpy.portPath);
  const outcome = await runOnBoardUpgrade(
    { port, firmware: { kind: 'on-board', path: `/sd/${DIFF_NAME}` }, confirm: async () => true, timeouts: { runMs: 120_000 } },
    { events, signal: controller.signal },
  );
  assert.equal(outcome.outcome, 'cancelled');
  assert.match(outcome.resumeHint!, /Do not unplug the board now/);
  assert.match(resultOf(seen).message, /may still be working on the modem/);
});

test('ON_THE_FLY from the card: load_fff=False for a small file, and a modem in recovery with updater.elf on the board', async () => {
  const onTheFly = await rig('otf', { board: { sdCard: { 'CATM1-41065.dup': FULL } } });
  const outcome = await onTheFly.upgrade({ firmware: { kind: 'on-board', path: '/sd/CATM1-41065.dup' }, loadFff: false });
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'on-the-fly');
  assert.equal(onTheFly.gpy.modem.stored.at(-1)!.method, 'on-the-fly');
  assert.ok(onTheFly.seen.some((e) => e.kind === 'boardOutput' && /sqnsupgrade|Waiting for the modem to restart/.test(e.line)));

  const recovery = await rig('recovery', {
    modem: { state: 0 },
    board: { files: { 'updater.elf': makeSyntheticUpdaterElf(30_000) }, sdCard: { 'CATM1-41065.dup': FULL } },
  });
  const recovered = await recovery.upgrade({ firmware: { kind: 'on-board', path: '/sd/CATM1-41065.dup' }, updaterPath: '/flash/updater.elf' });
  assert.equal(recovered.outcome, 'success', JSON.stringify(recovered.error) + JSON.stringify(recovery.seen.find((e) => e.kind === 'preflight')));
  assert.equal(recovered.path, 'recovery');
  assert.equal(recovery.gpy.modem.build, 41065);
  assert.equal(recovery.gpy.modem.state, 2);
});
