import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatCrashDumpText, parseCrashDump } from '../../src/core/parse/crashDump';
import { seedCrashDump, seedHead, seedRest } from './seedCrashDump';
import { concatBytes } from '../../src/core/transport/framers';


function record(tag: number, data: number[]): number[] {
  const header = new Uint8Array(8);
  new DataView(header.buffer).setUint32(0, tag);
  new DataView(header.buffer).setUint32(4, data.length);
  return [...header, ...data];
}

test('the first 100 captured bytes: build 33080, version 1, tag-4 record cut after 13 bytes, truncated', () => {
  const dump = parseCrashDump(seedHead);
  assert.equal(dump.declaredTotalLength, 12118);
  assert.equal(dump.receivedLength, 98);
  assert.equal(dump.formatVersion, 1);
  assert.equal(dump.buildString, '5.1.1.0 [33080] by robot-soft at 2017-10-27 07:49:11');
  assert.equal(dump.build, 33080);
  assert.equal(dump.assertionText, 'Assertion fai');
  assert.equal(dump.file, undefined);
  assert.equal(dump.isTruncated, true);
  assert.deepEqual(
    dump.records.map((r) => [r.tag, r.declaredLength, r.data.length]),
    [[0, 4, 4], [2, 53, 53], [4, 936, 13]],
  );
  assert.ok(dump.warnings.some((w) => /936/.test(w)));
  assert.equal(dump.raw, seedHead);
});

test('the seed as the thread saw it (both pieces): file l1DspReset.c, line 96, message, still truncated', () => {
  const dump = parseCrashDump(concatBytes(seedHead, seedRest));
  assert.equal(dump.build, 33080);
  assert.equal(dump.file, 'l1DspReset.c');
  assert.equal(dump.line, 96);
  assert.equal(dump.message, "'LPU RIP: 00000000 00000003 00000000 (s->state ==ZSP_STATE_RUN || s->state");
  // "faied": the published tool's one-byte "flush" between the two reads ate the 'l'.
  assert.match(dump.assertionText ?? '', /^Assertion faied\nFile: l1DspReset\.c@96\n/);
  assert.equal(dump.isTruncated, true);
});

test('a whole dump parses with or without its leading CRLF and keeps unknown records', () => {
  for (const lengthIncludesHeader of [true, false]) {
    const whole = seedCrashDump({ lengthIncludesHeader });
    for (const bytes of [whole, whole.subarray(2)]) {
      const dump = parseCrashDump(bytes);
      assert.equal(dump.isTruncated, false, `includes=${lengthIncludesHeader}`);
      assert.deepEqual(dump.warnings, []);
      assert.deepEqual(dump.records.map((r) => r.tag), [0, 2, 4, 6, 8]);
      assert.equal(dump.records[3]?.data.length, 64);
      assert.equal(dump.file, 'l1DspReset.c');
      assert.match(dump.message ?? '', /ZSP_STATE_IDLE\)$/);
    }
  }
});

test('the 39529 capture shape: hal_misc.c@420 and its message', () => {
  const text = [..."Assertion failed\nFile: ...hal_misc.c@420\n'Spurious Int 0x1f\0"].map((c) => c.charCodeAt(0));
  const body = [...record(0, [0, 0, 0, 2]), ...record(2, [...'5.1.1.0 [39529] by robot-soft\0'].map((c) => c.charCodeAt(0))), ...record(4, text)];
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, body.length + 4);
  const dump = parseCrashDump(concatBytes(header, new Uint8Array(body)));
  assert.equal(dump.formatVersion, 2);
  assert.equal(dump.build, 39529);
  assert.equal(dump.file, '...hal_misc.c');
  assert.equal(dump.line, 420);
  assert.equal(dump.message, "'Spurious Int 0x1f");
  assert.equal(dump.isTruncated, false);
});

test('a record announcing 4 GB allocates nothing and is flagged', () => {
  const bytes = new Uint8Array([0, 0, 0x10, 0, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
  const dump = parseCrashDump(bytes);
  assert.equal(dump.records[0]?.declaredLength, 0xffffffff);
  assert.equal(dump.records[0]?.data.length, 3);
  assert.equal(dump.records[0]?.data.buffer, bytes.buffer);
  assert.equal(dump.isTruncated, true);
});

test('nonsense totals and empty input are warnings, not throws', () => {
  assert.equal(parseCrashDump(new Uint8Array(0)).isTruncated, true);
  assert.equal(parseCrashDump(new Uint8Array([0x0d, 0x0a, 0])).isTruncated, true);
  const huge = parseCrashDump(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 0, 0, 0, 2, 0x41, 0]));
  assert.ok(huge.warnings.some((w) => /not plausible/.test(w)));
  assert.equal(huge.buildString, 'A');
});

test('parseCrashDump never throws and never invents bytes, on any input', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const dump = parseCrashDump(bytes);
      const recordBytes = dump.records.reduce((n, r) => n + 8 + r.data.length, 0);
      assert.ok(recordBytes <= bytes.length);
      assert.ok(dump.receivedLength <= bytes.length);
    }),
    { numRuns: 500 },
  );
});

test('every cut of a whole dump parses, and is flagged truncated', () => {
  const whole = seedCrashDump({ lengthIncludesHeader: true });
  fc.assert(
    fc.property(fc.integer({ min: 0, max: whole.length - 1 }), (cut) => {
      const dump = parseCrashDump(whole.subarray(0, cut));
      assert.equal(dump.isTruncated, true, `cut at ${cut}`);
      if (cut >= 100) assert.equal(dump.build, 33080);
    }),
    { numRuns: 300 },
  );
});

test('formatCrashDumpText gives a readable summary', () => {
  const text = formatCrashDumpText(parseCrashDump(concatBytes(seedHead, seedRest)));
  assert.match(text, /5\.1\.1\.0 \[33080\]/);
  assert.match(text, /l1DspReset\.c, line 96/);
  assert.match(text, /LPU RIP/);
  assert.match(text, /198 of 12118 bytes, 3 records, truncated/);
  assert.doesNotMatch(text, /[^\x20-\x7e\n]/);
});

test('formatCrashDumpText on the cut seed: the cut assertion text once, marked as cut', () => {
  const text = formatCrashDumpText(parseCrashDump(seedHead));
  assert.equal(text.match(/Assertion fai/g)?.length, 1, text);
  assert.match(text, /^  Assertion fai…$/m);
  assert.match(text, /98 of 12118 bytes, 3 records, truncated/);
});

test('formatCrashDumpText on a whole dump: no "N of M" where N counts the 4 length bytes M does not', () => {
  const whole = seedCrashDump({ lengthIncludesHeader: false });
  const dump = parseCrashDump(whole);
  assert.equal(dump.receivedLength, 12122);
  const text = formatCrashDumpText(dump);
  assert.doesNotMatch(text, / of 12118 bytes/);
  assert.match(text, /^  12122 bytes, 5 records$/m);
  assert.doesNotMatch(text, /truncated/);
});

test('formatCrashDumpText: a message beside an assertion line without a File line is shown once each', () => {
  const body = [...record(4, [...'Assertion failed\nwatchdog expired\0'].map((c) => c.charCodeAt(0)))];
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, body.length);
  const text = formatCrashDumpText(parseCrashDump(concatBytes(header, new Uint8Array(body))));
  assert.equal(text.match(/Assertion failed/g)?.length, 1, text);
  assert.equal(text.match(/watchdog expired/g)?.length, 1, text);
});
