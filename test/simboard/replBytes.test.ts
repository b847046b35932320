import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BANNER, enterRaw, rawExec, startBoardRig, type BoardRig } from './boardHarness';
import { Deadline } from '../../src/core/time/deadline';

// One board for the whole file: the wasm loads once, as it does per board in use.
let rig: BoardRig;
before(async () => {
  rig = await startBoardRig();
  assert.equal(await rig.until('>>> ', 'banner'), BANNER + '>>> ');
});
after(() => rig.stop());

test('§7: Enter and Ctrl-C at the friendly prompt answer a new prompt', async () => {
  await rig.send('\r');
  assert.equal(await rig.until('>>> '), '\r\n>>> ');
  await rig.send('\x03');
  assert.equal(await rig.until('>>> '), '\r\n>>> ');
});

test('friendly REPL echoes, prints expression values with CRLF, and keeps globals', async () => {
  await rig.send('x = 6 * 7\r');
  assert.equal(await rig.until('>>> '), 'x = 6 * 7\r\n>>> ');
  await rig.send('x\r');
  assert.equal(await rig.until('>>> '), 'x\r\n42\r\n>>> ');
  await rig.send('print("a\\nb")\r');
  assert.equal(await rig.until('>>> '), 'print("a\\nb")\r\na\r\nb\r\n>>> ');
});

test('backspace edits the line; a line ending with ":" continues with "... " and auto-indent', async () => {
  await rig.send('1+2\x08\x083\r');
  assert.equal(await rig.until('>>> '), '1+2\b\x1b[K\b\x1b[K3\r\n13\r\n>>> ');
  await rig.send('for i in range(2):\r');
  assert.equal(await rig.until('...     '), 'for i in range(2):\r\n...     ');
  await rig.send('print(i)\r');
  assert.equal(await rig.until('...     '), 'print(i)\r\n...     ');
  // Backspace removes the auto-indent level; Enter on the empty line runs the block.
  await rig.send('\x08\r');
  assert.equal(await rig.until('>>> '), '\b\b\b\b\x1b[K\r\n0\r\n1\r\n>>> ');
});

test('friendly REPL prints a traceback for an exception', async () => {
  await rig.send('1/0\r');
  assert.equal(
    await rig.until('>>> '),
    '1/0\r\nTraceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nZeroDivisionError: divide by zero\r\n>>> ',
  );
});

test('§7: paste mode echoes with "=== " and runs on Ctrl-D', async () => {
  await rig.send('\x05');
  assert.equal(await rig.until('=== '), '\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ');
  await rig.send('a = 1\rprint(a + 1)\r\x04');
  assert.equal(await rig.until('>>> '), 'a = 1\r\n=== print(a + 1)\r\n=== \r\n2\r\n>>> ');
});

test('§7: raw REPL rows: enter, exec, tracebacks, f-string rejected, raw-paste probe, soft reboot, leave', async () => {
  await rig.send('\x01');
  assert.equal(await rig.until('>'), '\r\nraw REPL; CTRL-B to exit\r\n>');

  assert.deepEqual(await rawExec(rig, 'print(1 + 1)'), { stdout: '2\r\n', stderr: '' });

  await rig.send('print(f"{1}")\x04');
  assert.equal(
    await rig.until('\x04>'),
    'OK\x04Traceback (most recent call last):\r\n  File "<stdin>", line 1\r\nSyntaxError: invalid syntax\r\n\x04>',
  );

  await rig.send('1/0\x04');
  assert.equal(
    await rig.until('\x04>'),
    'OK\x04Traceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nZeroDivisionError: divide by zero\r\n\x04>',
  );

  // Raw-paste came in MicroPython 1.13: the probe just restarts the raw REPL, no "R\x01".
  await rig.send('\x05A\x01');
  assert.equal(await rig.until('>'), 'raw REPL; CTRL-B to exit\r\n>');

  await rig.send('\x04');
  assert.equal(await rig.until('>'), 'OK\r\nPYB: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>');
  // The soft reboot cleared the heap: x from earlier is gone.
  const after = await rawExec(rig, 'print(x)');
  assert.match(after.stderr, /NameError: name 'x' isn't defined|NameError: name 'x' is not defined/);

  await rig.send('\x02');
  assert.equal(await rig.until('>>> '), '\r\n' + BANNER + '>>> ');
});

test('raw REPL source is UTF-8 and output comes back as UTF-8 bytes', async () => {
  await enterRaw(rig);
  const utf8 = Buffer.from("print(len('é€'), 'é€')", 'utf8').toString('latin1');
  const { stdout } = await rawExec(rig, utf8);
  assert.equal(Buffer.from(stdout, 'latin1').toString('utf8'), '2 é€\r\n');
  await rig.send('\x02');
  await rig.until('>>> ');
});

test('§7: Ctrl-C while code runs in the raw REPL ends it with KeyboardInterrupt', async () => {
  await enterRaw(rig);
  await rig.send('import time\nwhile True:\n    time.sleep_ms(5)\n\x04');
  assert.equal(await rig.until('OK'), 'OK');
  await rig.send('\x03');
  const rest = await rig.until('\x04>');
  assert.match(rest, /^\x04Traceback \(most recent call last\):\r\n {2}File "<stdin>", line \d+, in <module>\r\nKeyboardInterrupt: \r\n\x04>$/);
  await rig.send('\x02');
  await rig.until('>>> ');
});

test('walrus is rejected like 1.11, but ":=" inside a string is fine', async () => {
  await enterRaw(rig);
  const walrus = await rawExec(rig, 'if (n := 3):\n    pass');
  assert.match(walrus.stderr, /SyntaxError: invalid syntax/);
  const inString = await rawExec(rig, 'print("f{x} := y", \'f"\')');
  assert.equal(inString.stdout, 'f{x} := y f"\r\n');
  await rig.send('\x02');
  await rig.until('>>> ');
});

test('Ctrl-F reboots into safe boot and is recorded', async () => {
  const before = rig.board.stats.ctrlFReceived;
  await rig.send('\x06');
  assert.equal(await rig.until('>>> '), '\r\n' + BANNER + '>>> ');
  assert.equal(rig.board.stats.ctrlFReceived, before + 1);
  assert.equal(rig.board.stats.safeBoots, 1);
  await rig.board.whenState('repl', Deadline.in(1000));
});
