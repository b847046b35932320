import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { __stub } from '../support/vscodeStub';
import { readFileSync } from 'node:fs';
import { readSettings, readStatusBarMode, TIMEOUT_SETTINGS } from '../../src/glue/settings';
import { lastKnownModem, needsUpdaterElf, runUpgradePreflight, upgradePreflightFacts } from '../../src/glue/upgradePreflight';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import type { RunRecord } from '../../src/views/sessionLog';
import { sessionRules } from '../../src/glue/sessionRules';
import { versionReport } from './fakeCore';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

beforeEach(() => __stub.reset());

test('settings: defaults, seconds become engine milliseconds, nonsense is ignored', () => {
  const defaults = readSettings();
  assert.equal(defaults.replBaudRate, 115200);
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

test('settings: flat timeout keys (what the Settings UI edits) win over the former object, which still counts', () => {
  __stub.configuration.set('pycomModem.timeouts', { stpRequestSeconds: 4, rebootSeconds: 30 });
  __stub.configuration.set('pycomModem.timeouts.rebootSeconds', 45);
  __stub.configuration.set('pycomModem.timeouts.atReplySeconds', 3);
  __stub.configuration.set('pycomModem.timeouts.applySeconds', null);
  assert.deepEqual(readSettings().timeouts, { stpRequestMs: 4_000, rebootMs: 45_000, atReplyMs: 3_000 });
  for (const key of Object.keys(TIMEOUT_SETTINGS)) {
    const declared = pkg.contributes.configuration.properties[`pycomModem.timeouts.${key}`];
    assert.ok(declared, `pycomModem.timeouts.${key} is declared`);
    assert.equal(declared.default, null, 'empty by default: the engine keeps its own default');
  }
  assert.equal(pkg.contributes.configuration.properties['pycomModem.timeouts'], undefined, 'no nested object the Settings UI cannot edit');
});

test('settings: the simulator speed is "times faster" under speedUp; the former timeScale still counts when speedUp is unset', () => {
  __stub.configuration.set('pycomModem.simulator.timeScale', 200);
  assert.equal(readSettings().simulatorSpeedUp, 200, 'an existing settings.json keeps its speed');
  __stub.configuration.set('pycomModem.simulator.speedUp', 50);
  assert.equal(readSettings().simulatorSpeedUp, 50, 'the new name wins once set');
  __stub.configuration.delete('pycomModem.simulator.timeScale');
  __stub.configuration.set('pycomModem.simulator.speedUp', 0.2);
  assert.equal(readSettings().simulatorSpeedUp, 1, 'never slower than real time');
  const declared = pkg.contributes.configuration.properties['pycomModem.simulator.speedUp'];
  assert.equal(declared.default, 20);
  assert.ok(pkg.contributes.configuration.properties['pycomModem.simulator.timeScale'].markdownDeprecationMessage);
});

test('settings: statusBar is auto unless set to always or never', () => {
  assert.equal(readStatusBarMode(), 'auto');
  __stub.configuration.set('pycomModem.statusBar', 'never');
  assert.equal(readStatusBarMode(), 'never');
  __stub.configuration.set('pycomModem.statusBar', 'sometimes');
  assert.equal(readStatusBarMode(), 'auto');
  assert.deepEqual(pkg.contributes.configuration.properties['pycomModem.statusBar'].enum, ['auto', 'always', 'never']);
});

test('preflight: the core checks over what the glue knows, and when updater.elf is needed', () => {
  const file = (path: string, sizeBytes: number) => ({ path, sizeBytes, summary: 'f', problems: [], warnings: [], isUpdaterElf: false });
  assert.equal(needsUpdaterElf({ state: 2 }), false);
  assert.equal(needsUpdaterElf({ state: 0 }), true);
  assert.equal(needsUpdaterElf({ report: { ...versionReport(38638), needsRecoveryBootromUpgrade: true } }), true);

  const facts = upgradePreflightFacts({
    portPath: '/dev/ttyACM0',
    board: { name: 'GPy', firmwareVersion: '1.20.2.r6', hasLteModem: true },
    known: { state: 2, report: versionReport(38638) },
    files: [file('/fw/CATM1-41065.dup', 5_000_000), { ...file('/fw/gone.dup', 0), readError: 'ENOENT' }],
    isSimulated: false,
  });
  assert.deepEqual(facts.modem, { state: 2, softwareBuild: 38638, bootloader0Build: 33080, kind: 'CAT-M1' });
  assert.deepEqual(facts.board, { machine: 'GPy', release: '1.20.2.r6', hasLteModem: true });
  assert.deepEqual(facts.firmware[1], { name: '/fw/gone.dup', readError: 'ENOENT' });

  const ok = runUpgradePreflight(sessionRules, {
    portPath: '/dev/ttyACM0',
    board: { name: 'GPy', firmwareVersion: '1.20.2.r6', hasLteModem: true },
    known: { state: 2, report: versionReport(38638) },
    files: [file('/fw/CATM1-41065.dup', 5_000_000)],
    isSimulated: false,
  });
  // A full image on the old 33080 bootrom without updater.elf is refused before anything is sent.
  assert.equal(ok.isRefused, true);
  assert.match(ok.detail, /Board: GPy \(firmware 1\.20\.2\.r6\) on \/dev\/ttyACM0/);
  assert.match(ok.detail, /Modem \(last read\): LR5\.1\.1\.0-38638 build 38638, state 2/);
  assert.match(ok.detail, /^\[FAIL\] Old bootrom has updater\.elf for a full image: Bootloader0 is the old 33080 bootrom/m);
  assert.match(ok.detail, /plug it back in/);
  const withUpdater = runUpgradePreflight(sessionRules, {
    portPath: '/dev/ttyACM0',
    board: { name: 'GPy', firmwareVersion: '1.20.2.r6', hasLteModem: true },
    known: { state: 2, report: versionReport(38638) },
    files: [file('/fw/CATM1-41065.dup', 5_000_000)],
    updater: { ...file('/fw/updater.elf', 340_000), isUpdaterElf: true, head: new Uint8Array([0x7f, 0x45, 0x4c, 0x46]) },
    isSimulated: false,
  });
  assert.equal(withUpdater.isRefused, false, withUpdater.detail);
  assert.match(withUpdater.detail, /^\[ok\] +Old bootrom has updater\.elf for a full image/m);

  // A board that did not answer is a failure with its reason and what to do, never "ready to upgrade".
  const unidentified = runUpgradePreflight(sessionRules, {
    portPath: 'sim:GPy',
    boardError: 'The board on sim:GPy did not enter its raw REPL',
    known: {},
    files: [file('/fw/CATM1-41065.dup', 5_000_000)],
    isSimulated: true,
  });
  assert.equal(unidentified.isRefused, true);
  assert.match(unidentified.detail, /Board: not identified: The board on sim:GPy did not enter its raw REPL/);
  assert.match(unidentified.detail, /^\[FAIL\] Board has an LTE modem: .*did not enter its raw REPL\./m);
  assert.match(unidentified.detail, /Close every other program.*power-cycle/);
  assert.doesNotMatch(unidentified.detail, /ready to upgrade/);

  const refused = runUpgradePreflight(sessionRules, {
    portPath: '/dev/ttyACM0',
    known: { state: 2, report: versionReport(39529) },
    files: [file('/fw/upgdiff_38638-to-41065.dup', 600_000)],
    isSimulated: false,
  });
  assert.equal(refused.isRefused, true);
  assert.deepEqual(refused.results.filter((r) => r.status === 'fail').map((r) => r.id), ['build-chain']);
});

test('the modem state read before a completed upgrade is stale: it drives no resume plan', () => {
  const session = (kind: 'upgrade' | 'info', events: UpgradeEvent[]): RunRecord => ({
    id: `${kind}-${events.length}`,
    kind,
    title: kind,
    portPath: 'sim:GPy',
    startedAtEpochMs: 0,
    events,
  });
  const upgraded = session('upgrade', [
    { kind: 'modemState', state: 2, atMs: 1 },
    { kind: 'modemState', state: 4, atMs: 2 },
    { kind: 'modemInfo', phase: 'after', report: versionReport(41065), atMs: 3 },
    { kind: 'result', outcome: 'success', message: 'done', atMs: 4 },
  ]);
  const known = lastKnownModem([upgraded], 'sim:GPy');
  assert.equal(known.state, undefined, 'state 4 was read during the upgrade that then completed');
  assert.equal(known.report?.softwareBuild, 41065, 'the version read after the upgrade is still true');
  const detail = runUpgradePreflight(sessionRules, {
    portPath: 'sim:GPy',
    board: { name: 'GPy', hasLteModem: true },
    known,
    files: [{ path: '/fw/CATM1-41065.dup', sizeBytes: 5_000_000, summary: 'f', problems: [], warnings: [], isUpdaterElf: false }],
    isSimulated: true,
  }).detail;
  assert.doesNotMatch(detail, /resume|state 4/i);

  // A failed upgrade's state read after the failure is what the next run needs.
  const failed = session('upgrade', [
    { kind: 'modemState', state: 4, atMs: 5 },
    { kind: 'result', outcome: 'failed', message: 'lost', atMs: 6 },
  ]);
  assert.equal(lastKnownModem([upgraded, failed], 'sim:GPy').state, 4);
  // A later info read counts again.
  const info = session('info', [{ kind: 'modemState', state: 2, atMs: 7 }]);
  assert.equal(lastKnownModem([upgraded, info], 'sim:GPy').state, 2);
});
