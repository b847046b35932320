import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { atReplyFramer, CONCLUSIVE_GARBAGE_BYTES, type FramedAtReply } from '../../src/core/at/atReplyFramer';
import { binaryReplyFramer } from '../../src/core/at/binaryReplyFramer';
import { GarbledReplyError } from '../../src/core/at/atErrors';
import { commandName, isUnsolicitedDuring } from '../../src/core/at/atReply';
import { latin1ToBytes } from '../../src/core/transport/framers';
import type { Framer } from '../../src/core/transport/byteTransport';
import { setUp } from './scriptedModem';

/** Feeds `bytes` to a fresh framer as a growing buffer cut at `cuts`, as the transport does. */
function feed<T>(framer: Framer<T>, bytes: Uint8Array, cuts: number[]): { value: T; consumed: number } | undefined {
  const ends = [...new Set([...cuts.map((c) => c % (bytes.length + 1)), bytes.length])].sort((a, b) => a - b);
  for (const end of ends) {
    const framed = framer.frame(bytes.subarray(0, end));
    if (framed) return framed;
  }
  return undefined;
}

test('command names and the unsolicited rule', () => {
  assert.equal(commandName('AT+SMUPGRADE?'), '+SMUPGRADE');
  assert.equal(commandName('AT+SMSWBOOT=3,1'), '+SMSWBOOT');
  assert.equal(commandName('AT^RESET'), '^RESET');
  assert.equal(commandName('ATI1'), undefined);
  assert.equal(commandName('AT!="showver"'), undefined);
  assert.equal(isUnsolicitedDuring('+SMUPGRADE: success', 'AT+SMUPGRADE?'), false);
  assert.equal(isUnsolicitedDuring('+SMUPGRADE: success', 'AT'), true);
  assert.equal(isUnsolicitedDuring('+SYSSTART', 'AT+SMSWBOOT=1,1'), true);
  assert.equal(isUnsolicitedDuring('+CEREG: 1', 'AT+CFUN=4'), true);
  assert.equal(isUnsolicitedDuring('  Bootloader0  : 5.1.1.0 [33080]', 'AT!="showver"'), false);
});

const infoLine = fc.stringMatching(/^[A-Za-z0-9 :.,\[\]-]{1,30}$/).filter((s) => s.trim() !== '' && s.trim().toUpperCase() !== 'ATI1' && !/^(OK|ERROR|ABORTED|BUSY|NO )/.test(s.trim()));
const ending = fc.constantFrom('\r\n', '\r', '\n');

test('however a reply is cut into chunks, it frames the same, and only up to its final code', () => {
  fc.assert(
    fc.property(
      fc.array(infoLine, { maxLength: 6 }),
      ending,
      fc.boolean(),
      fc.constantFrom('OK', 'ERROR', '+CME ERROR: 10'),
      fc.array(fc.nat(), { maxLength: 8 }),
      (lines, eol, hasEcho, final, cuts) => {
        const command = 'ATI1';
        const text = (hasEcho ? `${command}\r` : '') + lines.map((l) => `${eol}${l}${eol}`).join('') + `${eol}${final}${eol}` + `+CEREG: 5${eol}`;
        const bytes = latin1ToBytes(text);
        const framed = feed(atReplyFramer(command), bytes, cuts);
        assert.ok(framed);
        const value: FramedAtReply = framed.value;
        assert.deepEqual(value.lines, lines.filter((l) => !/^\s*[+^]/.test(l)).map((l) => l.trimEnd()));
        assert.equal(value.final, final);
        assert.equal(value.hasEcho, hasEcho);
        // The URC after the final code is left for whoever reads next.
        assert.ok(text.slice(framed.consumed).includes('+CEREG: 5'));
      },
    ),
    { numRuns: 300 },
  );
});

test('no amount of garbage makes a reply OK', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }).map((b) => b.map((x) => x | 0x80)), (garbage) => {
      const bytes = new Uint8Array([...garbage, ...latin1ToBytes('OK\r\n')]);
      const framed = atReplyFramer('AT').frame(bytes);
      // "<garbage>OK" is one garbled line, not a final code.
      assert.equal(framed, undefined);
    }),
    { numRuns: 200 },
  );
});

test('a flood of garbage is diagnosed at once, without waiting for the deadline', async () => {
  const flood = new Uint8Array(CONCLUSIVE_GARBAGE_BYTES + 10).map((_, i) => 0x80 | (i * 37));
  const { channel, close } = setUp(() => [flood]);
  const startedMs = performance.now();
  const error = await channel.command('AT', { timeoutMs: 20_000 }).catch((e) => e);
  assert.ok(error instanceof GarbledReplyError, String(error));
  assert.ok(performance.now() - startedMs < 10_000);
  close();
});

test('the binary framer never throws on arbitrary input except its size bound, and never consumes past the input', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 5 }), (bytes, cuts) => {
      const framed = feed(binaryReplyFramer('AT+FSRDFILE="/fs/crashdump"'), bytes, cuts);
      if (framed) {
        assert.ok(framed.consumed <= bytes.length);
        assert.ok(framed.value.data.length <= framed.consumed);
      }
    }),
    { numRuns: 500 },
  );
});
