import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { atReplyFramer, nonBlankLineFramer, type FramedAtReply } from '../../src/core/at/atReplyFramer';
import { binaryReplyFramer, type FramedBinaryReply } from '../../src/core/at/binaryReplyFramer';
import { isFinalResultCode, isGarbledLine } from '../../src/core/at/atReply';
import { GarbledReplyError } from '../../src/core/at/atErrors';
import { ModemToolError } from '../../src/core/errors';
import { latin1ToBytes } from '../../src/core/transport/framers';
import { seedCrashDump } from '../parse/seedCrashDump';
import { PARSE_TIME_BOUND_MS, fuzzParams, onlyTypedErrors, timed } from './fuzzRuns';
import { cutPoints, feedChunks, mutated, splitAt } from './fuzzInputs';
import { concatBytes } from '../../src/core/transport/framers';

const COMMANDS = ['AT', 'ATI1', 'AT+CGSN', 'AT+SMOD?', 'AT+SMUPGRADE?', 'AT!="showver"', 'AT+SMSTPU="ON_THE_FLY"'];
const FINALS = ['OK', 'ERROR', '+CME ERROR: 10', '+CMS ERROR: 500', 'NO CARRIER', 'ABORTED'];
/** Lines no command above owns: each is unsolicited whichever command was asked. */
const UNSOLICITED = ['+SYSSTART', '+CEREG: 1', '^SYSSTART', '+CGEV: ME PDN ACT 1'];
const CRASHDUMP = 'AT+FSRDFILE="/fs/crashdump"';

const terminator = fc.constantFrom('\r\n', '\r', '\n', '\r\n\r\n');
const printableLine = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 60 })
  .filter((line) => line.trim() !== '' && !/^\s*[+^]/.test(line) && !isFinalResultCode(line));

interface BuiltReply {
  command: string;
  bytes: Uint8Array;
  lines: string[];
  unsolicited: string[];
  final: string;
  hasEcho: boolean;
}

/** A reply as a modem sends it: optional echo, info lines with unsolicited ones among them, a final code. */
const builtReply: fc.Arbitrary<BuiltReply> = fc
  .record({
    command: fc.constantFrom(...COMMANDS),
    hasEcho: fc.boolean(),
    body: fc.array(fc.tuple(fc.oneof({ weight: 4, arbitrary: printableLine.map((text) => ({ text, isInfo: true })) }, { weight: 1, arbitrary: fc.constantFrom(...UNSOLICITED).map((text) => ({ text, isInfo: false })) }), terminator), { maxLength: 8 }),
    final: fc.constantFrom(...FINALS),
    leading: fc.constantFrom('', '\r\n'),
  })
  .filter(({ command, body }) => body.every(([line]) => line.text.trim().toUpperCase() !== command.toUpperCase()))
  .map(({ command, hasEcho, body, final, leading }) => {
    const text = (hasEcho ? `${command}\r` : '') + leading + body.map(([line, end]) => line.text + end).join('') + `${final}\r\n`;
    return {
      command,
      bytes: latin1ToBytes(text),
      lines: body.filter(([line]) => line.isInfo).map(([line]) => line.text.trimEnd()),
      unsolicited: body.filter(([line]) => !line.isInfo).map(([line]) => line.text),
      final,
      hasEcho,
    };
  });

/** What a UART at the wrong speed reads: bytes with the high bit set, in a burst. */
const baudNoise = fc.uint8Array({ min: 0x80, max: 0xff, minLength: 64, maxLength: 200 });

type Verdict = { kind: 'reply'; reply: FramedAtReply } | { kind: 'garbled' | 'none' } | { kind: 'error'; name: string };

/**
 * What the channel makes of one read: garbage before the final code is a garbled verdict
 * whether the framer threw at 64 bytes or returned the reply with its garbled lines.
 */
function verdict(outcome: ModemToolError | { frames: { value: FramedAtReply }[] }): Verdict {
  if (outcome instanceof GarbledReplyError) return { kind: 'garbled' };
  if (outcome instanceof ModemToolError) return { kind: 'error', name: outcome.name };
  const reply = outcome.frames[0]?.value;
  if (!reply) return { kind: 'none' };
  return reply.garbledLines.length > 0 ? { kind: 'garbled' } : { kind: 'reply', reply };
}

function sameReply(a: FramedAtReply, b: FramedAtReply): void {
  assert.deepEqual(
    { lines: a.lines, final: a.final, unsolicited: a.unsolicited, garbledLines: a.garbledLines, hasEcho: a.hasEcho },
    { lines: b.lines, final: b.final, unsolicited: b.unsolicited, garbledLines: b.garbledLines, hasEcho: b.hasEcho },
  );
}

test('AT reply round trip: lines, unsolicited lines, echo and final code come back, whatever the chunking', () => {
  fc.assert(
    fc.property(builtReply, fc.uint8Array({ maxLength: 40 }), cutPoints, (reply, trailing, cuts) => {
      const { frames, rest } = feedChunks(() => atReplyFramer(reply.command), splitAt(concatBytes(reply.bytes, trailing), cuts));
      assert.ok(frames.length >= 1);
      const { value } = frames[0]!;
      assert.deepEqual(value.lines, reply.lines);
      assert.deepEqual(value.unsolicited, reply.unsolicited);
      assert.equal(value.final, reply.final);
      assert.equal(value.hasEcho, reply.hasEcho);
      assert.deepEqual(value.garbledLines, []);
      // The reply ends at its final code: later bytes are the next reader's (a \n may trail a \r cut).
      assert.ok(frames[0]!.consumed === reply.bytes.length || frames[0]!.consumed === reply.bytes.length - 1);
      if (frames.length === 1) {
        const left = concatBytes(reply.bytes.subarray(frames[0]!.consumed), trailing);
        assert.deepEqual(rest, left);
      }
    }),
    fuzzParams(),
  );
});

test('AT reply: delivering the bytes whole or in chunks gives the same reply, or the same kind of error', () => {
  const input = fc.oneof(
    builtReply.map((r) => ({ command: r.command, bytes: r.bytes })),
    fc.record({ command: fc.constantFrom(...COMMANDS), bytes: mutated(builtReply.map((r) => r.bytes)) }),
    fc.record({ command: fc.constantFrom(...COMMANDS), bytes: fc.tuple(builtReply.map((r) => r.bytes), baudNoise).map(([a, b]) => concatBytes(a, b)) }),
  );
  fc.assert(
    fc.property(input, cutPoints, ({ command, bytes }, cuts) => {
      // One read each: what a second read makes of the rest is not this reply's business.
      const whole = verdict(onlyTypedErrors(() => feedChunks(() => atReplyFramer(command), [bytes], { maxFrames: 1 })));
      const chunked = verdict(onlyTypedErrors(() => feedChunks(() => atReplyFramer(command), splitAt(bytes, cuts), { maxFrames: 1 })));
      if (whole.kind === 'reply' && chunked.kind === 'reply') sameReply(whole.reply, chunked.reply);
      else assert.deepEqual(chunked, whole);
    }),
    fuzzParams(),
  );
});

test('AT reply framer on arbitrary and mutated bytes: only typed errors, a final code is always a real one, no hang', () => {
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 400 }),
    mutated(builtReply.map((r) => r.bytes)),
    fc.array(fc.constantFrom('OK', '\r', '\n', 'ERROR', '+CME ERROR:', 'AT', ' ', '\x00', '\xff', '+SYSSTART'), { maxLength: 60 }).map((parts) => latin1ToBytes(parts.join(''))),
  );
  fc.assert(
    fc.property(fc.constantFrom(...COMMANDS), input, cutPoints, fc.subarray(COMMANDS), (command, bytes, cuts, lateEchoes) => {
      const { value: outcome, elapsedMs } = timed(() =>
        onlyTypedErrors(() => feedChunks(() => atReplyFramer(command, { lateEchoes }), splitAt(bytes, cuts))),
      );
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${elapsedMs} ms`);
      if (outcome instanceof ModemToolError) return;
      for (const { value } of outcome.frames) {
        assert.ok(isFinalResultCode(value.final), `final ${JSON.stringify(value.final)}`);
        assert.ok(!isGarbledLine(value.final));
        for (const line of value.lines) assert.ok(!isGarbledLine(line) && !/[\r\n]/.test(line));
      }
    }),
    fuzzParams(),
  );
});

test('a late reply to a timed-out command (its echo first) is skipped, and the reply after it comes back whole', () => {
  const stale = fc.record({
    late: fc.constantFrom(...COMMANDS),
    lines: fc.array(printableLine, { maxLength: 3 }),
    final: fc.constantFrom(...FINALS),
  });
  fc.assert(
    fc.property(stale, builtReply, cutPoints, (late, reply, cuts) => {
      fc.pre(late.late.toUpperCase() !== reply.command.toUpperCase());
      // An info line that equals a command's echo would read as another late reply's start.
      fc.pre([...late.lines, ...reply.lines].every((line) => !COMMANDS.some((c) => c.toUpperCase() === line.trim().toUpperCase())));
      const staleBytes = latin1ToBytes(`${late.late}\r\r\n${late.lines.map((l) => `${l}\r\n`).join('')}${late.final}\r\n`);
      const { frames } = feedChunks(() => atReplyFramer(reply.command, { lateEchoes: [late.late] }), splitAt(concatBytes(staleBytes, reply.bytes), cuts), { maxFrames: 1 });
      assert.equal(frames.length, 1);
      const { value } = frames[0]!;
      assert.deepEqual(value.lines, reply.lines);
      assert.equal(value.final, reply.final);
      assert.equal(value.hasEcho, reply.hasEcho);
      assert.deepEqual(value.staleReplies, [{ echo: late.late, lines: late.lines.map((l) => l.trimEnd()), final: late.final }]);
    }),
    fuzzParams(),
  );
});

test('nonBlankLineFramer on arbitrary bytes: a trimmed non-blank line, every byte accounted for', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), cutPoints, (bytes, cuts) => {
      const { frames } = feedChunks(() => nonBlankLineFramer('line'), splitAt(bytes, cuts));
      for (const { value } of frames) {
        assert.notEqual(value, '');
        assert.equal(value, value.trim());
        assert.ok(!/[\r\n]/.test(value));
      }
    }),
    fuzzParams(),
  );
});

/** `\r\n`, data (u32 total then body), `\r\nOK\r\n`: the crash-dump reply, with either reading of the total. */
const builtBinaryReply = fc
  .record({
    hasEcho: fc.boolean(),
    hasInfoLine: fc.boolean(),
    includesHeader: fc.boolean(),
    // Ends in a byte that is no text: otherwise "…\r\nOK" at the end of the data could
    // be read as a final code 4 bytes early, an ambiguity of the inferred layout itself.
    body: fc.uint8Array({ maxLength: 3000 }).map((b) => concatBytes(b, new Uint8Array([0x00]))),
    final: fc.constantFrom('OK', 'ERROR'),
  })
  .map(({ hasEcho, hasInfoLine, includesHeader, body, final }) => {
    const total = includesHeader ? body.length + 4 : body.length;
    const data = concatBytes(new Uint8Array([total >>> 24, (total >>> 16) & 0xff, (total >>> 8) & 0xff, total & 0xff]), body);
    const head = (hasEcho ? `${CRASHDUMP}\r` : '') + (hasInfoLine ? `\r\n+FSRDFILE: "/fs/crashdump",${data.length}` : '') + '\r\n';
    return { data, final, bytes: concatBytes(latin1ToBytes(head), data, latin1ToBytes(`\r\n${final}\r\n`)) };
  });

function checkBinary(value: FramedBinaryReply, pendingLength: number, consumed: number): void {
  assert.ok(isFinalResultCode(value.final));
  assert.ok(value.data.length <= pendingLength);
  assert.equal(value.raw.length, consumed);
}

test('binary reply round trip: the data come back whole, whatever they hold and however they are chunked', () => {
  fc.assert(
    fc.property(builtBinaryReply, cutPoints, (reply, cuts) => {
      const { frames, rest } = feedChunks(() => binaryReplyFramer(CRASHDUMP), splitAt(reply.bytes, cuts));
      assert.ok(frames.length === 1 || (frames.length === 2 && rest.length === 0));
      const { value, consumed, pendingLength } = frames[0]!;
      checkBinary(value, pendingLength, consumed);
      assert.deepEqual(value.data, reply.data);
      assert.equal(value.final, reply.final);
    }),
    fuzzParams(),
  );
});

test('binary reply framer on mutated crash dumps and arbitrary bytes: only typed errors, every frame within what arrived', () => {
  const seeds = fc.constantFrom(
    seedCrashDump({ lengthIncludesHeader: true }),
    seedCrashDump({ lengthIncludesHeader: false }),
  ).map((dump) => concatBytes(latin1ToBytes(`${CRASHDUMP}\r`), dump, latin1ToBytes('\r\nOK\r\n')));
  const input = fc.oneof(mutated(seeds), mutated(builtBinaryReply.map((r) => r.bytes)), fc.uint8Array({ maxLength: 300 }));
  fc.assert(
    fc.property(input, cutPoints, fc.boolean(), (bytes, cuts, trustDeclaredLength) => {
      const { value: outcome, elapsedMs } = timed(() =>
        onlyTypedErrors(() => feedChunks(() => binaryReplyFramer(CRASHDUMP, { trustDeclaredLength }), splitAt(bytes, cuts))),
      );
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${elapsedMs} ms`);
      if (outcome instanceof ModemToolError) return;
      for (const { value, consumed, pendingLength } of outcome.frames) checkBinary(value, pendingLength, consumed);
    }),
    fuzzParams(0.25),
  );
});

test('regression: OK followed in the same chunk by 64+ noise bytes (a reboot at another baud) is still the reply', () => {
  const noise = new Uint8Array(80).fill(0xff);
  const bytes = concatBytes(latin1ToBytes('AT+SMSWBOOT=3,1\r\r\nOK\r\n'), noise);
  const { frames, rest } = feedChunks(() => atReplyFramer('AT+SMSWBOOT=3,1'), [bytes], { maxFrames: 1 });
  assert.equal(frames.length, 1);
  assert.equal(frames[0]!.value.final, 'OK');
  assert.deepEqual(rest, noise);
});

test('garbage before the final code is still a garbled verdict, thrown at 64 bytes or carried by the reply', () => {
  const bytes = concatBytes(new Uint8Array(80).fill(0xfe), latin1ToBytes('\r\nOK\r\n'));
  assert.throws(() => feedChunks(() => atReplyFramer('AT'), splitAt(bytes, [70])), GarbledReplyError);
  const { frames } = feedChunks(() => atReplyFramer('AT'), [bytes]);
  assert.equal(frames[0]!.value.garbledLines.length, 1);
});

test('regression: a +FSRDFILE info line of 32,000 digits (quadratic `(\\d+)\\D*$`, 4 s) frames at once', () => {
  const line = `\r\n+FSRDFILE: ${'1'.repeat(32_000)}x7\r\n`;
  const bytes = concatBytes(latin1ToBytes(line), new Uint8Array([0, 0, 0, 3, 1, 2, 3]), latin1ToBytes('\r\nOK\r\n'));
  const { value: outcome, elapsedMs } = timed(() => feedChunks(() => binaryReplyFramer(CRASHDUMP), [bytes]));
  assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms`);
  assert.deepEqual(outcome.frames[0]!.value.data, new Uint8Array([0, 0, 0, 3, 1, 2, 3]));
});
