import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bytesToHex, parseHostToPanel, parsePanelToHost, type HostToPanel } from '../../src/shared/panelMessages';

test('parsePanelToHost accepts the four page messages and copies only known fields', () => {
  for (const type of ['ready', 'cancel', 'copyReport', 'openTranscript'] as const) {
    assert.deepEqual(parsePanelToHost({ type, extra: '<script>', command: 'rm -rf' }), { type });
  }
});

test('parsePanelToHost rejects junk', () => {
  const junk: unknown[] = [
    undefined,
    null,
    42,
    'ready',
    [],
    [{ type: 'ready' }],
    {},
    { type: 'READY' },
    { type: 'runCommand', command: 'pycomModem.upgradeModem' },
    { command: 'ready' },
    { type: { toString: () => 'ready' } },
    Object.create({ type: 'ready' }),
  ];
  for (const value of junk) assert.equal(parsePanelToHost(value), undefined, `accepted ${JSON.stringify(value)}`);
});

test('parsePanelToHost never throws and only ever returns a known type (fuzzed)', () => {
  fc.assert(
    fc.property(fc.anything(), (value) => {
      const parsed = parsePanelToHost(value);
      return parsed === undefined || ['ready', 'cancel', 'copyReport', 'openTranscript'].includes(parsed.type);
    }),
    { numRuns: 500 },
  );
});

const validMessages: HostToPanel[] = [
  { type: 'session', sessionId: 's1', title: 'Upgrade', portPath: '/dev/ttyACM0', startedAtMs: 1 },
  { type: 'plan', path: 'on-the-fly', files: ['CATM1-41065.dup'], estimatedMs: 120000 },
  { type: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: 2 },
  {
    type: 'progress',
    step: 'transfer',
    fileIndex: 1,
    fileName: 'CATM1-41065.dup',
    bytesDone: 10,
    bytesTotal: 100,
    bytesPerSecond: 5,
    etaMs: 18000,
    atMs: 3,
  },
  { type: 'log', level: 'warn', message: 'stall', atMs: 4 },
  {
    type: 'crashDump',
    dump: { isTruncated: true, rawHex: '00ff', warnings: [], file: 'l1DspReset.c', line: 96, message: "'LPU RIP" },
  },
  { type: 'diagnosis', cause: 'x', title: 't', action: 'a', evidence: ['e'] },
  { type: 'preflight', isReady: false, checks: [{ id: 'build-chain', title: 'Diff matches', status: 'fail', detail: 'd', action: 'a' }, { id: 'old-bootrom', title: 'Bootrom', status: 'skip', detail: 'd' }] },
  { type: 'result', outcome: 'failed', message: 'm', action: 'do this' },
];

test('parseHostToPanel accepts every well-formed host message, and a replay of them', () => {
  for (const message of validMessages) assert.deepEqual(parseHostToPanel(message), message);
  const replay: HostToPanel = { type: 'replay', messages: validMessages };
  assert.deepEqual(parseHostToPanel(replay), replay);
});

test('parseHostToPanel rejects a preflight with an unknown status or a malformed check', () => {
  const check = { id: 'i', title: 't', status: 'pass', detail: 'd' };
  assert.equal(parseHostToPanel({ type: 'preflight', isReady: true, checks: [{ ...check, status: 'maybe' }] }), undefined);
  assert.equal(parseHostToPanel({ type: 'preflight', isReady: true, checks: [{ ...check, detail: 3 }] }), undefined);
  assert.equal(parseHostToPanel({ type: 'preflight', isReady: 'yes', checks: [check] }), undefined);
  assert.equal(parseHostToPanel({ type: 'preflight', isReady: true, checks: check }), undefined);
});

test('parseHostToPanel rejects wrong types, unknown phases, bad hex, nested replays', () => {
  const bad: unknown[] = [
    { type: 'step', step: 'transfer', title: 'x', phase: 'exploded', atMs: 1 },
    { type: 'progress', step: 'transfer', fileIndex: 1, fileName: 'f', bytesDone: -1, bytesTotal: 1, bytesPerSecond: 0, atMs: 1 },
    { type: 'progress', step: 'transfer', fileIndex: 1, fileName: 'f', bytesDone: 1, bytesTotal: NaN, bytesPerSecond: 0, atMs: 1 },
    { type: 'crashDump', dump: { isTruncated: false, rawHex: '<img>', warnings: [] } },
    { type: 'crashDump', dump: { isTruncated: false, rawHex: 'abc', warnings: [] } },
    { type: 'result', outcome: 'exploded', message: 'm' },
    { type: 'log', level: 'info', message: 42, atMs: 1 },
    { type: 'replay', messages: [{ type: 'replay', messages: [] }] },
    { type: 'replay', messages: [{ type: 'nope' }] },
    { type: 'modemInfo', phase: 'during', info: { kind: 'CAT-M1', bootloaders: [], needsRecoveryBootromUpgrade: false } },
    { type: 'log', level: 'info', message: 'x'.repeat(70_000), atMs: 1 },
  ];
  for (const value of bad) assert.equal(parseHostToPanel(value), undefined, `accepted ${JSON.stringify(value).slice(0, 80)}`);
});

test('parseHostToPanel never throws on arbitrary input (fuzzed)', () => {
  fc.assert(
    fc.property(fc.anything(), (value) => {
      parseHostToPanel(value);
      return true;
    }),
    { numRuns: 500 },
  );
});

test('bytesToHex writes two lower-case digits per byte', () => {
  assert.equal(bytesToHex(new Uint8Array([0, 15, 16, 255])), '000f10ff');
});

test('a step may carry its wait; a malformed wait is refused whole', () => {
  const wait = { what: 'Waiting for the modem', elapsedMs: 1000, normalMs: 600_000, budgetMs: 2_100_000, isSafeToInterrupt: false };
  const step = { type: 'step', step: 'await-upgrade', title: 'Wait', phase: 'waiting', atMs: 1, wait };
  assert.deepEqual(parseHostToPanel(step), step);
  assert.equal(parseHostToPanel({ ...step, wait: { ...wait, isSafeToInterrupt: 'no' } }), undefined);
  assert.equal(parseHostToPanel({ ...step, wait: { ...wait, elapsedMs: -1 } }), undefined);
});
