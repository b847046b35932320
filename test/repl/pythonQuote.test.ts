import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pyBool, pyBytes, pyInt, pyOptionalStr, pyStr } from '../../src/core/repl/pythonQuote';
import { loadTestMicroPython, type LoadedMicroPython } from '../board/support/micropython';

let python: LoadedMicroPython;
before(async () => {
  python = await loadTestMicroPython();
});

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** What MicroPython makes of the literal: the UTF-8 of the str, as hex. */
function strOnBoard(literal: string): string {
  return python.run(`import binascii\nprint(binascii.hexlify(${literal}.encode()).decode())`).trim();
}

function bytesOnBoard(literal: string): string {
  return python.run(`import binascii\nprint(binascii.hexlify(${literal}).decode())`).trim();
}

const awkward = ['', 'plain', "it's", 'say "hi"', 'back\\slash', 'line\nbreak', 'cr\rlf\r\n', 'tab\there', 'nul\x00byte', '\x03\x04\x05\x06', 'DEL\x7f', 'é ü ß', '€ 中文', '😀 astral', "'''", '\\x41 not an escape', '/flash/updater.elf'];

test('pyStr literals are pure printable ASCII (no 0x03/0x04 can reach the raw REPL)', () => {
  for (const value of awkward) assert.match(pyStr(value), /^'[\x20-\x7e]*'$/, JSON.stringify(value));
});

test('pyStr round-trips NUL, quotes, backslashes, newlines and non-ASCII through a real MicroPython', () => {
  for (const value of awkward) {
    assert.equal(strOnBoard(pyStr(value)), hex(new TextEncoder().encode(value)), JSON.stringify(value));
  }
});

test('pyStr round-trips arbitrary strings (property)', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (value) => {
      assert.equal(strOnBoard(pyStr(value)), hex(new TextEncoder().encode(value)));
    }),
    { numRuns: 150 },
  );
});

test('pyBytes round-trips every byte value', () => {
  const all = new Uint8Array(256).map((_, i) => i);
  assert.match(pyBytes(all), /^b'[\x20-\x7e]*'$/);
  assert.equal(bytesOnBoard(pyBytes(all)), hex(all));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (value) => {
      assert.equal(bytesOnBoard(pyBytes(value)), hex(value));
    }),
    { numRuns: 100 },
  );
});

test('small literals', () => {
  assert.equal(pyInt(921600), '921600');
  assert.throws(() => pyInt(1.5), RangeError);
  assert.throws(() => pyInt(Number.NaN), RangeError);
  assert.equal(pyBool(true), 'True');
  assert.equal(pyOptionalStr(undefined), 'None');
  assert.equal(pyOptionalStr('/flash/updater.elf'), "'/flash/updater.elf'");
});
