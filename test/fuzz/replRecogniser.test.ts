import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { recogniseBoardRepl } from '../../src/core/at/replRecogniser';
import { latin1ToBytes } from '../../src/core/transport/framers';
import { PARSE_TIME_BOUND_MS, fuzzParams, timed } from './fuzzRuns';
import { runsOf } from './fuzzInputs';

/** What a modem can send: final codes, echoed commands, unsolicited lines, numbers and binary noise (no REPL text). */
const modemText = fc.oneof(
  fc.constantFrom('\r\nOK\r\n', '\r\nERROR\r\n', 'AT\r\r\nOK\r\n', '\r\n+SYSSTART\r\n', '\r\n2\r\nOK\r\n', '+SMOD: 4\r\n', 'UE5.0.0.0d\r\nLR5.1.1.0-41065\r\n'),
  runsOf(['\r\n', 'OK', 'AT', '+', '>', ' ', '4', 'tsaf']),
);

test('the REPL recogniser on arbitrary bytes: never throws, within the time bound', () => {
  const tokens = runsOf(['>>> ', '... ', '\x04', '>', 'Traceback', 'NameError: ', 'MicroPython v1.', '\r\n', 'raw REPL', ' ', 'x', '9', '.'], { maxRun: 400 });
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 4096 }), tokens.map(latin1ToBytes)), (bytes) => {
      const { value, elapsedMs } = timed(() => recogniseBoardRepl(bytes));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms for ${bytes.length} bytes`);
      if (value) assert.ok(value.evidence.length > 0 && !/[\x00-\x1f]/.test(value.evidence), 'evidence is printable');
    }),
    fuzzParams(),
  );
});

test('what a modem says is never taken for a REPL', () => {
  fc.assert(
    fc.property(fc.array(modemText, { maxLength: 20 }), (parts) => {
      assert.equal(recogniseBoardRepl(latin1ToBytes(parts.join(''))), undefined, JSON.stringify(parts.join('')));
    }),
    fuzzParams(),
  );
});

test('a REPL answer is recognised wherever modem noise surrounds its sign', () => {
  const sign = fc.constantFrom("NameError: name 'AT' isn't defined\r\n", 'Traceback (most recent call last):\r\n', 'raw REPL; CTRL-B to exit\r\n');
  fc.assert(
    fc.property(fc.array(modemText, { maxLength: 5 }), sign, fc.array(modemText, { maxLength: 5 }), (before, found, after) => {
      // The REPL prints its error at the start of a line.
      assert.notEqual(recogniseBoardRepl(latin1ToBytes(before.join('') + '\r\n' + found + after.join(''))), undefined);
    }),
    fuzzParams(),
  );
});
