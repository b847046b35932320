import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkCrashDumpFile, looksLikeCrashDump, MAX_CRASH_DUMP_FILE_BYTES } from '../../src/core/parse/crashDumpFile';
import { seedCrashDump, seedHead } from './seedCrashDump';

const README = new Uint8Array(readFileSync(join(__dirname, '..', '..', 'README.md')));

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

test('the captured seed (cut after 100 bytes) and a whole dump are crash dumps', () => {
  const seed = checkCrashDumpFile(seedHead);
  assert.equal(seed.isCrashDump, true);
  assert.equal(seed.isCrashDump && seed.dump.build, 33080);
  for (const lengthIncludesHeader of [true, false]) assert.equal(looksLikeCrashDump(seedCrashDump({ lengthIncludesHeader })), true);
});

test('README.md is refused as text, not decoded as a 589 MB dump', () => {
  const check = checkCrashDumpFile(README);
  assert.equal(check.isCrashDump, false);
  assert.match(!check.isCrashDump ? check.reason : '', /text file/);
});

test('a binary header announcing more than 1 MiB is refused, whatever follows', () => {
  const bytes = new Uint8Array(seedHead);
  new DataView(bytes.buffer).setUint32(2, MAX_CRASH_DUMP_FILE_BYTES + 1, false);
  const check = checkCrashDumpFile(bytes);
  assert.equal(check.isCrashDump, false);
  assert.match(!check.isCrashDump ? check.reason : '', /announce 1048577 bytes/);
  // The limit itself is still plausible.
  new DataView(bytes.buffer).setUint32(2, MAX_CRASH_DUMP_FILE_BYTES, false);
  assert.equal(looksLikeCrashDump(bytes), true);
});

test('binary without a build record, too-short files and empty files are refused', () => {
  const noBuild = new Uint8Array([...u32(24), ...u32(0), ...u32(4), ...u32(1), ...u32(9), ...u32(0)]);
  const check = checkCrashDumpFile(noBuild);
  assert.equal(check.isCrashDump, false);
  assert.match(!check.isCrashDump ? check.reason : '', /no firmware build record/);
  assert.equal(looksLikeCrashDump(new Uint8Array(0)), false);
  assert.equal(looksLikeCrashDump(seedHead.subarray(0, 10)), false);
});
