import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { recogniseBoardRepl, type ReplSignKind } from '../../src/core/at/replRecogniser';
import { latin1ToBytes } from '../../src/core/transport/framers';
import { buildCrashDumpImage, CAPTURE_33080_SPEC, midTransferCrashSpec } from '../../src/sim/modem/crashDumpImage';
import { SHOWVER_TEXT } from '../fixtures/showverSample';

const FIXTURES = join(__dirname, '..', 'fixtures');
const bytes = (text: string) => latin1ToBytes(text);

const NAME_ERROR = 'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nNameError: name \'AT\' isn\'t defined\r\n';
const PYCOM_BANNER = 'Pycom MicroPython 1.20.2.r6 [v1.11-c5a0a97] on 2021-10-28; GPy with ESP32\r\nType "help()" for more information.\r\n';

const REPL_ANSWERS: [name: string, text: string, kind: ReplSignKind][] = [
  ['friendly REPL answering AT (PROTOCOL.md §7)', `AT\r\n${NAME_ERROR}>>> `, 'python-error'],
  ['a traceback cut before its last line', 'AT\r\nTraceback (most recent call last):\r\n  File "<stdin>", line 1', 'traceback'],
  ['the friendly prompt alone', '\r\n>>> ', 'prompt'],
  ['the prompt with nothing before it', '>>> ', 'prompt'],
  ['the Pycom banner after a reset', `${PYCOM_BANNER}>>> `, 'banner'],
  ['an upstream MicroPython banner', 'MicroPython v1.19.1 on 2022-06-18; ESP32 module with ESP32\r\n', 'banner'],
  ['the banner\'s help line alone', 'Type "help()" for more information.\r\n', 'banner'],
  ['the raw REPL banner', '\r\nraw REPL; CTRL-B to exit\r\n>', 'raw-repl-banner'],
  ['a raw REPL soft reboot', 'OK\r\nPYB: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>', 'raw-repl-banner'],
  ['the end of a raw REPL run', 'OK42\r\n\x04\x04>', 'raw-repl-prompt'],
  ['a raw REPL traceback', 'OK\x04Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nZeroDivisionError: divide by zero\r\n\x04>', 'traceback'],
  ['garbled input run as Python', '\xfe\xf8AT\r\n  File "<stdin>", line 1\r\nSyntaxError: invalid syntax\r\n>>> ', 'python-error'],
  ['an unfinished block (continuation prompt)', 'AT\r\n... ', 'prompt'],
  ['paste mode', '\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ', 'paste-mode'],
  ['a probe typed into paste mode', 'AT\r\n=== ', 'prompt'],
];

for (const [name, text, kind] of REPL_ANSWERS) {
  test(`recognised as a REPL: ${name}`, () => {
    assert.equal(recogniseBoardRepl(bytes(text))?.kind, kind);
  });
}

test('the evidence is the telling text, control bytes escaped', () => {
  assert.equal(recogniseBoardRepl(bytes(`AT\r\n${NAME_ERROR}>>> `))?.evidence, "NameError: name 'AT' isn't defined");
  assert.equal(recogniseBoardRepl(bytes('OK\x04\x04>'))?.evidence, '\\x04\\x04>');
});

const MODEM_ANSWERS: [name: string, data: Uint8Array][] = [
  ['OK with echo on', bytes('AT\r\r\nOK\r\n')],
  ['OK with echo off', bytes('\r\nOK\r\n')],
  ['ERROR with echo', bytes('AT\r\r\nERROR\r\n')],
  ['+CME ERROR', bytes('\r\n+CME ERROR: 4\r\n')],
  ['+SYSSTART noise', bytes('\r\n+SYSSTART\r\n\r\n+SYSSTART\r\nAT\r\r\nOK\r\n')],
  ['AT+SMOD? in the application', bytes('AT+SMOD?\r\r\n2\r\nOK\r\n')],
  ['showver', bytes(`AT!="showver"\r\r\n${SHOWVER_TEXT}\r\nOK\r\n`)],
  ['ATI1', bytes('\r\nUE5.0.0.0d\r\nLR5.1.1.0-39529\r\n\r\nOK\r\n')],
  ['+SMUPGRADE failure text', bytes('\r\n+SMUPGRADE: failure[diffUpgrade,239] Patch didn\'t apply!\r\n\r\nOK\r\n')],
  ['wrong-baud garbage', new Uint8Array(Array.from({ length: 200 }, (_, i) => 0x80 + ((i * 37) % 128)))],
  ['the captured crash dump seed', new Uint8Array(readFileSync(join(FIXTURES, 'crashdump-seed-33080.bin')))],
  ['the crash dump seed\'s spilled rest', new Uint8Array(readFileSync(join(FIXTURES, 'crashdump-seed-33080-rest.txt')))],
  ['a whole simulated crash dump', buildCrashDumpImage(CAPTURE_33080_SPEC)],
  ['a mid-transfer crash dump', buildCrashDumpImage(midTransferCrashSpec('5.1.1.0 [41065] by robot-soft at 2019-01-01 00:00:00'))],
  ['silence', new Uint8Array(0)],
];

for (const [name, data] of MODEM_ANSWERS) {
  test(`not a REPL: ${name}`, () => {
    assert.equal(recogniseBoardRepl(data), undefined);
  });
}

test('a crash dump whose bytes happen to hold \\x04\\x04> mid-way is not a raw REPL prompt', () => {
  const dump = buildCrashDumpImage(CAPTURE_33080_SPEC);
  const planted = new Uint8Array(dump.length + 3);
  planted.set(dump.subarray(0, 100));
  planted.set([0x04, 0x04, 0x3e], 100);
  planted.set(dump.subarray(100), 103);
  assert.equal(recogniseBoardRepl(planted), undefined);
});

test('the updater\'s own lines on the way into mirror mode are not the REPL; the modem after them is not either', () => {
  const updater =
    '<<< Welcome to the SQN3330 firmware updater [1.2.7] >>>\r\n>>> GPy with firmware version 1.20.2.r6\r\nPreparing modem for upgrade...\r\nAttempting AT wakeup...\r\n';
  assert.equal(recogniseBoardRepl(bytes(updater)), undefined, 'a ">>> " that starts a line of output is no prompt');
  const mirrored = `${PYCOM_BANNER}>>> import sqnsupgrade\r\n${NAME_ERROR}${updater}Going into MIRROR mode... please close this terminal to resume the upgrade via UART\r\nAT\r\r\nOK\r\n`;
  assert.equal(recogniseBoardRepl(bytes(mirrored)), undefined, 'what the REPL printed before mirror mode does not count');
  assert.equal(recogniseBoardRepl(bytes(`${mirrored}\r\n>>> `))?.kind, 'prompt', 'a REPL after the announcement (the board was reset) does');
});
