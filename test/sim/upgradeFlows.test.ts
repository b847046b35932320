import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { makeSyntheticFirmware, makeSyntheticUpdaterElf } from '../../src/sim/firmwareImage';
import { at, pollUpgrade, readUntil, sendImage, startModem, wakeUp } from './modemHarness';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test('FFF: AT+SMSTPU, STP staging, AT+SMUPGRADE, reboot with +SYSSTART, new build', async () => {
  const rig = startModem({ keepImageBytes: true });
  const image = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 30_000 });
  try {
    await at(rig.host, 'ATE0');
    assert.equal(await at(rig.host, 'AT+SMSTPU'), '\r\nOK\r\n');
    const stats = await sendImage(rig.host, image);
    assert.equal(stats.maxTransfer, 8192);
    assert.equal(stats.timeouts, 0);
    assert.equal(rig.modem.stored.length, 1);
    const stored = rig.modem.stored[0]!;
    assert.equal(stored.kind, 'firmware');
    assert.equal(stored.method, 'fff');
    assert.equal(stored.isComplete, true);
    assert.equal(stored.length, image.length);
    assert.equal(stored.sha256, sha256(image));
    assert.deepEqual(stored.bytes, image);
    // The line is AT again after the closing RESET.
    assert.equal(await at(rig.host, 'AT+SMUPGRADE'), '\r\nOK\r\n');
    const answers = await pollUpgrade(rig.host);
    assert.match(answers.at(-1)!, /\+SMUPGRADE: success\r\n/);
    assert.equal(rig.modem.build, 41065);
    assert.equal(rig.modem.state, 2);
    assert.ok(rig.log.some((l) => l.includes('booted: application')));
    assert.match(await at(rig.host, 'ATI1'), /LR5\.1\.1\.0-41065/);
  } finally {
    await rig.stop();
  }
});

test('FFF: the modem reboots by itself after AT+SMUPGRADE, announcing +SYSSTART with echo on', async () => {
  const rig = startModem();
  const image = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 39529, size: 5_000 });
  try {
    await at(rig.host, 'ATE0');
    await at(rig.host, 'AT+SMSTPU');
    await sendImage(rig.host, image);
    await at(rig.host, 'AT+SMUPGRADE');
    await readUntil(rig.host, '+SYSSTART\r\n', 3000);
    assert.equal(await at(rig.host, 'AT+SMUPGRADE?'), 'AT+SMUPGRADE?\r\r\n+SMUPGRADE: success\r\nOK\r\n');
    assert.equal(rig.modem.build, 39529);
  } finally {
    await rig.stop();
  }
});

test("FFF: a diff for another build ends in \"Patch didn't apply!\" and the build stays", async () => {
  const rig = startModem();
  const image = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 39529, build: 41065, size: 5_000 });
  try {
    await at(rig.host, 'ATE0');
    await at(rig.host, 'AT+SMSTPU');
    await sendImage(rig.host, image);
    await at(rig.host, 'AT+SMUPGRADE');
    const answers = await pollUpgrade(rig.host);
    assert.match(answers.at(-1)!, /\+SMUPGRADE: failure\[diffUpgrade,239\] Patch didn't apply!\r\n/);
    assert.equal(rig.modem.build, 38638);
  } finally {
    await rig.stop();
  }
});

test('ON_THE_FLY: SMSWBOOT=3,1 to the updater, STP, apply, RECOVERY, SMSWBOOT=1,1, +SYSSTART, new build', async () => {
  // A long apply (300 ms here) so that polls surely see it in progress on a busy machine.
  const rig = startModem({ keepImageBytes: true, timings: { applyMs: 300_000 } });
  const image = makeSyntheticFirmware({ kind: 'full', network: 'NB-IoT', build: 41019, size: 60_000 });
  try {
    for (const command of ['AT+BIND=AT', 'ATE0', 'AT+SMLOG?', 'AT+SMOD?', 'AT+SQNSUPGRADENTF="started"', 'AT', 'AT+SQNWL="sqndcc",2', 'AT+CFUN=4']) {
      assert.match(await at(rig.host, command), /OK\r\n$/, command);
    }
    assert.equal(await at(rig.host, 'AT+SMSWBOOT=3,1'), '\r\nOK\r\n');
    assert.equal(rig.modem.mode, 'busy', 'rebooting into the updater');
    // The updater runs with echo off, whatever ATE was before.
    assert.equal(await wakeUp(rig.host), '\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SMOD?'), '\r\n4\r\nOK\r\n');
    await at(rig.host, 'AT+CFUN=4');
    await at(rig.host, 'AT+SMLOG?');
    assert.equal(await at(rig.host, 'AT+SMSTPU="ON_THE_FLY"'), '\r\nOK\r\n');
    await sendImage(rig.host, image);
    assert.equal(rig.modem.stored[0]!.method, 'on-the-fly');
    assert.deepEqual(rig.modem.stored[0]!.bytes, image);
    const answers = await pollUpgrade(rig.host);
    assert.ok(answers.some((a) => /on-going/.test(a)), 'reports on-going while applying');
    assert.match(answers.at(-1)!, /\+SMUPGRADE: success/);
    assert.match(await at(rig.host, 'AT+SMSWBOOT?'), /RECOVERY/);
    assert.equal(rig.modem.build, 38638, 'the new build runs only after the reboot');
    assert.equal(await at(rig.host, 'AT+SMSWBOOT=1,1'), '\r\nOK\r\n');
    await readUntil(rig.host, '\r\n+SYSSTART\r\n', 3000);
    assert.equal(rig.modem.state, 2);
    assert.equal(rig.modem.build, 41019);
    assert.equal(await at(rig.host, 'ATI1'), 'ATI1\r\r\nUE6.0.0.0d\r\nLR6.1.1.0-41019\r\nOK\r\n', 'application echoes again');
  } finally {
    await rig.stop();
  }
});

test('recovery: AT+STP in the bootrom, updater.elf with max transfer 2048, updater loads, then ON_THE_FLY', async () => {
  const rig = startModem({ state: 0, hasOldBootrom: true, keepImageBytes: true });
  const updater = makeSyntheticUpdaterElf(40_000);
  const image = makeSyntheticFirmware({ kind: 'full', network: 'CAT-M1', build: 41065, size: 50_000 });
  try {
    assert.equal(await at(rig.host, 'AT+SMOD?'), '0\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+STP', 2000, '\n'), 'OK\r\n');
    const stats = await sendImage(rig.host, updater);
    assert.equal(stats.maxTransfer, 2048);
    assert.equal(rig.modem.stored[0]!.kind, 'updater');
    assert.equal(rig.modem.stored[0]!.sha256, sha256(updater));
    assert.equal(rig.modem.mode, 'busy', 'loading the updater');
    assert.equal(await wakeUp(rig.host), '\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SMOD?'), '\r\n4\r\nOK\r\n');
    assert.equal(await at(rig.host, 'AT+SMSTPU="ON_THE_FLY"'), '\r\nOK\r\n');
    await sendImage(rig.host, image);
    await pollUpgrade(rig.host);
    assert.match(await at(rig.host, 'AT+SMSWBOOT?'), /RECOVERY/);
    await at(rig.host, 'AT+SMSWBOOT=1,1');
    await readUntil(rig.host, '+SYSSTART\r\n', 3000);
    await at(rig.host, 'ATE0');
    const showver = await at(rig.host, 'AT!="showver"');
    // PROTOCOL.md §9: an upgrade leaves Bootloader0 as it was; only the board's FFH step rewrites it.
    assert.match(showver, /Bootloader0 {2}: 5\.1\.1\.0 \[33080\]/, 'the old bootrom stays');
    assert.match(showver, /Software {5}: 5\.1\.1\.0 \[41065\]/);
    assert.equal(rig.modem.hasOldBootrom, true);
  } finally {
    await rig.stop();
  }
});

test('rebooting into the application before the apply finished leaves the modem in state 4', async () => {
  const rig = startModem({ timings: { applyMs: 600_000 } });
  const image = makeSyntheticFirmware({ kind: 'full', network: 'CAT-M1', build: 41065, size: 20_000 });
  try {
    await at(rig.host, 'ATE0');
    await at(rig.host, 'AT+SMSWBOOT=3,1');
    await wakeUp(rig.host);
    await at(rig.host, 'AT+SMSTPU="ON_THE_FLY"');
    await sendImage(rig.host, image);
    await wakeUp(rig.host);
    assert.match(await at(rig.host, 'AT+SMSWBOOT?'), /UPDATER/, 'still applying');
    await at(rig.host, 'AT+SMSWBOOT=1,1');
    await wakeUp(rig.host);
    assert.equal(await at(rig.host, 'AT+SMOD?'), '\r\n4\r\nOK\r\n');
    assert.equal(rig.modem.build, 38638);
  } finally {
    await rig.stop();
  }
});
