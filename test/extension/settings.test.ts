import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { __stub } from '../support/vscodeStub';
import { readSettings } from '../../src/commands/settings';
import { preflightSummary, expectedPath, needsUpdaterElf } from '../../src/commands/upgradePreflight';
import { versionReport } from './fakeCore';

beforeEach(() => __stub.reset());

test('settings: defaults, seconds become engine milliseconds, nonsense is ignored', () => {
  const defaults = readSettings();
  assert.equal(defaults.replBaudRate, 115200);
  assert.equal(defaults.mirrorBaudRate, 921600);
  assert.equal(defaults.simulatorSpeedUp, 20);
  assert.deepEqual(defaults.timeouts, {});
  __stub.configuration.set('pycomModem.timeouts', { stpRequestSeconds: 90, applySeconds: -5, wakeupSeconds: 'soon', bogus: 3 });
  __stub.configuration.set('pycomModem.simulator.timeScale', 0.5);
  __stub.configuration.set('pycomModem.replBaudRate', 0);
  const custom = readSettings();
  assert.deepEqual(custom.timeouts, { stpRequestMs: 90_000 });
  assert.equal(custom.simulatorSpeedUp, 1, 'the simulator is never slower than real time');
  assert.equal(custom.replBaudRate, 115200);
});

test('preflight: the path in words and when updater.elf is needed', () => {
  const file = (sizeBytes: number) => ({ path: '/f.dup', sizeBytes, summary: 'f', problems: [], warnings: [], isUpdaterElf: false });
  assert.match(expectedPath([file(5_000_000)], undefined, {}), /^ON_THE_FLY/);
  assert.match(expectedPath([file(4 * 1024 * 1024)], undefined, {}), /^FFF/);
  assert.match(expectedPath([file(600_000)], undefined, { state: 4 }), /^Resume/);
  assert.match(expectedPath([file(600_000)], '/u.elf', {}), /^Recovery/);
  assert.equal(needsUpdaterElf({ state: 2 }), false);
  assert.equal(needsUpdaterElf({ state: 0 }), true);
  assert.equal(needsUpdaterElf({ report: { ...versionReport(38638), needsRecoveryBootromUpgrade: true } }), true);
  const text = preflightSummary({
    portPath: '/dev/ttyACM0',
    boardError: 'the board did not answer in time',
    known: { state: 2, report: versionReport(38638) },
    files: [{ ...file(5_000_000), warnings: ['odd size'] }],
    isSimulated: false,
  });
  assert.match(text, /Board: not identified: the board did not answer in time on \/dev\/ttyACM0/);
  assert.match(text, /Modem \(last read\): LR5\.1\.1\.0-38638 build 38638, state 2/);
  assert.match(text, /⚠ odd size/);
});
