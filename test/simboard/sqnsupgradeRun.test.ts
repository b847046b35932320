import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { makeSyntheticFirmware, makeSyntheticUpdaterElf } from '../../src/sim/firmwareImage';
import { WELCOME, startGpyRepl, type GpyRepl } from './gpyRepl';

/**
 * The board's own updater, `sqnsupgrade.run()` (PROTOCOL.md §9, the SD card and /flash
 * methods): the file read on the board, sent to the modem by the board, the modem's build
 * changed, and the board back at its REPL (no mirror mode).
 */
const DIFF = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 60_000 });
const DIFF_OTHER_BUILD = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 37746, build: 41065, size: 60_000 });
const FULL = makeSyntheticFirmware({ kind: 'full', network: 'CAT-M1', build: 41065, size: 120_000 });
const UPDATER = makeSyntheticUpdaterElf(20_000);
const SUCCESS = 'Your modem has been successfully updated.\r\n';
const FAILED = 'Modem upgrade was unsucessfull. Please check your firmware file(s)\r\n';

async function withGpy(options: Parameters<typeof startGpyRepl>[0], body: (repl: GpyRepl) => Promise<void>): Promise<void> {
  const repl = await startGpyRepl({ ...options, modem: { keepImageBytes: true, ...options?.modem } });
  try {
    await body(repl);
  } finally {
    await repl.stop();
  }
}

async function run(repl: GpyRepl, call: string): Promise<string> {
  const { stdout, stderr } = await repl.exec(`import sqnsupgrade\n${call}`);
  assert.equal(stderr, '');
  // Back at the REPL: no mirror mode, the next command runs.
  assert.equal(repl.gpy.board.state, 'repl');
  assert.deepEqual(await repl.exec('print(1 + 1)'), { stdout: '2\r\n', stderr: '' });
  return stdout;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const barLines = (out: string) => out.split('\r\n').filter((line) => /^\[[# ]{20}\] \d+%$/.test(line));

test('run() from /sd: the updater mounts the card, sends the diff (FFF) with a progress bar, the build changes, the version block follows', async () => {
  await withGpy({ board: { sdCard: { 'upgdiff_38638-to-41065.dup': DIFF } } }, async (repl) => {
    const out = await run(repl, "sqnsupgrade.run('/sd/upgdiff_38638-to-41065.dup')");
    assert.ok(out.startsWith(WELCOME + 'Preparing modem for upgrade...\r\nStarting STP (DO NOT DISCONNECT POWER!!!)\r\n'), out);
    const bars = barLines(out);
    assert.ok(bars.length > 5, 'a bar line per percent reached');
    assert.equal(bars.at(-1), '[####################] 100%');
    assert.ok(out.includes('Waiting for the modem to finish the upgrade'));
    assert.ok(out.includes(SUCCESS + 'Here is the current firmware version:\r\nSYSTEM VERSION\r\n'), out);
    assert.ok(out.includes('Software     : 5.1.1.0 [41065]'));
    assert.ok(out.endsWith('UE5.0.0.0d\r\nLR5.1.1.0-41065\r\nIMEI: 354347094683296\r\n'), out);
    const modem = repl.gpy.modem;
    assert.equal(modem.build, 41065);
    assert.equal(modem.state, 2);
    const image = modem.stored.at(-1)!;
    assert.deepEqual([image.method, image.isComplete, image.length, image.sha256], ['fff', true, DIFF.length, sha256(DIFF)]);
    assert.ok(modem.commandsSeen.includes('AT+SMSTPU') && modem.commandsSeen.includes('AT+SMUPGRADE'));
    // The card stays mounted, as after the real updater.
    assert.equal((await repl.exec("import os\nprint(os.listdir('/'))")).stdout, "['flash', 'sd']\r\n");
  });
});

test('run() from /flash: a diff that fits runs without a card', async () => {
  await withGpy({ board: { files: { 'upgdiff.dup': DIFF } } }, async (repl) => {
    const out = await run(repl, "sqnsupgrade.run('/flash/upgdiff.dup')");
    assert.ok(out.includes(SUCCESS));
    assert.equal(repl.gpy.modem.build, 41065);
    assert.equal(repl.gpy.modem.stored.at(-1)!.sha256, sha256(DIFF));
  });
});

test('run() with load_fff=False sends ON_THE_FLY: the modem reboots into its updater first and boots the new firmware after', async () => {
  await withGpy({ board: { sdCard: { 'CATM1-41065.dup': FULL } } }, async (repl) => {
    const out = await run(repl, "sqnsupgrade.run('/sd/CATM1-41065.dup', load_fff=False)");
    assert.ok(out.includes('Waiting for the modem to restart into its updater...'));
    assert.ok(out.includes('Waiting for the modem to boot its new firmware...'));
    assert.ok(out.includes(SUCCESS));
    const modem = repl.gpy.modem;
    assert.equal(modem.build, 41065);
    assert.equal(modem.state, 2);
    assert.equal(modem.stored.at(-1)!.method, 'on-the-fly');
    assert.ok(modem.commandsSeen.includes('AT+SMSWBOOT=3,1') && modem.commandsSeen.includes('AT+SMSWBOOT=1,1'));
  });
});

test('run() with updater.elf on a modem in recovery (state 0): the board loads it, then the full image ON_THE_FLY', async () => {
  await withGpy({ modem: { state: 0 }, board: { files: { 'updater.elf': UPDATER }, sdCard: { 'CATM1-41065.dup': FULL } } }, async (repl) => {
    const out = await run(repl, "sqnsupgrade.run('/sd/CATM1-41065.dup', '/flash/updater.elf')");
    assert.ok(out.includes('Updater started.'));
    assert.ok(out.includes(SUCCESS), out);
    assert.equal(repl.gpy.modem.build, 41065);
    assert.equal(repl.gpy.modem.state, 2);
  });
});

test('run() refuses before the modem: no card, a wrong name, a file too small, recovery mode without updater.elf', async () => {
  await withGpy({ board: { files: { 'tiny.dup': new Uint8Array(100) } } }, async (repl) => {
    assert.equal(await run(repl, "sqnsupgrade.run('/sd/CATM1-41065.dup')"), WELCOME + 'Unable to mount SD card!\r\n');
    assert.equal(await run(repl, "sqnsupgrade.run('/flash/tiny.dup')"), WELCOME + 'Firmware file is too small!\r\n');
    assert.deepEqual(repl.gpy.modem.commandsSeen, []);
  });
  await withGpy({ board: { sdCard: {} } }, async (repl) => {
    assert.equal(
      await run(repl, "sqnsupgrade.run('/sd/NOPE.dup')"),
      WELCOME + 'Exception when checking file /sd/NOPE.dup... wrong file name?\r\n',
    );
  });
  await withGpy({ modem: { state: 0 }, board: { sdCard: { 'CATM1-41065.dup': FULL } } }, async (repl) => {
    assert.equal(
      await run(repl, "sqnsupgrade.run('/sd/CATM1-41065.dup')"),
      WELCOME + 'Your modem is in recovery mode. Please specify updater.elf file\r\n',
    );
    assert.equal(repl.gpy.modem.state, 0);
  });
});

test('run() on a silent modem: "Could not detect your modem!", nothing sent', async () => {
  await withGpy({ modem: { faults: ['silent'] }, board: { sdCard: { 'u.dup': DIFF } } }, async (repl) => {
    assert.equal(
      await run(repl, "sqnsupgrade.run('/sd/u.dup')"),
      WELCOME + 'Could not detect your modem!\r\nPlease try to power off your device and restart in safeboot mode.\r\n',
    );
    assert.equal(repl.gpy.modem.stored.length, 0);
  });
});

test('run() with a diff for another build: the modem rejects it, the build stays', async () => {
  await withGpy({ board: { sdCard: { 'upgdiff_37746-to-41065.dup': DIFF_OTHER_BUILD } } }, async (repl) => {
    const out = await run(repl, "sqnsupgrade.run('/sd/upgdiff_37746-to-41065.dup')");
    assert.ok(out.endsWith("Upgrade failed with result failure[diffUpgrade,239] Patch didn't apply!!\r\n" + FAILED), out);
    assert.equal(repl.gpy.modem.build, 38638);
  });
  await withGpy({ modem: { faults: ['patch-fails'] }, board: { files: { 'u.dup': DIFF } } }, async (repl) => {
    const out = await run(repl, "sqnsupgrade.run('/flash/u.dup')");
    assert.ok(out.endsWith(FAILED));
    assert.equal(repl.gpy.modem.build, 38638);
  });
});

test('run() when the modem crashes mid-transfer: "Code download failed[1], aborting!", the build stays', async () => {
  await withGpy({ modem: { faults: ['crash-mid-transfer'] }, board: { sdCard: { 'u.dup': DIFF } } }, async (repl) => {
    const out = await run(repl, "sqnsupgrade.run('/sd/u.dup')");
    assert.ok(out.endsWith('Code download failed[1], aborting!\r\n'), out);
    const bars = barLines(out);
    assert.ok(bars.length > 0 && !bars.includes('[####################] 100%'));
    assert.equal(repl.gpy.modem.stored.at(-1)!.isComplete, false);
    assert.equal(repl.gpy.modem.build, 38638);
  });
});
