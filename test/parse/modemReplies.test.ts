import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSmodState, parseSmswbootMode, parseSmupgradeStatus } from '../../src/core/parse/modemReplies';
import type { AtReply } from '../../src/core/at/atReply';

test('AT+SMOD?: bare integer, +SMOD: form, AtReply, unknown values', () => {
  const cases: [string[], number | undefined][] = [
    [['2'], 2],
    [['0'], 0],
    [['4'], 4],
    [['1'], 1],
    [['+SMOD: 2'], 2],
    [['  4  '], 4],
    [['3'], undefined],
    [[], undefined],
    [['+CEREG: 2'], undefined],
    [['+SMLOG: LOG_INHERIT', '2'], 2],
  ];
  for (const [lines, expected] of cases) assert.equal(parseSmodState(lines), expected, JSON.stringify(lines));
  const reply: AtReply = { command: 'AT+SMOD?', lines: ['4'], final: 'OK', isOk: true, raw: new Uint8Array(), durationMs: 1 };
  assert.equal(parseSmodState(reply), 4);
});

test('AT+SMUPGRADE?: empty, No report and on-going wait; success and failure end it', () => {
  const cases: [string[], string, string][] = [
    [[], 'pending', ''],
    [['No report'], 'pending', 'No report'],
    [['+SMUPGRADE: on-going'], 'pending', 'on-going'],
    [['+SMUPGRADE: success'], 'success', 'success'],
    [['+SMUPGRADE: SUCCESS'], 'success', 'SUCCESS'],
    [["+SMUPGRADE: failure[diffUpgrade,239] Patch didn't apply!"], 'fail', "failure[diffUpgrade,239] Patch didn't apply!"],
    [['+SMUPGRADE: fail'], 'fail', 'fail'],
  ];
  for (const [lines, status, text] of cases) assert.deepEqual(parseSmupgradeStatus(lines), { status, text }, JSON.stringify(lines));
});

test('AT+SMSWBOOT?: the first mode name anywhere in the reply', () => {
  assert.equal(parseSmswbootMode('+SMSWBOOT: 3,0 (RECOVERY)'), 'RECOVERY');
  assert.equal(parseSmswbootMode(['+SMSWBOOT: FFH']), 'FFH');
  assert.equal(parseSmswbootMode('mode fff'), 'FFF');
  assert.equal(parseSmswbootMode(['', 'UPDATER active']), 'UPDATER');
  assert.equal(parseSmswbootMode('+SMSWBOOT: 1'), undefined);
  assert.equal(parseSmswbootMode('FFFF'), undefined);
});
