import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedGpy, type SimulatedGpy, type SimulatedGpyOptions } from '../../src/sim/simulatedGpy';
import { makeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { jsonLines, runInProcess } from '../cli/cliHarness';

/**
 * `board upgrade --on-board`: the board's own updater (SD card, /flash) over the CLI on
 * the simulated GPy, as text and as JSON lines, with a fault each.
 */
const gpys: SimulatedGpy[] = [];
const dir = mkdtempSync(join(tmpdir(), 'on-board-cli-'));
after(async () => {
  for (const gpy of gpys) await gpy.stop();
  rmSync(dir, { recursive: true, force: true });
});

const DIFF_NAME = 'upgdiff_38638-to-41065.dup';
// Above the usual minimum for a diff (200 KiB), so the checks raise no size warning.
const DIFF = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 260_000 });

async function gpy(name: string, options: SimulatedGpyOptions = {}) {
  const sim = await createSimulatedGpy({ portPath: `sim:${name}`, timeScale: 0.001, ...options });
  gpys.push(sim);
  return sim;
}

async function onBoard(sim: SimulatedGpy, operands: string[], extra: string[] = []) {
  const transcriptDir = join(dir, `t-${sim.portPath.slice(4)}`);
  return runInProcess(['board', 'upgrade', '--port', sim.portPath, '--on-board', ...operands, '--transcript-dir', transcriptDir, '--timeout-scale', '0.01', ...extra], {
    opener: sim.registry,
  });
}

test('--on-board /sd/FILE.dup: the board reads the card and upgrades the modem; the text shows steps, versions and the REPL', async () => {
  const sim = await gpy('cli-sd', { board: { sdCard: { [DIFF_NAME]: DIFF } } });
  const result = await onBoard(sim, [`/sd/${DIFF_NAME}`]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /Find the firmware file on the board/);
  assert.match(result.stdout, /\/sd\/upgdiff_38638-to-41065\.dup \(254 KiB\) is on the board/);
  assert.match(result.stdout, /Send the firmware/);
  assert.match(result.stdout, /Wait for the modem to finish upgrading/);
  assert.match(result.stdout, /Your modem has been successfully updated\./);
  assert.match(result.stdout, /41065/);
  assert.match(result.stdout, /back at its REPL/);
  assert.equal(sim.modem.build, 41065);
  assert.equal(sim.board.state, 'repl');
});

test('--on-board --json: one event per line, progress from the board\'s bar, versions before and after, the result', async () => {
  const sim = await gpy('cli-sd-json', { board: { sdCard: { [DIFF_NAME]: DIFF } } });
  const result = await onBoard(sim, [`/sd/${DIFF_NAME}`], ['--json']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const events = jsonLines(result.stdout);
  const progress = events.filter((e) => e.kind === 'progress' && e.step === 'transfer');
  assert.ok(progress.length >= 2);
  assert.equal(progress.at(-1)!.bytesDone, DIFF.length);
  assert.ok(events.some((e) => e.kind === 'modemInfo' && e.phase === 'before'));
  assert.ok(events.some((e) => e.kind === 'modemInfo' && e.phase === 'after' && (e.report as { softwareBuild?: number }).softwareBuild === 41065));
  const resultEvent = events.find((e) => e.kind === 'result')!;
  assert.equal(resultEvent.outcome, 'success');
  assert.match(readFileSync(resultEvent.transcriptPath as string, 'utf8'), /sqnsupgrade\.run\('\/sd\/upgdiff_38638-to-41065\.dup'\)/);
});

test('--on-board flash DIFF.dup: pushed to /flash, run there, removed', async () => {
  const local = join(dir, DIFF_NAME);
  writeFileSync(local, DIFF);
  const sim = await gpy('cli-flash');
  const result = await onBoard(sim, ['flash', local]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /Copy the diff file to \/flash/);
  assert.match(result.stdout, /Remove the diff file from \/flash/);
  assert.equal(sim.modem.build, 41065);
  assert.equal(await sim.board.exists(`/flash/${DIFF_NAME}`), false);
});

test('fault: patch failure (the modem rejects the diff) exits 1 with the diagnosis and a report', async () => {
  const sim = await gpy('cli-patch', { modem: { faults: ['patch-fails'] }, board: { sdCard: { [DIFF_NAME]: DIFF } } });
  const report = join(dir, 'patch-report.md');
  const result = await onBoard(sim, [`/sd/${DIFF_NAME}`], ['--report', report]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /Patch didn't apply/);
  assert.match(result.stdout, /The modem rejected the image/);
  assert.match(result.stdout, /Diagnostic report: /);
  const markdown = readFileSync(report, 'utf8');
  assert.match(markdown, /The modem rejected the image/);
  assert.match(markdown, /Upgrade failed with result failure\[diffUpgrade,239\]/);
  assert.equal(sim.modem.build, 38638);
});

test('fault: a diff for another build under a name that does not say so: the modem rejects it; named right, the checks refuse it first', async () => {
  const other = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 37746, build: 41065, size: 260_000 });
  const sim = await gpy('cli-other-build', { board: { sdCard: { 'firmware.dup': other, 'upgdiff_37746-to-41065.dup': other } } });
  const rejected = await onBoard(sim, ['/sd/firmware.dup'], ['--yes']);
  assert.equal(rejected.code, 1, rejected.stdout + rejected.stderr);
  assert.match(rejected.stdout, /Upgrade failed with result failure\[diffUpgrade,239\] Patch didn't apply!/);
  assert.equal(sim.modem.build, 38638);
  const stored = sim.modem.stored.length;
  const refused = await onBoard(sim, ['/sd/upgdiff_37746-to-41065.dup'], ['--yes']);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /\[FAIL\]/i);
  assert.equal(sim.modem.stored.length, stored, 'nothing sent');
});

test('fault: a silent modem exits 1: the board updater could not detect it', async () => {
  const sim = await gpy('cli-silent', { modem: { faults: ['silent'] }, board: { sdCard: { [DIFF_NAME]: DIFF } } });
  // The modem's build is unknown (info() could not read it): the diff's warning needs --yes.
  const result = await onBoard(sim, [`/sd/${DIFF_NAME}`], ['--yes']);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /Could not detect your modem!/);
  assert.match(result.stdout, /could not detect the modem/);
  assert.match(result.stdout, /safe boot/);
  assert.equal(sim.modem.stored.length, 0);
});

test('faults: no SD card, and a file that is not there, are refused before the modem is touched (exit 2)', async () => {
  const noCard = await gpy('cli-no-card');
  const refused = await onBoard(noCard, [`/sd/${DIFF_NAME}`]);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /No SD card: the board cannot mount \/sd/);
  assert.match(refused.stdout, /Insert the SD card/);
  assert.equal(noCard.modem.stored.length, 0);

  const emptyCard = await gpy('cli-missing', { board: { sdCard: {} } });
  const missing = await onBoard(emptyCard, ['/sd/CATM1-41065.dup']);
  assert.equal(missing.code, 2, missing.stdout + missing.stderr);
  assert.match(missing.stdout, /\/sd\/CATM1-41065\.dup is not on the board/);
});

test('usage: a full image for /flash, a local path without `flash`, --updater with --on-board', async () => {
  const full = join(dir, 'CATM1-41065.dup');
  writeFileSync(full, makeSyntheticFirmware({ kind: 'full', network: 'CAT-M1', build: 41065, size: 300_000 }));
  const sim = await gpy('cli-usage');
  const tooBig = await onBoard(sim, ['flash', full]);
  assert.equal(tooBig.code, 2);
  assert.match(tooBig.stdout + tooBig.stderr, /does not fit in \/flash/);
  const local = await runInProcess(['board', 'upgrade', '--port', sim.portPath, '--on-board', 'upgdiff.dup'], { opener: sim.registry });
  assert.equal(local.code, 2);
  assert.match(local.stderr, /not a board path/);
  const updater = await runInProcess(['board', 'upgrade', '--port', sim.portPath, '--on-board', '/sd/x.dup', '--updater', 'updater.elf'], { opener: sim.registry });
  assert.equal(updater.code, 2);
  assert.match(updater.stderr, /second board path/);
});

test('board ls /sd mounts the card and lists it; without a card it says so', async () => {
  const sim = await gpy('cli-ls-sd', { board: { sdCard: { [DIFF_NAME]: DIFF } } });
  const listed = await runInProcess(['board', 'ls', '/sd', '--port', sim.portPath], { opener: sim.registry });
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /260000 {2}upgdiff_38638-to-41065\.dup/);
  const noCard = await gpy('cli-ls-no-card');
  const refused = await runInProcess(['board', 'ls', '/sd', '--port', noCard.portPath], { opener: noCard.registry });
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /no SD card/);
});
