import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CRASH_DUMP_TAG, formatCrashDumpText, parseCrashDump, type CrashDump } from '../../src/core/parse/crashDump';
import { seedCrashDump, seedHead } from '../parse/seedCrashDump';
import { PARSE_TIME_BOUND_MS, fuzzParams, timed } from './fuzzRuns';
import { mutated, runsOf } from './fuzzInputs';
import { concatBytes } from '../../src/core/transport/framers';

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value >>> 0);
  return out;
}

function record(tag: number, data: Uint8Array, declaredLength = data.length): Uint8Array {
  return concatBytes(u32(tag), u32(declaredLength), data);
}

const ascii = (text: string) => new Uint8Array([...text].map((c) => c.charCodeAt(0) & 0xff));

/** What every parse result promises, whatever the input. */
function checkDump(dump: CrashDump, input: Uint8Array): void {
  assert.equal(dump.raw, input);
  assert.ok(dump.receivedLength <= input.length && dump.receivedLength >= input.length - 2);
  let recordBytes = 0;
  for (const rec of dump.records) {
    assert.ok(rec.data.length <= rec.declaredLength);
    // Record data are views into the input, never copies sized by a declared length.
    assert.equal(rec.data.buffer, input.buffer);
    recordBytes += rec.data.length + 8;
  }
  assert.ok(recordBytes <= dump.receivedLength, 'records never hold more than arrived');
  // Digits only: a garbled 40-digit "line" is a large number, never NaN or negative.
  if (dump.line !== undefined) assert.ok(dump.line >= 0);
  if (dump.build !== undefined) assert.ok(dump.build >= 0);
  for (const warning of dump.warnings) assert.equal(typeof warning, 'string');
  const text = formatCrashDumpText(dump);
  assert.ok(text.startsWith('Modem crash dump'));
  // Device text is made printable before it reaches a log or a panel (the ellipsis is the formatter's own).
  assert.ok(!/[^\x20-\x7e\n\u2026]/.test(text), `formatted text holds only printable characters and line breaks: ${JSON.stringify(text)}`);
}

const seeds = fc.constantFrom(seedHead, seedCrashDump({ lengthIncludesHeader: true }), seedCrashDump({ lengthIncludesHeader: false }));

test('parseCrashDump never throws on arbitrary bytes, and its text is printable', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 500 }), (bytes) => {
      const { value, elapsedMs } = timed(() => parseCrashDump(bytes));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS);
      checkDump(value, bytes);
    }),
    fuzzParams(),
  );
});

test('parseCrashDump on mutated captures (the 33080 seed and whole dumps built from it) never throws', () => {
  fc.assert(
    fc.property(mutated(seeds), (bytes) => {
      const { value, elapsedMs } = timed(() => parseCrashDump(bytes));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS);
      checkDump(value, bytes);
    }),
    fuzzParams(0.5),
  );
});

test('structured dumps: known records round trip, unknown tags are skipped, truncation is reported', () => {
  const text = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
  const dumpArb = fc.record({
    version: fc.nat({ max: 0xffffffff }),
    build: fc.nat({ max: 99999 }),
    file: text.filter((t) => !/[@\r\n]/.test(t) && t.trim() !== '' && !t.includes('File:')),
    line: fc.nat({ max: 100000 }),
    unknown: fc.array(fc.tuple(fc.integer({ min: 5, max: 0xffff }), fc.uint8Array({ maxLength: 40 })), { maxLength: 3 }),
    includesHeader: fc.boolean(),
    cut: fc.option(fc.nat(), { nil: undefined }),
  });
  fc.assert(
    fc.property(dumpArb, (d) => {
      const buildString = `5.1.1.0 [${d.build}] by robot-soft at 2017-10-27 07:49:11`;
      const body = concatBytes(
        record(CRASH_DUMP_TAG.version, u32(d.version)),
        record(CRASH_DUMP_TAG.build, concatBytes(ascii(buildString), new Uint8Array([0]))),
        ...d.unknown.map(([tag, data]) => record(tag, data)),
        record(CRASH_DUMP_TAG.assertion, ascii(`Assertion failed\nFile: ${d.file.trim()}@${d.line}\n'message`)),
      );
      const total = d.includesHeader ? body.length + 4 : body.length;
      const whole = concatBytes(ascii('\r\n'), u32(total), body);
      const bytes = d.cut === undefined ? whole : whole.subarray(0, d.cut % (whole.length + 1));
      const dump = parseCrashDump(bytes);
      checkDump(dump, bytes);
      if (bytes === whole) {
        assert.equal(dump.isTruncated, false);
        assert.equal(dump.formatVersion, d.version);
        assert.equal(dump.buildString, buildString);
        assert.equal(dump.build, d.build);
        assert.equal(dump.file, d.file.trim());
        assert.equal(dump.line, d.line);
        assert.equal(dump.message, "'message");
        assert.deepEqual(dump.records.map((r) => r.tag), [0, 2, ...d.unknown.map(([tag]) => tag), 4]);
      } else if (bytes.length < whole.length) {
        assert.equal(dump.isTruncated, true, `cut at ${bytes.length} of ${whole.length}`);
      }
    }),
    fuzzParams(),
  );
});

test('a header claiming 0xFFFFFFFF bytes, and records claiming 0xFFFFFFFF: quick, and memory does not grow', () => {
  const claims = fc.constantFrom(0xffffffff, 0xfffffff0, 0x80000000, 0x7fffffff, 16 * 1024 * 1024 + 1, 0);
  const arb = fc.record({
    total: claims,
    records: fc.array(fc.tuple(fc.nat({ max: 8 }), claims, fc.uint8Array({ maxLength: 64 })), { minLength: 1, maxLength: 4 }),
  });
  const kept: CrashDump[] = [];
  const before = process.memoryUsage().arrayBuffers;
  let inputBytes = 0;
  fc.assert(
    fc.property(arb, ({ total, records }) => {
      const bytes = concatBytes(ascii('\r\n'), u32(total), ...records.map(([tag, length, data]) => concatBytes(u32(tag), u32(length), data)));
      inputBytes += bytes.length;
      const { value, elapsedMs } = timed(() => parseCrashDump(bytes));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS);
      checkDump(value, bytes);
      // Unannounced data read as further records, each at least a header long.
      assert.ok(value.records.length <= Math.floor((bytes.length - 6) / 8));
      kept.push(value);
    }),
    fuzzParams(),
  );
  const grownBytes = process.memoryUsage().arrayBuffers - before;
  // Every result is still alive: all it may hold is views of its input. Allocating one
  // declared length would be gigabytes; the bound leaves room for unrelated buffers.
  assert.ok(grownBytes < inputBytes + 8 * 1024 * 1024, `arrayBuffers grew by ${grownBytes} bytes for ${inputBytes} bytes of input`);
  assert.equal(kept.length > 0, true);
});

test('assertion texts built from runs ("File:" thousands of times, long lines): parsed within the time bound', () => {
  const tokens = ['File:', '@', '1', ' ', '\n', 'a', '\r', "'", 'Assertion failed'];
  fc.assert(
    fc.property(runsOf(tokens, { maxRun: 1500 }), (text) => {
      const bytes = concatBytes(ascii('\r\n'), u32(0xffffffff), record(CRASH_DUMP_TAG.assertion, ascii(text)), record(CRASH_DUMP_TAG.build, ascii(text)));
      const { value, elapsedMs } = timed(() => parseCrashDump(bytes));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms on ${text.length} characters`);
      checkDump(value, bytes);
      const formatted = timed(() => formatCrashDumpText(value));
      assert.ok(formatted.elapsedMs < PARSE_TIME_BOUND_MS, `formatting took ${Math.round(formatted.elapsedMs)} ms`);
    }),
    fuzzParams(0.25),
  );
});

test('regression: an assertion record of 50,000 "File:" (a babbling line; 13 s when searched whole) parses at once', () => {
  const text = 'File:'.repeat(50_000);
  const bytes = concatBytes(ascii('\r\n'), u32(0xffffffff), record(CRASH_DUMP_TAG.assertion, ascii(text)));
  const { value, elapsedMs } = timed(() => parseCrashDump(bytes));
  assert.ok(elapsedMs < 2 * PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms`);
  assert.equal(value.assertionText?.length, text.length);
});
