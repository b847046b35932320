import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSmodState, parseSmswbootMode, parseSmupgradeStatus } from '../../src/core/parse/modemReplies';
import { PARSE_TIME_BOUND_MS, fuzzParams, timed } from './fuzzRuns';
import { runsOf } from './fuzzInputs';

const anyLine = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('2', '+SMOD: 4', 'No report', 'on-going', "+SMUPGRADE: failure[diffUpgrade,239] Patch didn't apply!", '+SMUPGRADE: success', 'RECOVERY', 'FFH'),
  runsOf([' ', '\t', 'x', '1', '+SMUPGRADE:', '+SMOD:', 'success', 'fail', 'FF', 'RECOVERY', '-']),
);

test('the poll-reply parsers never throw on any lines, answer only their known values, within the time bound', () => {
  fc.assert(
    fc.property(fc.array(anyLine, { maxLength: 5 }), (lines) => {
      const { value, elapsedMs } = timed(() => ({
        smod: parseSmodState(lines),
        smodReply: parseSmodState({ lines }),
        upgrade: parseSmupgradeStatus(lines),
        swboot: parseSmswbootMode(lines),
        swbootText: parseSmswbootMode(lines.join('\r\n')),
      }));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms`);
      assert.ok(value.smod === undefined || [0, 1, 2, 4].includes(value.smod));
      assert.equal(value.smodReply, value.smod);
      assert.ok(['pending', 'success', 'fail'].includes(value.upgrade.status));
      assert.equal(value.upgrade.text, value.upgrade.text.trim());
      assert.ok(value.swboot === undefined || ['RECOVERY', 'FFH', 'FFF', 'UPDATER'].includes(value.swboot));
    }),
    fuzzParams(),
  );
});

test('+SMUPGRADE round trip: the result text comes back trimmed, and fail wins over success', () => {
  const text = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 40 });
  fc.assert(
    fc.property(text, fc.nat({ max: 5 }), fc.nat({ max: 5 }), fc.array(fc.constantFrom('', 'No report', '2'), { maxLength: 2 }), (result, before, after, others) => {
      const line = `${' '.repeat(before)}+SMUPGRADE:${' '.repeat(after)}${result}${' '.repeat(before)}`;
      const parsed = parseSmupgradeStatus([...others, line]);
      assert.equal(parsed.text, result);
      const expected = /\bfail/i.test(result) ? 'fail' : /\bsuccess/i.test(result) ? 'success' : 'pending';
      assert.equal(parsed.status, expected);
    }),
    fuzzParams(),
  );
});

test('AT+SMOD? round trip: a state line, bare or named, among other lines', () => {
  fc.assert(
    fc.property(fc.nat({ max: 9 }), fc.boolean(), fc.nat({ max: 3 }), (state, isNamed, spaces) => {
      const pad = ' '.repeat(spaces);
      const parsed = parseSmodState(['', `${pad}${isNamed ? '+SMOD:' + pad : ''}${state}${pad}`]);
      assert.equal(parsed, [0, 1, 2, 4].includes(state) ? state : undefined);
    }),
    fuzzParams(),
  );
});

test('regression: a +SMUPGRADE line with 64 KiB of inner spaces (quadratic trim) parses at once', () => {
  const { value, elapsedMs } = timed(() => parseSmupgradeStatus(['+SMUPGRADE: x' + ' '.repeat(64 * 1024) + 'fail ']));
  assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms`);
  assert.equal(value.status, 'fail');
  assert.equal(value.text.length, 64 * 1024 + 5);
});
