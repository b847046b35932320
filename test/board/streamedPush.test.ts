import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { RawRepl } from '../../src/core/repl/rawRepl';
import { BoardExecError } from '../../src/core/repl/replOutput';
import { OperationAbortedError } from '../../src/core/errors';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { STREAM_CHUNK_PAYLOAD_BYTES, pushFile } from '../../src/core/board/boardFiles';
import { SimulatedBoard, type SimulatedBoardOptions } from '../../src/sim/board/simulatedBoard';

// The streamed push against the simulated board: real MicroPython reading its stdin in a
// worker, a paced UART and a 512-byte receive buffer that loses what overflows it.

const boards: SimulatedBoard[] = [];
after(async () => {
  for (const board of boards) await board.stop();
});

let links = 0;
async function simulated(options: SimulatedBoardOptions = {}) {
  const link = new MemoryLink(`sim:stream-${++links}`, { baudRate: 115200 });
  const board = new SimulatedBoard(link.open('device'), { timeScale: 0.02, flashBytes: 2 * 1024 * 1024, ...options });
  boards.push(board);
  await board.start();
  const repl = await RawRepl.enter(link.open('host'), { replyTimeoutMs: 2000 });
  return { board, repl };
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The REPL answers a fresh exec with exactly its output: no base64 left in its line, no stale reply. */
async function assertReplUsable(repl: RawRepl): Promise<void> {
  assert.equal(repl.state, 'raw');
  assert.equal(await repl.execOrThrow('print(6 * 7)'), '42\r\n');
}

test('streams exact bytes for sizes around the chunk size, with progress per acknowledged chunk and nothing dropped', async () => {
  const { board, repl } = await simulated();
  const chunk = STREAM_CHUNK_PAYLOAD_BYTES;
  for (const size of [0, 1, 2, 3, chunk - 1, chunk, chunk + 1, 3 * chunk + 2]) {
    const bytes = new Uint8Array(randomBytes(size));
    const progress: number[] = [];
    const result = await pushFile(repl, { bytes, remotePath: `/flash/s${size}.bin`, onProgress: (done) => progress.push(done) });
    assert.equal(result.scheme, 'streamed', `size ${size}`);
    assert.equal(result.attempts, 1);
    assert.deepEqual(await board.readFile(`/flash/s${size}.bin`), bytes, `size ${size}`);
    assert.equal(await board.exists(`/flash/s${size}.bin.part`), false);
    assert.deepEqual(progress, [0, ...Array.from({ length: Math.ceil(size / chunk) }, (_, i) => Math.min(size, (i + 1) * chunk))], `size ${size}`);
  }
  assert.equal(board.stats.rxDroppedBytes, 0);
  assert.equal(board.stats.ctrlFReceived, 0);
  await assertReplUsable(repl);
});

test('the window protects the 512-byte buffer from slow flash writes; a host ignoring it would lose bytes', async () => {
  // A chunk's flash write lasts 0.75 board-seconds here, twenty times the line time of the window.
  const slowFlash = { flashBytesPerSecond: 2048, rxBufferBytes: 512 };
  const bytes = new Uint8Array(randomBytes(12 * STREAM_CHUNK_PAYLOAD_BYTES));

  const windowed = await simulated(slowFlash);
  const result = await pushFile(windowed.repl, { bytes, remotePath: '/flash/w.bin' });
  assert.equal(result.scheme, 'streamed');
  assert.deepEqual(await windowed.board.readFile('/flash/w.bin'), bytes);
  assert.equal(windowed.board.stats.rxDroppedBytes, 0);

  const flooded = await simulated(slowFlash);
  const controller = new AbortController();
  // Once bytes are lost the board waits for data that never comes: stop there.
  flooded.board.events.on((event) => event.kind === 'rxDropped' && controller.abort('bytes were lost'));
  const pushing = pushFile(flooded.repl, { bytes, remotePath: '/flash/w.bin', windowBytes: bytes.length * 2, signal: controller.signal });
  await assert.rejects(pushing, OperationAbortedError);
  assert.ok(flooded.board.stats.rxDroppedBytes > 0, 'without the window the buffer overflows');
  assert.equal(await flooded.board.exists('/flash/w.bin'), false);
  await assertReplUsable(flooded.repl);
});

test('ENOSPC mid-stream: a clear error, the .part removed, the target untouched, the REPL usable', async () => {
  const { board, repl } = await simulated({ flashBytes: 128 * 1024 });
  const old = new Uint8Array(randomBytes(3000));
  await board.writeFile('/flash/updater.elf', old);
  // The board overstates its free space, as if something else filled /flash after the check.
  await repl.execOrThrow(
    [
      'import uos',
      '_pm_statvfs = uos.statvfs',
      'def _pm_roomy(p):',
      '    s = _pm_statvfs(p)',
      '    return (s[0], s[1], s[2] * 8, s[3] * 8, s[4] * 8) + tuple(s[5:])',
      'uos.statvfs = _pm_roomy',
    ].join('\n'),
  );
  const bytes = new Uint8Array(randomBytes(200 * 1024));
  const progress: number[] = [];
  let failureMarks = 0;
  const untap = repl.io.onTap((tap) => tap.direction === 'rx' && (failureMarks += tap.bytes.filter((b) => b === 0x21).length));
  const error = await pushFile(repl, { bytes, remotePath: '/flash/updater.elf', onProgress: (done) => progress.push(done) }).catch((e) => e);
  untap();
  assert.equal(failureMarks, 1, "the loop reported the failure with its '!' and discarded the bytes in flight");
  assert.ok(error instanceof BoardExecError, String(error));
  assert.equal(error.reason, 'no-space');
  assert.match(error.message, /writing \/flash\/updater\.elf\.part: the board raised OSError/);
  assert.ok(progress.at(-1)! > 0 && progress.at(-1)! < bytes.length, 'it failed mid-stream');
  assert.deepEqual(await board.readFile('/flash/updater.elf'), old);
  assert.equal(await board.exists('/flash/updater.elf.part'), false);
  assert.equal(board.stats.rxDroppedBytes, 0);
  await assertReplUsable(repl);
});

test('an abort mid-stream stops the board at once and leaves the REPL usable and the target untouched', async () => {
  const { board, repl } = await simulated();
  const old = new Uint8Array(randomBytes(4000));
  await board.writeFile('/flash/updater.elf', old);
  const bytes = new Uint8Array(randomBytes(60 * STREAM_CHUNK_PAYLOAD_BYTES));
  const controller = new AbortController();
  let abortedAtMs = 0;
  const pushing = pushFile(repl, {
    bytes,
    remotePath: '/flash/updater.elf',
    signal: controller.signal,
    onProgress: (done, total) => {
      if (done <= total / 3 || controller.signal.aborted) return;
      abortedAtMs = performance.now();
      controller.abort('user cancelled');
    },
  });
  await assert.rejects(pushing, (error: unknown) => {
    assert.ok(error instanceof OperationAbortedError, String(error));
    // What the cancel left: the target as it was, and a partial copy the next push removes.
    assert.match(error.action, /\/flash\/updater\.elf on the board is unchanged/);
    assert.match(error.action, /updater\.elf\.part/);
    return true;
  });
  // A resync that had to take its slow path (Ctrl-A read as data by the loop) would wait out the 2 s reply timeout.
  assert.ok(performance.now() - abortedAtMs < 2000, `the board stopped ${(performance.now() - abortedAtMs).toFixed(0)} ms after the abort`);
  await assertReplUsable(repl);
  assert.deepEqual(await board.readFile('/flash/updater.elf'), old);
  const part = await board.readFile('/flash/updater.elf.part');
  assert.ok(part.length > 0 && part.length < bytes.length, 'a partial .part is what is left');

  const again = await pushFile(repl, { bytes, remotePath: '/flash/updater.elf' });
  assert.equal(again.scheme, 'streamed');
  assert.deepEqual(await board.readFile('/flash/updater.elf'), bytes);
  assert.equal(await board.exists('/flash/updater.elf.part'), false);
});

test('a board whose receive loop cannot start gets the file one exec per chunk', async () => {
  const { board, repl } = await simulated();
  // Firmware without sys.stdin: the loop's first exec raises AttributeError before it reads anything.
  await repl.execOrThrow(
    [
      'import sys',
      'class _SysWithoutStdin:',
      '    _real = sys',
      '    def __getattr__(self, name):',
      "        if name == 'stdin':",
      '            raise AttributeError(name)',
      '        return getattr(_SysWithoutStdin._real, name)',
      "sys.modules['sys'] = _SysWithoutStdin()",
    ].join('\n'),
  );
  const bytes = new Uint8Array(randomBytes(20_000));
  const result = await pushFile(repl, { bytes, remotePath: '/flash/fallback.bin' });
  assert.equal(result.scheme, 'exec-per-chunk');
  assert.equal(result.sha256, sha(bytes));
  assert.deepEqual(await board.readFile('/flash/fallback.bin'), bytes);
  assert.equal(board.stats.rxDroppedBytes, 0);
  await assertReplUsable(repl);
});

test('a byte lost on the line stalls the loop; the push stops waiting, checks the hash and writes the file again', async () => {
  const { board, repl } = await simulated();
  const bytes = new Uint8Array(randomBytes(5 * STREAM_CHUNK_PAYLOAD_BYTES + 7));
  // The line to the board loses one byte of the third chunk's base64, once.
  const io = repl.io;
  const write = io.write.bind(io);
  let sent = 0;
  let isLost = false;
  const lossAt = 2 * (STREAM_CHUNK_PAYLOAD_BYTES / 3) * 4 + 100;
  (io as { write: typeof io.write }).write = async (chunk, signal) => {
    const start = sent;
    sent += chunk.length;
    if (!isLost && chunk.length > 1 && start < lossAt && sent > lossAt) {
      isLost = true;
      const at = lossAt - start;
      return write(Uint8Array.from([...chunk.subarray(0, at), ...chunk.subarray(at + 1)]), signal);
    }
    return write(chunk, signal);
  };
  const result = await pushFile(repl, { bytes, remotePath: '/flash/lost.bin', chunkWorkTimeoutMs: 1_500 });
  (io as { write: typeof io.write }).write = write;
  assert.ok(isLost, 'the byte was lost');
  assert.equal(result.attempts, 2, 'the hash found the first copy short; the second attempt wrote it whole');
  assert.deepEqual(await board.readFile('/flash/lost.bin'), bytes);
  assert.equal(await board.exists('/flash/lost.bin.part'), false);
  await assertReplUsable(repl);
});
