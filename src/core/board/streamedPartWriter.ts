import { OperationAbortedError, ReadTimeoutError } from '../errors';
import { BoardCodeTimeoutError, INTERRUPT_TIMEOUT_MS, type RawRepl } from '../repl/rawRepl';
import { BoardExecError } from '../repl/replOutput';
import { pyStr } from '../repl/pythonQuote';
import type { Framer } from '../transport/byteTransport';
import { bytesToLatin1, latin1ToBytes, untilBytes } from '../transport/framers';
import { Deadline } from '../time/deadline';
import { BoardReplyError } from './boardErrors';
import { CHUNK_WORK_TIMEOUT_MS, PART_HANDLE, openPartCode } from './execPartWriter';

/**
 * Fills an open `.part` file through ONE exec: a receive loop on the board reads
 * fixed-size base64 chunks from its stdin, decodes each, writes it to flash and
 * acknowledges it with one byte. The host sends the next chunk while the board writes
 * the previous one, so the flash writes hide behind the line time instead of adding to it.
 *
 * Flow control. The board reads nothing while it decodes and writes a chunk; whatever
 * the host sends meanwhile waits in its UART receive buffer (512 bytes on Pycom, more
 * beyond is lost). The host therefore never sends more than STREAM_WINDOW_BYTES past
 * the end of the first chunk the board has not acknowledged: only the bytes past the
 * end of the chunk being written can pile up, and they are at most the window. The
 * chunk is sized so its flash write takes less than the window's line time, which
 * keeps the line busy.
 *
 * Base64 never contains Ctrl-C or Ctrl-D, so the interrupt character stays an
 * interrupt and the raw REPL never sees a stray "run". When a write fails (ENOSPC),
 * the board answers FAILED instead of the acknowledgement and discards input up to
 * the host's DISCARD_END ('.', outside the base64 alphabet) before it raises, so the
 * bytes in flight are never taken for code and the exec ends with the real traceback.
 * An abort or a timeout sends Ctrl-C (which ends the board's stdin read) and brings
 * the raw REPL back to its prompt before the error is thrown.
 */

/**
 * Payload per chunk, a multiple of 3 so only the last chunk's base64 has padding. Its
 * flash write at 64 KB/s (18 ms) plus the decode leaves about 15 ms of the 33 ms the
 * window takes on a 115200 line for the acknowledgement's trip (a USB-serial chip may
 * hold a lone byte for up to 16 ms) and a garbage collection. Measured on the
 * simulator: 1152 and 1536 keep the line busy, 2304 already stalls it.
 */
export const STREAM_CHUNK_PAYLOAD_BYTES = 1152;
/** Bytes the host may have sent past the chunk being written: 128 under the 512-byte buffer, not counting on the ESP32's 128-byte FIFO for room. */
export const STREAM_WINDOW_BYTES = 384;
/** Board work before the loop reads its first byte (imports, opening the file). */
const START_TIMEOUT_MS = 10_000;

const READY = 0x52; // 'R'
const ACK = 0x2b; // '+'
const FAILED = 0x21; // '!'
const DISCARD_END = '.';
const CTRL_C = 0x03;
const CTRL_D = 0x04;

export interface StreamOptions {
  chunkBytes?: number;
  windowBytes?: number;
  /** The board's work on one chunk beyond its line time (decode, flash write); default CHUNK_WORK_TIMEOUT_MS. */
  chunkWorkTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/** Written; or the board could not start the loop (its traceback), and nothing was sent. */
export type StreamOutcome = { isWritten: true } | { isWritten: false; startError: BoardExecError };

function receiveLoopCode(part: string, totalBytes: number, chunkBytes: number): string {
  return [
    'import sys, ubinascii',
    openPartCode(part),
    'def _pm_recv(n, c):',
    '    r = sys.stdin.read',
    '    w = sys.stdout.write',
    '    a = ubinascii.a2b_base64',
    `    f = ${PART_HANDLE}`,
    `    w(${pyStr(String.fromCharCode(READY))})`,
    '    while n > 0:',
    '        k = c if n > c else n',
    '        try:',
    '            f.write(a(r((k + 2) // 3 * 4)))',
    '        except Exception:',
    `            w(${pyStr(String.fromCharCode(FAILED))})`,
    `            while r(1) not in (${pyStr(DISCARD_END)}, ''):`,
    '                pass',
    '            raise',
    '        n -= k',
    `        w(${pyStr(String.fromCharCode(ACK))})`,
    `_pm_recv(${totalBytes}, ${chunkBytes})`,
  ].join('\n');
}

type LoopReply =
  | { kind: 'signals'; isReady: boolean; acks: number; hasFailed: boolean }
  /** The exec ended: `\x04` is next, left for RawRepl.follow. */
  | { kind: 'ended' }
  | { kind: 'stray'; text: string };

/** The loop's one-byte signals, as many as have arrived; stops before anything else. */
const loopReplyFramer: Framer<LoopReply> = {
  description: "the board's acknowledgements",
  frame(pending) {
    let isReady = false;
    let acks = 0;
    for (let at = 0; at < pending.length; at++) {
      const byte = pending[at]!;
      if (byte === ACK) acks++;
      else if (byte === READY) isReady = true;
      else if (byte === FAILED) return { value: { kind: 'signals', isReady, acks, hasFailed: true }, consumed: at + 1 };
      else if (at > 0) return { value: { kind: 'signals', isReady, acks, hasFailed: false }, consumed: at };
      else if (byte === CTRL_D) return { value: { kind: 'ended' }, consumed: 0 };
      else return { value: { kind: 'stray', text: bytesToLatin1(pending) }, consumed: 0 };
    }
    return pending.length > 0 ? { value: { kind: 'signals', isReady, acks, hasFailed: false }, consumed: pending.length } : undefined;
  },
};

function base64Stream(bytes: Uint8Array): Uint8Array {
  return latin1ToBytes(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64'));
}

export async function streamToPart(repl: RawRepl, part: string, bytes: Uint8Array, options: StreamOptions = {}): Promise<StreamOutcome> {
  const { signal, onProgress } = options;
  const chunkBytes = Math.max(3, Math.floor((options.chunkBytes ?? STREAM_CHUNK_PAYLOAD_BYTES) / 3) * 3);
  const windowBytes = Math.max(1, options.windowBytes ?? STREAM_WINDOW_BYTES);
  const chunkWorkMs = options.chunkWorkTimeoutMs ?? CHUNK_WORK_TIMEOUT_MS;
  const io = repl.io;
  const context = `writing ${part}`;
  const stream = base64Stream(bytes);
  const chunkCount = Math.ceil(bytes.length / chunkBytes);
  const chunkChars = (chunkBytes / 3) * 4;
  const endOfChunk = (index: number) => Math.min(stream.length, (index + 1) * chunkChars);
  const lineMs = (byteCount: number) => (byteCount * 10 * 1000) / io.settings.baudRate;

  let isReady = false;
  let acked = 0;
  let sent = 0;
  try {
    const startDeadline = await repl.start(receiveLoopCode(part, bytes.length, chunkBytes), {
      timeoutMs: START_TIMEOUT_MS,
      ...(signal ? { signal } : {}),
    });
    for (;;) {
      if (isReady) {
        const allowed = acked === chunkCount ? stream.length : Math.min(stream.length, endOfChunk(acked) + windowBytes);
        if (sent < allowed) {
          await io.write(stream.subarray(sent, allowed), signal);
          sent = allowed;
        }
        if (acked === chunkCount) break;
      }
      const deadline = isReady
        ? Deadline.in(lineMs(sent - (acked > 0 ? endOfChunk(acked - 1) : 0)) + chunkWorkMs, `the board to acknowledge chunk ${acked + 1} of ${chunkCount}`)
        : startDeadline.withLabel('the board to start its receive loop');
      const reply = await io.read(loopReplyFramer, { deadline, ...(signal ? { signal } : {}) });
      if (reply.kind === 'stray') throw new BoardReplyError('one-byte acknowledgements', reply.text);
      if (reply.kind === 'ended') {
        const { stdout, stderr } = await repl.follow({ deadline: Deadline.in(CHUNK_WORK_TIMEOUT_MS, 'the end of the receive loop'), ...(signal ? { signal } : {}) });
        if (!isReady && stderr.trim() !== '') return { isWritten: false, startError: BoardExecError.fromStderr(stderr, { context }) };
        // Ended without the loop's own failure signal: whatever was in flight went to the REPL's line.
        await interrupt(repl);
        if (stderr.trim() !== '') throw BoardExecError.fromStderr(stderr, { context });
        throw new BoardReplyError(`${chunkCount - acked} more acknowledgements`, stdout);
      }
      if (reply.isReady) {
        isReady = true;
        onProgress?.(0, bytes.length);
      }
      if (reply.acks > 0) {
        acked += reply.acks;
        if (acked > chunkCount) throw new BoardReplyError(`${chunkCount} acknowledgements`, `${acked}`);
        onProgress?.(Math.min(bytes.length, acked * chunkBytes), bytes.length);
      }
      if (reply.hasFailed) {
        // Everything sent so far is already on its way; the terminator follows it.
        await io.write(latin1ToBytes(DISCARD_END), signal);
        const { stderr } = await repl.follow({ deadline: Deadline.in(CHUNK_WORK_TIMEOUT_MS + lineMs(windowBytes + chunkChars), 'the board to report its error'), ...(signal ? { signal } : {}) });
        throw BoardExecError.fromStderr(stderr.trim() === '' ? 'Error: the receive loop failed without a traceback' : stderr, { context });
      }
    }
    const { stderr } = await repl.follow({ deadline: Deadline.in(CHUNK_WORK_TIMEOUT_MS, 'the end of the receive loop'), ...(signal ? { signal } : {}) });
    if (stderr.trim() !== '') throw BoardExecError.fromStderr(stderr, { context });
    return { isWritten: true };
  } catch (error) {
    if (repl.state !== 'raw') await interrupt(repl);
    if (error instanceof ReadTimeoutError && !(error instanceof BoardCodeTimeoutError)) throw new BoardCodeTimeoutError(error, '');
    if (signal?.aborted && !(error instanceof OperationAbortedError)) throw new OperationAbortedError(signal.reason);
    throw error;
  }
}

/**
 * Ctrl-C ends the board's stdin read (or its flash write); the exec then ends with its
 * traceback. Only then the resync: sent earlier, its Ctrl-A could be read as data by
 * the loop. The resync clears the raw REPL's line of any base64 that reached it after
 * the loop stopped, so the port is ready for the next command. Best effort: a board
 * that does not answer is left for the next command's own resync, and the original
 * error is what the caller sees.
 */
async function interrupt(repl: RawRepl): Promise<void> {
  if (!repl.io.isOpen || repl.state === 'detached') return;
  try {
    if (repl.state === 'running') {
      await repl.io.write(Uint8Array.of(CTRL_C));
      await repl.io
        .read(untilBytes('\x04>', 'the end of the receive loop after Ctrl-C'), { deadline: Deadline.in(INTERRUPT_TIMEOUT_MS, 'the receive loop to stop') })
        .catch(() => undefined);
    }
    await repl.resync();
  } catch {
    // The next command resyncs.
  }
}
