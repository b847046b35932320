import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RAW_REPL_BANNER, RawRepl } from '../../src/core/repl/rawRepl';
import { BoardExecError, LineAssembler, outputLines, parseTraceback } from '../../src/core/repl/replOutput';
import { ModemToolError } from '../../src/core/errors';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { anyBytes, latin1ToBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { PARSE_TIME_BOUND_MS, fuzzParams, onlyTypedErrorsAsync, timed } from './fuzzRuns';
import { cutPoints, mutated, runsOf, splitAt } from './fuzzInputs';
import { concatBytes } from '../../src/core/transport/framers';

const REASONS = ['no-space', 'not-found', 'exists', 'io', 'memory', 'import', 'syntax', 'interrupted', 'other'];
const utf8 = new TextEncoder();
/** What a string becomes after a trip through UTF-8 (lone surrogates turn into U+FFFD). */
const viaUtf8 = (text: string) => new TextDecoder().decode(utf8.encode(text));

const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  runsOf(['\n', '\r\n', '\r', ' ', 'Traceback (most recent call last):', 'OSError: ', '[Errno 28] ENOSPC', 'E', 'a.b', ':']),
);

test('parseTraceback on any text: never throws, a named type and a known reason, within the time bound', () => {
  fc.assert(
    fc.property(anyText, (stderr) => {
      const { value, elapsedMs } = timed(() => parseTraceback(stderr));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms on ${stderr.length} characters`);
      if (stderr.trim() === '') {
        assert.equal(value, undefined);
        return;
      }
      assert.ok(value);
      assert.ok(value.exceptionType.length > 0);
      assert.ok(REASONS.includes(value.reason));
      assert.ok(!value.traceback.endsWith('\n'));
      const error = BoardExecError.fromStderr(stderr);
      assert.ok(error instanceof ModemToolError && error.action.length > 0);
    }),
    fuzzParams(),
  );
});

test('traceback round trip: exception type, message and errno come back from what the board prints', () => {
  const arb = fc.record({
    type: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/),
    message: fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
    frames: fc.array(fc.nat({ max: 500 }), { maxLength: 3 }),
    lineEnd: fc.constantFrom('\r\n', '\n'),
    trailing: fc.nat({ max: 3 }),
  });
  fc.assert(
    fc.property(arb, ({ type, message, frames, lineEnd, trailing }) => {
      const last = message ? `${type}: ${message}` : type;
      const lines = ['Traceback (most recent call last):', ...frames.map((n) => `  File "<stdin>", line ${n}, in <module>`), last];
      const parsed = parseTraceback(lines.join(lineEnd) + lineEnd.repeat(trailing));
      assert.ok(parsed);
      assert.equal(parsed.exceptionType, type);
      assert.equal(parsed.message, message);
      assert.equal(parsed.traceback, lines.join('\n'));
    }),
    fuzzParams(),
  );
});

test('OSError round trip: [Errno n] NAME gives the errno and the reason', () => {
  const errnos = fc.constantFrom([2, 'ENOENT', 'not-found'], [5, 'EIO', 'io'], [12, 'ENOMEM', 'memory'], [17, 'EEXIST', 'exists'], [28, 'ENOSPC', 'no-space'], [99, 'EFOO', 'other']);
  fc.assert(
    fc.property(errnos, fc.boolean(), ([errno, name, reason], isBare) => {
      const last = isBare ? `OSError: ${errno}` : `OSError: [Errno ${errno}] ${name}`;
      const parsed = parseTraceback(`Traceback (most recent call last):\r\n  File "<stdin>", line 1\r\n${last}\r\n`);
      assert.equal(parsed?.errno, errno);
      assert.equal(parsed?.reason, isBare && errno === 99 ? 'other' : reason);
    }),
    fuzzParams(),
  );
});

test('LineAssembler over any chunking gives the lines outputLines gives for the whole text', () => {
  fc.assert(
    fc.property(anyText, cutPoints, (text, cuts) => {
      const assembler = new LineAssembler();
      const lines: string[] = [];
      const points = [...new Set(cuts.map((c) => (text.length ? c % text.length : 0)))].sort((a, b) => a - b);
      let from = 0;
      for (const point of [...points, text.length]) {
        if (point < from) continue;
        lines.push(...assembler.push(text.slice(from, point)));
        from = point;
      }
      assert.deepEqual(lines, outputLines(text));
      assert.equal(assembler.pending, text.slice(text.lastIndexOf('\n') + 1));
    }),
    fuzzParams(),
  );
});

test('regression: a traceback followed by 64 KiB of line breaks and a character (quadratic `\\n+$`) parses at once', () => {
  const { value, elapsedMs } = timed(() => parseTraceback('\n'.repeat(64 * 1024) + 'OSError: 28'));
  assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms`);
  assert.equal(value?.reason, 'no-space');
});

/**
 * A board on the device end of a memory link: the raw banner for Ctrl-A, and for the
 * Ctrl-D that ends the code, the reply chunks given, each written on its own turn.
 * Independent of the client's framers: it only looks for two control bytes.
 */
function boardAnswering(replyChunks: readonly Uint8Array[]) {
  const link = new MemoryLink(`fuzz-repl-${Math.random().toString(36).slice(2)}`);
  const host = link.open('host');
  const device = link.open('device');
  const stop = new AbortController();
  const served = (async () => {
    for (;;) {
      let bytes: Uint8Array;
      try {
        bytes = await device.read(anyBytes, { deadline: Deadline.never(), signal: stop.signal });
      } catch {
        return;
      }
      for (const byte of bytes) {
        if (byte === 0x01) await device.write(latin1ToBytes(RAW_REPL_BANNER));
        if (byte === 0x04) {
          for (const chunk of replyChunks) {
            await device.write(chunk);
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
        }
      }
    }
  })();
  return {
    host,
    close: async () => {
      stop.abort();
      await served;
      await host.close();
      await device.close();
    },
  };
}

/** The exec budget each case gets: long enough to show a hang, short enough for thousands of cases. */
const EXEC_TIMEOUT_MS = 40;
/** How late a deadline may fire on a loaded shared machine (timer and event-loop lag). */
const LATE_MS = 2_000;

test('raw REPL exec round trip: stdout and stderr come back exactly, however the board chunks OK…\\x04…\\x04>', async () => {
  const text = fc.string({ unit: 'binary', maxLength: 120 }).filter((s) => !s.includes('\x04'));
  await fc.assert(
    fc.asyncProperty(text, text, cutPoints, async (stdout, stderr, cuts) => {
      const reply = concatBytes(latin1ToBytes('OK'), utf8.encode(stdout), new Uint8Array([0x04]), utf8.encode(stderr), latin1ToBytes('\x04>'));
      const board = boardAnswering(splitAt(reply, cuts));
      try {
        const repl = await RawRepl.enter(board.host, { replyTimeoutMs: LATE_MS });
        const streamed: string[] = [];
        const result = await repl.exec('x = 1', { timeoutMs: LATE_MS, onStdout: (t) => streamed.push(t) });
        assert.deepEqual(result, { stdout: viaUtf8(stdout), stderr: viaUtf8(stderr) });
        assert.equal(streamed.join(''), viaUtf8(stdout));
        assert.equal(repl.state, 'raw');
      } finally {
        await board.close();
      }
    }),
    fuzzParams(0.25),
  );
});

test('raw REPL exec on mutated and arbitrary replies: a result or a typed error, always by the deadline', async () => {
  const wellFormed = fc
    .tuple(fc.string({ maxLength: 40 }), fc.constantFrom('', 'Traceback (most recent call last):\r\n  File "<stdin>", line 1\r\nOSError: [Errno 28] ENOSPC\r\n'))
    .map(([out, err]) => latin1ToBytes(`OK${out.replace(/\x04/g, '')}\x04${err}\x04>`));
  const replies = fc.oneof(mutated(wellFormed), fc.uint8Array({ maxLength: 60 }), fc.constant(latin1ToBytes('OK\r\nPYB: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>')));
  await fc.assert(
    fc.asyncProperty(replies, cutPoints, async (reply, cuts) => {
      const board = boardAnswering(splitAt(reply, cuts));
      try {
        const repl = await RawRepl.enter(board.host, { replyTimeoutMs: LATE_MS });
        const started = performance.now();
        const outcome = await onlyTypedErrorsAsync(() => repl.execOrThrow('x = 1', { timeoutMs: EXEC_TIMEOUT_MS }));
        const elapsedMs = performance.now() - started;
        assert.ok(elapsedMs < EXEC_TIMEOUT_MS + LATE_MS, `exec took ${Math.round(elapsedMs)} ms`);
        if (typeof outcome === 'string') assert.ok(!outcome.includes('\x04'));
        else assert.ok(outcome.action.length > 0);
      } finally {
        await board.close();
      }
    }),
    fuzzParams(0.25),
  );
});
