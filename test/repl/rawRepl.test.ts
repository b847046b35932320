import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawRepl, BoardSilentError, BoardCodeTimeoutError } from '../../src/core/repl/rawRepl';
import { BoardExecError } from '../../src/core/repl/replOutput';
import { OperationAbortedError, ProtocolError } from '../../src/core/errors';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { anyBytes, latin1ToBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { BANNER, ENTER, RAW_BANNER, scriptedBoard } from './scriptedBoard';

// Short enough to keep the silent-board cases quick, long enough for a loaded machine.
const FAST = { replyTimeoutMs: 1000, interruptTimeoutMs: 300 };

test('enters the raw REPL from the friendly prompt after the boot banner, and runs code', async () => {
  const board = scriptedBoard('r1', [
    { expect: ENTER, reply: `\r\n>>> \r\n>>> \r\n${RAW_BANNER}` },
    { expect: "print('hi')\x04", reply: 'OKhi\r\n\x04\x04>' },
  ], { greeting: BANNER });
  const repl = await RawRepl.enter(board.host, FAST);
  assert.equal(repl.state, 'raw');
  const result = await repl.exec("print('hi')");
  assert.deepEqual(result, { stdout: 'hi\r\n', stderr: '' });
  await board.done;
});

test('a running program is interrupted; its output and traceback before the banner are tolerated', async () => {
  const board = scriptedBoard('r2', [
    {
      expect: ENTER,
      reply:
        'tick 41\r\ntick 42\r\nTraceback (most recent call last):\r\n  File "main.py", line 3, in <module>\r\nKeyboardInterrupt: \r\n>>> \r\n>>> ' +
        `\r\n${RAW_BANNER}`,
    },
    { expect: '1+1\x04', reply: 'OK\x04\x04>' },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  assert.deepEqual(await repl.exec('1+1'), { stdout: '', stderr: '' });
  await board.done;
});

test('when the UART driver swallows the first Ctrl-A, the slow path waits for >>> and sends Ctrl-A again', async () => {
  const board = scriptedBoard('r3', [
    // The board is busy: only the interrupt lands, the Ctrl-A is lost with the flushed buffer.
    { expect: ENTER, reply: '' },
    { expect: '\x03\x03', reply: 'Traceback (most recent call last):\r\nKeyboardInterrupt: \r\n>>> ' },
    { expect: '\x01', reply: `\r\n${RAW_BANNER}` },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  assert.equal(repl.state, 'raw');
  await board.done;
});

test('a silent port is a BoardSilentError with an action, not a hang', async () => {
  const link = new MemoryLink('r4');
  const host = link.open('host');
  link.open('device');
  const error = await RawRepl.enter(host, FAST).catch((e) => e);
  assert.ok(error instanceof BoardSilentError, String(error));
  assert.match(error.message, /did not enter its raw REPL/);
  assert.match(error.action, /reset/);
});

test('garbage from a board in mirror mode (921600) names the wrong baud rate', async () => {
  const link = new MemoryLink('r5');
  const host = link.open('host', { baudRate: 115200 });
  const device = link.open('device', { baudRate: 921600 });
  // The modem behind the mirror answers whatever the garbled control keys were.
  const stopAnswering = new AbortController();
  const answering = (async () => {
    for (;;) {
      await device.read(anyBytes, { deadline: Deadline.never(), signal: stopAnswering.signal });
      await device.write(latin1ToBytes('\r\nERROR\r\n'));
    }
  })().catch(() => undefined);
  const error = await RawRepl.enter(host, FAST).catch((e) => e);
  stopAnswering.abort();
  await answering;
  assert.ok(error instanceof BoardSilentError);
  assert.match(error.message, /bytes that were no REPL prompt: wrong baud rate, or the board is in mirror mode/);
  assert.match(error.action, /power-cycle/);
});

test('an f-string is a SyntaxError on MicroPython 1.11; execOrThrow types it', async () => {
  const board = scriptedBoard('r6', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    {
      expect: 'print(f"{1}")\x04',
      reply: 'OK\x04Traceback (most recent call last):\r\n  File "<stdin>", line 1\r\nSyntaxError: invalid syntax\r\n\x04>',
    },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  const error = await repl.execOrThrow('print(f"{1}")').catch((e) => e);
  assert.ok(error instanceof BoardExecError);
  assert.equal(error.exceptionType, 'SyntaxError');
  assert.equal(error.boardMessage, 'invalid syntax');
  assert.equal(error.reason, 'syntax');
  assert.match(error.traceback, /File "<stdin>", line 1\nSyntaxError/);
  assert.equal(repl.state, 'raw');
  await board.done;
});

test('1/0 comes back as stderr from exec and as ZeroDivisionError from execOrThrow', async () => {
  const traceback = 'Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nZeroDivisionError: divide by zero\r\n';
  const board = scriptedBoard('r7', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: '1/0\x04', reply: `OK\x04${traceback}\x04>` },
    { expect: '1/0\x04', reply: `OK\x04${traceback}\x04>` },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  const result = await repl.exec('1/0');
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, traceback);
  await assert.rejects(repl.execOrThrow('1/0'), (e: unknown) => e instanceof BoardExecError && e.exceptionType === 'ZeroDivisionError' && e.boardMessage === 'divide by zero');
  await board.done;
});

test('OSError [Errno 28] ENOSPC becomes reason no-space with errno 28', async () => {
  const board = scriptedBoard('r8', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: 'w()\x04', reply: 'OK\x04Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nOSError: [Errno 28] ENOSPC\r\n\x04>' },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  const error = await repl.execOrThrow('w()').catch((e) => e);
  assert.ok(error instanceof BoardExecError);
  assert.equal(error.reason, 'no-space');
  assert.equal(error.errno, 28);
  assert.match(error.action, /Free space on \/flash/);
  await board.done;
});

test('OSError [Errno 2] ENOENT is not-found; a bare OSError: 28 still maps by number', async () => {
  const board = scriptedBoard('r8b', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: 'a()\x04', reply: 'OK\x04Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nOSError: [Errno 2] ENOENT\r\n\x04>' },
    { expect: 'b()\x04', reply: 'OK\x04Traceback (most recent call last):\r\nOSError: 28\r\n\x04>' },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  const missing = await repl.execOrThrow('a()').catch((e) => e);
  assert.ok(missing instanceof BoardExecError);
  assert.equal(missing.reason, 'not-found');
  assert.equal(missing.errno, 2);
  const full = await repl.execOrThrow('b()').catch((e) => e);
  assert.equal(full.reason, 'no-space');
  assert.equal(full.errno, 28);
});

test('eval returns the board repr of an expression', async () => {
  const board = scriptedBoard('r8c', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: 'print(repr(6*7))\x04', reply: 'OK42\r\n\x04\x04>' },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  assert.equal(await repl.eval('6*7'), '42');
});

test('stdout streams to onStdout as it arrives, split UTF-8 included', async () => {
  const board = scriptedBoard('r9', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: 'go()\x04', reply: 'OKline one\r\n\xc3' },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  const chunks: string[] = [];
  const running = repl.exec('go()', { onStdout: (t) => chunks.push(t) });
  await board.done;
  await board.device.write(latin1ToBytes('\xa9t\xc3\xa9\r\n\x04\x04>'));
  const result = await running;
  assert.equal(result.stdout, 'line one\r\nété\r\n');
  assert.ok(chunks.length >= 2, 'output arrived in more than one piece');
  assert.equal(chunks.join(''), result.stdout);
});

test('empty code is sent as pass: Ctrl-D alone would soft-reboot the board', async () => {
  const board = scriptedBoard('r10', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: 'pass\x04', reply: 'OK\x04\x04>' },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  await repl.exec('   ');
  await board.done;
  assert.ok(!board.received().endsWith(`${RAW_BANNER}\x04`));
});

test('a late raw REPL banner (answer to an earlier Ctrl-A) before the OK is skipped', async () => {
  const board = scriptedBoard('r11', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: 'x=1\x04', reply: `${RAW_BANNER}\r\n${RAW_BANNER}OK\x04\x04>` },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  assert.deepEqual(await repl.exec('x=1'), { stdout: '', stderr: '' });
});

test('a soft-reboot answer or other bytes instead of OK are a ProtocolError that says so', async () => {
  const board = scriptedBoard('r11b', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: 'x=1\x04', reply: 'PYB: soft reboot\r\n' },
    { expect: '\r\x03\x03\x01', reply: `\r\n${RAW_BANNER}` },
    { expect: 'x=2\x04', reply: '>>> ' },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  const error = await repl.exec('x=1').catch((e) => e);
  assert.ok(error instanceof ProtocolError);
  assert.match(error.message, /restarted its REPL/);
  const other = await repl.exec('x=2').catch((e) => e);
  assert.ok(other instanceof ProtocolError);
  assert.match(other.message, /expected "OK", got ">>> "/);
});

test('code longer than its budget is a BoardCodeTimeoutError keeping the partial output', async () => {
  const board = scriptedBoard('r12', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: 'loop()\x04', reply: 'OKstill going\r\n' },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  const error = await repl.exec('loop()', { timeoutMs: 100 }).catch((e) => e);
  assert.ok(error instanceof BoardCodeTimeoutError, String(error));
  assert.equal(error.partialStdout, 'still going\r\n');
  assert.equal(repl.state, 'unknown');
});

test('after an aborted exec the next exec interrupts the code with Ctrl-C and re-enters first', async () => {
  const board = scriptedBoard('r13', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: 'slow()\x04', reply: 'OK' },
    {
      expect: ENTER,
      reply: `Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nKeyboardInterrupt: \r\n\x04>${RAW_BANNER}`,
    },
    { expect: 'print(2)\x04', reply: 'OK2\r\n\x04\x04>' },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  const controller = new AbortController();
  const running = repl.exec('slow()', { signal: controller.signal });
  setImmediate(() => controller.abort('user cancelled'));
  await assert.rejects(running, OperationAbortedError);
  assert.notEqual(repl.state, 'raw');
  assert.equal((await repl.exec('print(2)')).stdout, '2\r\n');
  await board.done;
});

test('exit sends Ctrl-B and waits for the banner and >>>; the client never sends Ctrl-E, Ctrl-F or a raw-paste probe', async () => {
  const board = scriptedBoard('r14', [
    { expect: ENTER, reply: `\r\n${RAW_BANNER}` },
    { expect: 'import os\x04', reply: 'OK\x04\x04>' },
    { expect: '\x02', reply: `\r\n${BANNER}` },
  ]);
  const repl = await RawRepl.enter(board.host, FAST);
  await repl.exec('import os');
  await repl.exit();
  assert.equal(repl.state, 'friendly');
  await board.done;
  assert.doesNotMatch(board.received(), /[\x05\x06]/);
});

test('a detached REPL (mirror mode) refuses at once', async () => {
  const board = scriptedBoard('r15', [{ expect: ENTER, reply: `\r\n${RAW_BANNER}` }]);
  const repl = await RawRepl.enter(board.host, FAST);
  repl.detach();
  await assert.rejects(repl.exec('1'), (e: unknown) => e instanceof ProtocolError && /mirror mode/.test(e.message));
});

test('code carrying 0x03 or 0x04 is refused before anything is sent', async () => {
  const board = scriptedBoard('r16', [{ expect: ENTER, reply: `\r\n${RAW_BANNER}` }]);
  const repl = await RawRepl.enter(board.host, FAST);
  await assert.rejects(repl.exec("x='\x04'"), /0x03 or 0x04/);
  assert.equal(board.received(), ENTER);
});
