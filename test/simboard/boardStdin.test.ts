import { test } from 'node:test';
import assert from 'node:assert/strict';
import { enterRaw, rawExec, startBoardRig } from './boardHarness';
import { latin1ToBytes } from '../../src/core/transport/framers';

// A running program reading the UART through sys.stdin: what a streamed file push relies on.

const pattern = (count: number) => Array.from({ length: count }, (_, i) => String.fromCharCode(0x41 + (i % 26))).join('');

test('sys.stdin.read gets every byte, even a burst far larger than the buffer while the program reads', async () => {
  const rig = await startBoardRig({ rxBufferBytes: 512, isPaced: false });
  try {
    await rig.until('>>> ');
    await enterRaw(rig);
    await rig.send("import sys\nsys.stdout.write('R')\ns = sys.stdin.read(3000)\nprint(len(s), s[:4], s[-4:])\x04");
    assert.equal(await rig.until('R'), 'OKR');
    const sent = pattern(3000);
    await rig.send(sent);
    assert.equal(await rig.until('\x04'), `3000 ${sent.slice(0, 4)} ${sent.slice(-4)}\r\n\x04`);
    assert.equal(await rig.until('\x04>'), '\x04>');
    assert.equal(rig.board.stats.rxDroppedBytes, 0);
  } finally {
    await rig.stop();
  }
});

test('bytes that arrive during a flash write wait in the 512-byte buffer; beyond it they are lost', async () => {
  // 2 KB at 1 KB/s: two board-seconds (0.1 s here) in which the program reads nothing.
  const rig = await startBoardRig({ rxBufferBytes: 512, flashBytesPerSecond: 1024, timeScale: 0.05 });
  try {
    await rig.until('>>> ');
    await enterRaw(rig);
    await rig.send(
      "import sys\nf = open('/flash/slow.bin', 'wb')\nsys.stdout.write('R')\nf.write(b'x' * 2048)\nf.close()\n" +
        "s = sys.stdin.read(512)\nprint(len(s), s[:4], s[-4:])\x04",
    );
    // 'R' leaves as the flash write starts; 600 bytes take 3 ms of line here.
    assert.equal(await rig.until('R'), 'OKR');
    const sent = pattern(600);
    await rig.send(sent);
    assert.equal(await rig.until('\x04'), `512 ${sent.slice(0, 4)} ${sent.slice(508, 512)}\r\n\x04`);
    assert.equal(await rig.until('\x04>'), '\x04>');
    assert.equal(rig.board.stats.rxDroppedBytes, 600 - 512);
  } finally {
    await rig.stop();
  }
});

test('Ctrl-C ends a blocked sys.stdin.read with KeyboardInterrupt; the raw REPL runs the next code', async () => {
  const rig = await startBoardRig({ timeScale: 0.02 });
  try {
    await rig.until('>>> ');
    await enterRaw(rig);
    await rig.send("import sys\ndef wait():\n    sys.stdout.write('R')\n    return sys.stdin.read(100)\nwait()\x04");
    assert.equal(await rig.until('R'), 'OKR');
    await rig.host.write(latin1ToBytes('abc\x03'));
    assert.match(await rig.until('\x04>'), /^\x04Traceback \(most recent call last\):\r\n.*, in wait\r\nKeyboardInterrupt: \r\n\x04>$/s);
    assert.deepEqual(await rawExec(rig, 'print(6 * 7)'), { stdout: '42\r\n', stderr: '' });
  } finally {
    await rig.stop();
  }
});
