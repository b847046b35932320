import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANSWER_MS, enterRaw, rawExec, startBoardRig, type BoardRig } from './boardHarness';
import { bytesToLatin1, exactBytes, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { Deadline } from '../../src/core/time/deadline';
import { SimulatedBoard } from '../../src/sim/board/simulatedBoard';
import { UartModel } from '../../src/sim/board/uartModel';

test('bytes a host floods while the board is busy beyond its 512-byte buffer are dropped', async () => {
  const rig = await startBoardRig({ rxBufferBytes: 512 });
  try {
    await rig.until('>>> ');
    await enterRaw(rig);
    // Busy for 100 board-seconds (100 ms real here), then read what the buffer kept.
    await rig.send('import time, sys\ntime.sleep(100)\nprint(len(sys.stdin.buffer.read(512)))\x04');
    assert.equal(await rig.until('OK'), 'OK');
    await rig.host.write(new Uint8Array(2000).fill(0x41));
    assert.equal(await rig.until('\x04'), '512\r\n\x04');
    assert.equal(await rig.until('\x04>'), '\x04>');
    assert.equal(rig.board.stats.rxDroppedBytes, 2000 - 512);
  } finally {
    await rig.stop();
  }
});

test('a host that sends code in chunks while the board is idle loses nothing', async () => {
  const rig = await startBoardRig({ rxBufferBytes: 512 });
  try {
    await rig.until('>>> ');
    await enterRaw(rig);
    // 5 KB of code at once: the raw REPL reads it as it arrives (idle), so no byte is lost.
    const code = `s = '${'x'.repeat(5000)}'\nprint(len(s))`;
    assert.deepEqual(await rawExec(rig, code), { stdout: '5000\r\n', stderr: '' });
    assert.equal(rig.board.stats.rxDroppedBytes, 0);
  } finally {
    await rig.stop();
  }
});

test('output leaves at the 115200 line rate (11,520 bytes/s), scaled by timeScale', async () => {
  const timeScale = 0.1; // 115,200 bytes/s
  const rig = await startBoardRig({ timeScale });
  try {
    await rig.until('>>> ');
    await enterRaw(rig);
    const byteCount = 23_040;
    await rig.send(`import sys\nsys.stdout.write('y' * ${byteCount})\x04`);
    await rig.until('OK');
    const startedMs = performance.now();
    await rig.until('\x04>');
    const elapsedMs = performance.now() - startedMs;
    const expectedMs = (byteCount / (115200 / 10)) * 1000 * timeScale;
    const ratio = elapsedMs / expectedMs;
    // Never faster than the line; slower only when the machine is starved (the board's code makes the output).
    assert.ok(ratio > 0.8 && ratio < 4, `took ${elapsedMs.toFixed(0)} ms for ${expectedMs.toFixed(0)} ms of line time`);
  } finally {
    await rig.stop();
  }
});

test('a long-running program (main.py) is stopped by Ctrl-C, then the REPL prompt appears', async () => {
  const link = new MemoryLink('sim:main', { baudRate: 115200 });
  const board = new SimulatedBoard(link.open('device'), {
    timeScale: 0.001,
    files: { 'main.py': 'import time\nwhile True:\n    time.sleep(1)\n' },
  });
  const mainStarted = new Promise<void>((resolve) => board.events.on((e) => e.kind === 'exec' && e.code === 'main.py' && resolve()));
  const host = link.open('host');
  await board.start();
  const rig = { board, host, send: (t: string) => host.write(latin1ToBytes(t)), until: (d: string) => host.read(untilBytes(d), { deadline: Deadline.in(ANSWER_MS) }).then(bytesToLatin1), stop: () => board.stop() };
  try {
    await mainStarted;
    await rig.send('\x03');
    const text = await rig.until('>>> ');
    // The frame line is there when Ctrl-C lands inside the loop, not while main.py loads.
    assert.match(text, /^Traceback \(most recent call last\):\r\n( {2}File "main\.py", line \d, in <module>\r\n)?KeyboardInterrupt: \r\nPycom MicroPython/);
    await rig.send('\x01');
    await rig.until('raw REPL; CTRL-B to exit\r\n>');
    assert.deepEqual(await rawExec(rig as unknown as BoardRig, "print('ready')"), { stdout: 'ready\r\n', stderr: '' });
  } finally {
    await rig.stop();
  }
});

test('machine.reset() reboots to the friendly banner; the reset button does the same from the raw REPL', async () => {
  const rig = await startBoardRig();
  try {
    await rig.until('>>> ');
    await enterRaw(rig);
    await rig.send('import machine\nmachine.reset()\x04');
    const text = await rig.until('>>> ');
    assert.match(text, /^OKPycom MicroPython 1\.20\.2\.r6/);
    await enterRaw(rig);
    await rig.board.resetBoard();
    assert.match(await rig.until('>>> '), /Pycom MicroPython 1\.20\.2\.r6 .*\r\n>>> $/s);
    assert.equal(rig.board.replMode, 'friendly');
    await rig.host.write(latin1ToBytes('1+1\r'));
    assert.equal(await rig.until('>>> '), '1+1\r\n2\r\n>>> ');
  } finally {
    await rig.stop();
  }
});

test('code that never yields does not freeze the host; a reset restarts the interpreter', async () => {
  const rig = await startBoardRig();
  try {
    await rig.until('>>> ');
    await enterRaw(rig);
    // Ctrl-C disabled and a loop that calls nothing: only a reset ends it.
    await rig.send("import micropython\nmicropython.kbd_intr(-1)\nprint('spinning')\nwhile True:\n    pass\n\x04");
    // The loop runs in the worker; the Node event loop stays free (this read is served).
    assert.equal(await rig.until('spinning\r\n'), 'OKspinning\r\n');
    await rig.send('\x03');
    await rig.board.resetBoard();
    assert.equal(rig.board.stats.interpreterRestarts, 1);
    assert.match(await rig.until('>>> '), /Pycom MicroPython/);
    await rig.send('6*7\r');
    assert.equal(await rig.until('>>> '), '6*7\r\n42\r\n>>> ');
  } finally {
    await rig.stop();
  }
});

test('the UART model paces a burst at the line rate and makes up late timers', async () => {
  const timeScale = 0.1; // 115,200 bytes/s at 115200 baud
  const link = new MemoryLink('uart:pace', { baudRate: 115200 });
  const host = link.open('host');
  const uart = new UartModel(link.open('device'), { timeScale, onReceive: () => undefined });
  try {
    const byteCount = 23_040;
    const startedMs = performance.now();
    uart.send(new Uint8Array(byteCount).fill(0x79));
    await host.read(exactBytes(byteCount), { deadline: Deadline.in(ANSWER_MS) });
    const elapsedMs = performance.now() - startedMs;
    const expectedMs = (byteCount / (115200 / 10)) * 1000 * timeScale;
    const ratio = elapsedMs / expectedMs;
    assert.ok(ratio > 0.8 && ratio < 2.5, `took ${elapsedMs.toFixed(0)} ms for ${expectedMs.toFixed(0)} ms of line time`);
  } finally {
    await uart.stop();
  }
});
