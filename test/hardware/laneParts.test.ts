import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseModemInfoOutput, summarizeModemInfo } from './lane/infoOutput';
import { laneConfigFromEnv, NO_PORT_SKIP_REASON } from './lane/laneConfig';
import { escapeBytes } from './lane/rawTranscript';
import { laneTestBytes } from './lane/laneChecks';

// The wording of PROTOCOL.md §9 for each state the updater's info() reports.
const WELCOME = '<<< Welcome to the SQN3330 firmware updater [1.2.7] >>>\r\n>>> GPy with firmware version 1.20.2.r6\r\n';

test('info() in application mode: state, both ATI1 lines and the IMEI', () => {
  const text = `${WELCOME}Your modem is in application mode. Here is the current version:\r\nUE5.0.0.0d\r\nLR5.1.1.0-41065\r\nIMEI: 354347094683296\r\nLTE autostart disabled.\r\n`;
  const parsed = parseModemInfoOutput(text);
  assert.equal(parsed.info.state, 2);
  assert.equal(parsed.info.report.imei, '354347094683296');
  assert.equal(parsed.info.report.softwareBuild, 41065);
  assert.equal(parsed.info.updaterVersion, '1.2.7');
  assert.equal(parsed.failure, undefined);
  assert.equal(summarizeModemInfo(parsed), 'state 2 (application), LR5.1.1.0-41065, UE5.0.0.0d, IMEI 354347094683296');
});

test('info() in the other states: each sentence gives its state', () => {
  const cases: Array<[string, 0 | 1 | 4]> = [
    ['Your modem is in mTools mode.', 1],
    ['Your modem is in recovery mode! Use firmware.dup and updater.elf to flash new firmware.', 0],
    ['Your modem is in upgrade mode! Use firmware.dup to flash new firmware.', 4],
  ];
  for (const [sentence, state] of cases) assert.equal(parseModemInfoOutput(`${WELCOME}${sentence}\r\n`).info.state, state, sentence);
  const undetermined = parseModemInfoOutput(`${WELCOME}Cannot determine modem state!\r\n`);
  assert.equal(undetermined.info.state, undefined);
  assert.match(summarizeModemInfo(undetermined), /could not determine the modem state/);
});

test('info() that cannot reach the modem: the updater failure message and its advice are kept', () => {
  const parsed = parseModemInfoOutput(`${WELCOME}Could not detect your modem!\r\nPlease try to power off your device and restart in safeboot mode.\r\n`);
  assert.equal(parsed.failure?.line, 'Could not detect your modem!');
  assert.ok(parsed.failure!.action.length > 0);
  assert.match(summarizeModemInfo(parsed), /the updater said "Could not detect your modem!"/);
});

test('info() output with none of the §9 lines parses to nothing and says so', () => {
  const parsed = parseModemInfoOutput(`${WELCOME}Modem state: 2\r\n`);
  assert.equal(parsed.info.state, undefined);
  assert.match(summarizeModemInfo(parsed), /raw output recorded/);
});

test('config: skipped without PYCOM_TEST_PORT; report and transcript paths; firmware list; bad settings fail', () => {
  const now = new Date(2026, 2, 5, 10, 0, 0);
  assert.deepEqual(laneConfigFromEnv({}, { cwd: '/w', now }), { skipReason: NO_PORT_SKIP_REASON });
  const plain = laneConfigFromEnv({ PYCOM_TEST_PORT: '/dev/ttyACM0' }, { cwd: '/w', now });
  assert.ok('config' in plain);
  assert.equal(plain.config.reportPath, join('/w', 'hardware-report-2026-03-05.md'));
  assert.equal(plain.config.transcriptPath, join('/w', 'hardware-report-2026-03-05.transcript.log'));
  assert.equal(plain.config.isMirrorAllowed, false);
  assert.deepEqual(plain.config.firmwarePaths, []);
  const full = laneConfigFromEnv(
    { PYCOM_TEST_PORT: '/dev/ttyACM0', PYCOM_TEST_MIRROR: '1', PYCOM_TEST_FIRMWARE: 'a-1.dup:/abs/a-2.dup', PYCOM_TEST_UPDATER: 'updater.elf', PYCOM_TEST_REPORT: 'out/r.md' },
    { cwd: '/w', now },
  );
  assert.ok('config' in full);
  assert.equal(full.config.isMirrorAllowed, true);
  if (process.platform !== 'win32') assert.deepEqual(full.config.firmwarePaths, ['/w/a-1.dup', '/abs/a-2.dup']);
  assert.equal(full.config.updaterPath, join('/w', 'updater.elf'));
  assert.equal(full.config.transcriptPath, join('/w', 'out', 'r.transcript.log'));
  assert.ok('configError' in laneConfigFromEnv({ PYCOM_TEST_PORT: 'p', PYCOM_TEST_UPDATER: 'u.elf' }, { cwd: '/w', now }));
  assert.ok('configError' in laneConfigFromEnv({ PYCOM_TEST_PORT: 'p', PYCOM_TEST_TIMEOUT_SCALE: 'fast' }, { cwd: '/w', now }));
});

test('the pushed bytes hold NUL, CR, LF, Ctrl-C, Ctrl-D and 0xFF; the transcript shows them escaped', () => {
  const bytes = laneTestBytes(3000);
  for (const byte of [0x00, 0x0d, 0x0a, 0x03, 0x04, 0xff]) assert.ok(bytes.includes(byte), `0x${byte.toString(16)}`);
  assert.equal(escapeBytes(new Uint8Array([0x00, 0x0d, 0x0a, 0xff, 0x41, 0x22, 0x5c])), '"\\x00\\r\\n\\xffA\\"\\\\"');
});
