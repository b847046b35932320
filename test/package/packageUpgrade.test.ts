import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readLastAttempt } from '../../src/core/engine/lastAttempt';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFullUpgrade } from '../../src/core/board/fullUpgrade';
import { UpgradeEngine } from '../../src/core/engine/upgradeEngine';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { PortOwner } from '../../src/core/transport/portOwner';
import { PortOpenerByPath } from '../../src/core/transport/portOpenerByPath';
import { makeSyntheticFirmware, makeSyntheticUpdaterElf, type SyntheticFirmwareOptions } from '../../src/sim/firmwareImage';
import { createSimulatedGpy, type SimulatedGpy } from '../../src/sim/simulatedGpy';
import { BOARD_TEST_TIMEOUTS } from '../board/support/boardTestTimeouts';
import { makeZip } from '../support/zipWriter';
import { runInProcess } from '../cli/cliHarness';

/**
 * A firmware package end to end on the simulated GPy: the board reads the modem, the
 * files are chosen for it, the checks pass, the chosen files go to the modem.
 */

const dir = mkdtempSync(join(tmpdir(), 'package-upgrade-'));
// A temporary folder of this file's own, so what the runs extract (and remove) can be counted
// while other test files extract theirs.
const privateTemp = join(dir, 'tmp');
mkdirSync(privateTemp);
process.env.TMPDIR = privateTemp;
const gpys: SimulatedGpy[] = [];
after(async () => {
  for (const gpy of gpys) await gpy.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function rig(name: string, modem: NonNullable<Parameters<typeof createSimulatedGpy>[0]>['modem'] = {}) {
  const gpy = await createSimulatedGpy({
    portPath: `sim:${name}`,
    timeScale: 0.001,
    board: { timeScale: 0.005 },
    modem: { timeScale: 0.001, keepImageBytes: false, ...modem },
  });
  gpys.push(gpy);
  const engine = new UpgradeEngine();
  const events: UpgradeEvent[] = [];
  engine.events.on((e) => events.push(e));
  return { gpy, engine, events };
}

const image = (options: SyntheticFirmwareOptions) => makeSyntheticFirmware(options);
/** Pycom's CATM1-41065 package, small: the full image, two diffs, updater.elf, a readme. */
function package41065(): { name: string; data: Uint8Array | string }[] {
  return [
    { name: 'CATM1-41065/CATM1-41065.dup', data: image({ kind: 'full', network: 'CAT-M1', build: 41065, size: 4_300_000 }) },
    { name: 'CATM1-41065/upgdiff_38638-to-41065.dup', data: image({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 600_000 }) },
    { name: 'CATM1-41065/upgdiff_33080-to-41065.dup', data: image({ kind: 'diff', network: 'CAT-M1', fromBuild: 33080, build: 41065, size: 700_000, seed: 3 }) },
    { name: 'CATM1-41065/updater.elf', data: makeSyntheticUpdaterElf() },
    { name: 'CATM1-41065/README.txt', data: 'Pycom modem firmware' },
  ];
}

function writeZip(name: string, entries: { name: string; data: Uint8Array | string }[]): string {
  const path = join(dir, name);
  writeFileSync(path, makeZip(entries.map((entry) => ({ ...entry, deflate: true }))));
  return path;
}

function writeFolder(name: string, entries: { name: string; data: Uint8Array | string }[]): string {
  const folder = join(dir, name);
  for (const entry of entries) {
    const path = join(folder, ...entry.name.split('/'));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, entry.data);
  }
  return folder;
}

const ourTempFolders = () => {
  assert.equal(tmpdir(), privateTemp);
  return readdirSync(privateTemp).filter((name) => name.startsWith('pycom-modem-package-'));
};
const stepDetail = (events: UpgradeEvent[], phase: string) =>
  events.find((e): e is Extract<UpgradeEvent, { kind: 'step' }> => e.kind === 'step' && e.step === 'choose-files' && e.phase === phase)?.detail;
const preflightOf = (events: UpgradeEvent[]) => events.find((e): e is Extract<UpgradeEvent, { kind: 'preflight' }> => e.kind === 'preflight');

test('a zip for a modem at 38638: the diff is chosen after the board read the modem, shown first among the checks, and sent', async () => {
  const { gpy, engine, events } = await rig('package-diff');
  const zip = writeZip('CATM1-41065.zip', package41065());
  const before = ourTempFolders();
  let duringRun: string[] = [];
  engine.events.on((e) => {
    if (e.kind === 'step' && e.step === 'choose-files' && e.phase === 'done') duringRun = ourTempFolders();
  });
  const outcome = await runFullUpgrade(
    { port: new PortOwner(gpy.registry, gpy.portPath), files: [], packageSource: zip, timeouts: BOARD_TEST_TIMEOUTS },
    { engine },
  );
  assert.equal(duringRun.length, before.length + 1, 'the zip was extracted into a temporary folder of ours');
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'fff');
  assert.equal(gpy.modem.build, 41065);
  const order = events.flatMap((e) => (e.kind === 'step' && e.phase === 'start' && ['board-modem-read', 'choose-files', 'preflight'].includes(e.step) ? [e.step] : []));
  assert.deepEqual(order, ['board-modem-read', 'choose-files', 'preflight']);
  assert.match(stepDetail(events, 'start')!, /^CATM1-41065\.zip \(4 files\)$/);
  assert.match(stepDetail(events, 'done')!, /^upgdiff_38638-to-41065\.dup \(FFF\), about \d+ min$/);
  const preflight = preflightOf(events)!;
  assert.equal(preflight.results[0]!.id, 'package-choice');
  assert.equal(preflight.results[0]!.status, 'pass');
  assert.match(preflight.results[0]!.detail, /^modem runs 38638 → upgdiff_38638-to-41065\.dup, 586 KiB, FFF/);
  const logs = events.flatMap((e) => (e.kind === 'log' ? [e.message] : []));
  assert.ok(logs.includes('Ignored in the package: CATM1-41065/README.txt: not a .dup or .elf file'), logs.join('\n'));
  assert.ok(logs.some((line) => /^Left out: CATM1-41065\.dup: not needed/.test(line)));
  const plan = events.find((e) => e.kind === 'plan');
  assert.ok(plan?.kind === 'plan' && plan.files.length === 1 && plan.files[0]!.endsWith('upgdiff_38638-to-41065.dup'), JSON.stringify(plan));
  assert.deepEqual(ourTempFolders(), before, 'the extracted files are removed when the run ends');
});

test('a folder with the 48829 package for a modem at 41065: both stages, in order, the version read between them', async () => {
  const { gpy, engine, events } = await rig('package-two-stage', { build: 41065 });
  const folder = writeFolder('CATM1-5.2-48829', [
    { name: 'CATM1-5.2-48829/CATM1-5.2-48829-2.dup', data: image({ kind: 'full', network: 'CAT-M1', build: 48829, size: 4_300_000, seed: 2 }) },
    { name: 'CATM1-5.2-48829/CATM1-5.2-48829-1.dup', data: image({ kind: 'full', network: 'CAT-M1', build: 39529, size: 416_448, seed: 1 }) },
    { name: 'CATM1-5.2-48829/updater.elf', data: makeSyntheticUpdaterElf() },
  ]);
  const outcome = await runFullUpgrade(
    { port: new PortOwner(gpy.registry, gpy.portPath), files: [], packageSource: folder, timeouts: BOARD_TEST_TIMEOUTS },
    { engine },
  );
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.match(stepDetail(events, 'done')!, /^CATM1-5\.2-48829-1\.dup \(ON_THE_FLY\), CATM1-5\.2-48829-2\.dup \(ON_THE_FLY\)/);
  assert.deepEqual(events.flatMap((e) => (e.kind === 'modemInfo' ? [e.report.softwareBuild] : [])), [41065, 41065, 39529, 48829]);
  assert.equal(gpy.modem.build, 48829);
});

test('a modem at 33080 with the old bootrom and a package without its diff: updater.elf and the full image, by the FFH method', async () => {
  const { gpy, engine, events } = await rig('package-old-bootrom', { build: 33080, hasOldBootrom: true });
  const zip = writeZip('CATM1-41065-no-33080.zip', package41065().filter((entry) => !entry.name.includes('33080')));
  const outcome = await runFullUpgrade(
    { port: new PortOwner(gpy.registry, gpy.portPath), files: [], packageSource: zip, timeouts: BOARD_TEST_TIMEOUTS },
    { engine },
  );
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'resume');
  assert.match(stepDetail(events, 'done')!, /^updater\.elf, CATM1-41065\.dup \(ON_THE_FLY\)/);
  assert.equal(gpy.modem.hasOldBootrom, false, "the board's FFH method rewrote the bootrom");
  assert.equal(gpy.modem.build, 41065);
});

test('a modem in its recovery bootrom (state 0): updater.elf and the full image, loaded by the board before mirror mode', async () => {
  const { gpy, engine, events } = await rig('package-state0', { state: 0, hasOldBootrom: true });
  const zip = writeZip('CATM1-41065-state0.zip', package41065());
  const outcome = await runFullUpgrade(
    { port: new PortOwner(gpy.registry, gpy.portPath), files: [], packageSource: zip, timeouts: BOARD_TEST_TIMEOUTS },
    { engine },
  );
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.match(stepDetail(events, 'done')!, /^updater\.elf, CATM1-41065\.dup \(ON_THE_FLY\)/);
  assert.ok(events.some((e) => e.kind === 'step' && e.step === 'push-files' && e.phase === 'done'), 'updater.elf pushed to /flash for the FFH method');
  assert.equal(gpy.modem.build, 41065);
});

test('a modem in upgrade mode (state 4): resumed with the full image, no updater.elf', async () => {
  const { gpy, engine, events } = await rig('package-state4', { state: 4 });
  const zip = writeZip('CATM1-41065-state4.zip', package41065());
  const outcome = await runFullUpgrade(
    { port: new PortOwner(gpy.registry, gpy.portPath), files: [], packageSource: zip, timeouts: BOARD_TEST_TIMEOUTS },
    { engine },
  );
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'resume');
  assert.match(stepDetail(events, 'done')!, /^CATM1-41065\.dup \(/);
  assert.ok(!events.some((e) => e.kind === 'step' && (e.step === 'push-files' || e.step === 'load-updater') && e.phase === 'done'));
});

/** The CLI in this process against the board's simulated port. */
function cli(argv: string[], gpy: SimulatedGpy) {
  return runInProcess(argv, { opener: gpy.registry });
}

test('CLI: board upgrade with a zip shows the choice and its reasons; --json carries the same events', async () => {
  const { gpy } = await rig('package-cli');
  const zip = writeZip('CATM1-41065-cli.zip', package41065());
  const transcripts = join(dir, 'cli-transcripts');
  const text = await cli(['board', 'upgrade', '--port', gpy.portPath, zip, '--transcript-dir', transcripts], gpy);
  assert.equal(text.code, 0, text.stdout + text.stderr);
  assert.match(text.stdout, /• Choose the files from the package: CATM1-41065-cli\.zip \(4 files\)/);
  assert.match(text.stdout, /✓ Choose the files from the package: upgdiff_38638-to-41065\.dup \(FFF\), about \d+ min/);
  assert.match(text.stdout, /\[ok\] +Files chosen from the package: modem runs 38638 → upgdiff_38638-to-41065\.dup, 586 KiB, FFF, about \d+ min\. Left out: /);
  const attempt = JSON.parse(readFileSync(join(transcripts, 'last-attempt.json'), 'utf8')) as { files: string[] };
  assert.deepEqual(attempt.files.map((f) => f.split(/[\\/]/).pop()), ['CATM1-41065-cli.zip'], 'the record names the package, as given');

  const again = await rig('package-cli-json');
  const json = await cli(['board', 'upgrade', '--port', again.gpy.portPath, zip, '--json', '--transcript-dir', transcripts], again.gpy);
  assert.equal(json.code, 0, json.stdout + json.stderr);
  const events = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as UpgradeEvent);
  assert.match(stepDetail(events, 'done')!, /^upgdiff_38638-to-41065\.dup \(FFF\)/);
  assert.equal(preflightOf(events)?.results[0]?.id, 'package-choice');
});

test('CLI: a package the modem already runs is refused before anything changes; a package among loose files too', async () => {
  const { gpy } = await rig('package-cli-same', { build: 41065 });
  const zip = writeZip('CATM1-41065-same.zip', package41065());
  const transcripts = join(dir, 'cli-same');
  const refused = await cli(['board', 'upgrade', '--port', gpy.portPath, zip, '--transcript-dir', transcripts], gpy);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /✗ Choose the files from the package: The modem already runs build 41065, the build this package installs\./);
  assert.match(refused.stdout, /choose its full image as a file of its own/);
  assert.equal(gpy.modem.build, 41065);
  const mixed = await cli(['board', 'upgrade', '--port', gpy.portPath, zip, join(dir, 'CATM1-41065.dup')], gpy);
  assert.equal(mixed.code, 2);
  assert.match(mixed.stdout + mixed.stderr, /is a firmware package: give it alone/);
});

test('CLI: an encrypted zip is refused before the port opens, with what to do', async () => {
  const { gpy } = await rig('package-cli-encrypted');
  const zip = join(dir, 'CATM1-41065-encrypted.zip');
  writeFileSync(zip, makeZip([{ name: 'CATM1-41065.dup', data: 'x'.repeat(1000), encrypted: true }]));
  const result = await cli(['board', 'upgrade', '--port', gpy.portPath, zip, '--transcript-dir', join(dir, 'cli-encrypted')], gpy);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stdout, /CATM1-41065-encrypted\.zip is encrypted/);
  assert.match(result.stdout, /password from Pycom's download page/);
  assert.equal(gpy.board.stats.ctrlFReceived, 0);
});

test('CLI: check with a package chooses as the upgrade would: the full image without a modem, the diff for the modem read through the board', async () => {
  const { gpy } = await rig('package-check');
  const zip = writeZip('CATM1-41065-check.zip', package41065());
  const before = ourTempFolders();
  const alone = await cli(['check', zip], gpy);
  assert.equal(alone.code, 0, alone.stdout + alone.stderr);
  assert.match(alone.stdout, /\[ok\] +Files chosen from the package: modem's build not read → CATM1-41065\.dup, 4\.1 MiB, ON_THE_FLY/);
  assert.match(alone.stdout, /The modem's state and build were not read, so the full image is chosen/);
  const viaBoard = await cli(['check', zip, '--port', gpy.portPath, '--via-board', '--json'], gpy);
  assert.equal(viaBoard.code, 0, viaBoard.stdout + viaBoard.stderr);
  const preflight = JSON.parse(viaBoard.stdout.trim().split('\n').at(-1)!) as Extract<UpgradeEvent, { kind: 'preflight' }>;
  assert.equal(preflight.results[0]!.id, 'package-choice');
  assert.match(preflight.results[0]!.detail, /^modem runs 38638 → upgdiff_38638-to-41065\.dup/);
  assert.ok(preflight.results.some((r) => r.id === 'build-chain' && r.status === 'pass'));
  assert.deepEqual(ourTempFolders(), before);
});

test('CLI: --pick sends the named file of the package instead of the choice; --pick without a package is refused', async () => {
  const { gpy } = await rig('package-cli-pick');
  const zip = writeZip('CATM1-41065-pick.zip', package41065());
  const result = await cli(['board', 'upgrade', '--port', gpy.portPath, zip, '--pick', 'CATM1-41065.dup', '--transcript-dir', join(dir, 'cli-pick')], gpy);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /\[ok\] +Files chosen from the package: picked → CATM1-41065\.dup, 4\.1 MiB, ON_THE_FLY/);
  assert.match(result.stdout, /Plan: on-the-fly — CATM1-41065\.dup/);
  assert.equal(gpy.modem.build, 41065);
  const noPackage = await cli(['board', 'upgrade', '--port', gpy.portPath, join(dir, 'CATM1-41065.dup'), '--pick', 'CATM1-41065.dup'], gpy);
  assert.equal(noPackage.code, 2);
  assert.match(noPackage.stdout + noPackage.stderr, /--pick names files of a firmware package/);
});

test('CLI: one package for several boards: each board gets the files its own modem needs', async () => {
  const { gpy: at38638 } = await rig('package-fleet-a');
  const { gpy: at33080 } = await rig('package-fleet-b', { build: 33080 });
  const zip = writeZip('CATM1-41065-fleet.zip', package41065());
  const opener = new PortOpenerByPath([at38638, at33080].map((g) => [g.portPath, g.registry] as const));
  const run = await runInProcess(['board', 'upgrade', '--port', at38638.portPath, '--port', at33080.portPath, '--transcript-dir', join(dir, 'fleet'), zip], { opener });
  assert.equal(run.code, 0, run.stdout.slice(-3000) + run.stderr);
  assert.equal(at38638.modem.build, 41065);
  assert.equal(at33080.modem.build, 41065);
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(run.stdout, new RegExp(`^${escape(at38638.portPath)} +\\| .*Choose the files from the package: upgdiff_38638-to-41065\\.dup \\(FFF\\)`, 'm'));
  assert.match(run.stdout, new RegExp(`^${escape(at33080.portPath)} +\\| .*Choose the files from the package: upgdiff_33080-to-41065\\.dup \\(FFF\\)`, 'm'));
  // Each board's record names the package, so an interrupted board resumes from it.
  for (const gpy of [at38638, at33080]) {
    const record = await readLastAttempt(join(dir, 'fleet'), gpy.portPath);
    assert.deepEqual(record?.files, [zip], gpy.portPath);
    assert.equal(record?.outcome, 'success');
  }
});
