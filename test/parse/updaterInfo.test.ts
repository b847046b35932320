import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpdaterInfo } from '../../src/core/parse/updaterInfo';

const WELCOME = ['<<< Welcome to the SQN3330 firmware updater [1.2.7] >>>', '>>> GPy with firmware version 1.20.2.r6'];

test('info() in application mode: state 2, the ATI1 version and build, the IMEI, LTE autostart', () => {
  const info = parseUpdaterInfo([
    ...WELCOME,
    'Your modem is in application mode. Here is the current version:',
    'UE5.0.0.0d',
    'LR5.1.1.0-41065',
    'IMEI: 354347094123456',
    'LTE autostart disabled.',
  ]);
  assert.equal(info.state, 2);
  assert.equal(info.report.softwareBuild, 41065);
  assert.equal(info.report.kind, 'CAT-M1');
  assert.equal(info.report.lrVersion, '5.1.1.0-41065');
  assert.equal(info.report.imei, '354347094123456');
  assert.equal(info.isLteAutostart, false);
  assert.equal(info.updaterVersion, '1.2.7');
  // info() does not show Bootloader0: the bootrom stays unknown this way.
  assert.deepEqual(info.report.bootloaders, []);
});

test('info() in the other states, and when it cannot tell', () => {
  assert.equal(parseUpdaterInfo(['Your modem is in mTools mode.']).state, 1);
  assert.equal(parseUpdaterInfo(['Your modem is in recovery mode! Use firmware.dup and updater.elf to flash new firmware.']).state, 0);
  assert.equal(parseUpdaterInfo(['Your modem is in upgrade mode! Use firmware.dup to flash new firmware.']).state, 4);
  const unknown = parseUpdaterInfo([...WELCOME, 'Cannot determine modem state!']);
  assert.equal(unknown.state, undefined);
  assert.equal(parseUpdaterInfo(['LR6.0.0.0-43818', 'LTE autostart enabled.']).report.kind, 'NB-IoT');
  assert.equal(parseUpdaterInfo(['LTE autostart enabled.']).isLteAutostart, true);
});
