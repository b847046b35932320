import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MIN_FIRMWARE_BYTES,
  classifyFirmwareFileName,
  inspectFirmwareFile,
  transferMethodForSize,
} from '../../src/core/parse/firmwareFile';
import { PARSE_TIME_BOUND_MS, fuzzParams, timed } from './fuzzRuns';
import { runsOf } from './fuzzInputs';

const anyName = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('CATM1-41065.dup', 'NB1-41019.dup', 'upgdiff_38638-to-41065.dup', 'updater.elf', 'CATM1-38638-1.dup', 'C:\\fw\\NB1-41019-2.DUP', '/tmp/ü/updater.ELF'),
  runsOf(['CATM1-', 'NB1-', 'upgdiff_', '-to-', '1', '-', '.dup', '/', '\\', ' ', 'ü', '\u0000', '\u{1F600}']),
);
const anyHead = fc.oneof(
  fc.uint8Array({ maxLength: 80 }),
  fc.constantFrom([0x7f, 0x45, 0x4c, 0x46], [0x1f, 0x8b], [0x50, 0x4b, 0x03, 0x04], [...'<!DOCTYPE html>'].map((c) => c.charCodeAt(0))).map((b) => new Uint8Array(b)),
);
const anySize = fc.oneof(
  fc.nat({ max: 10 * 1024 * 1024 }),
  fc.constantFrom(0, MIN_FIRMWARE_BYTES - 1, MIN_FIRMWARE_BYTES, 4 * 1024 * 1024, 4 * 1024 * 1024 + 1, Number.MAX_SAFE_INTEGER),
);

test('classifyFirmwareFileName on arbitrary and unicode names: never throws, consistent fields', () => {
  fc.assert(
    fc.property(anyName, (name) => {
      const { value, elapsedMs } = timed(() => classifyFirmwareFileName(name));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS);
      assert.ok(['full', 'diff', 'updater', 'unknown'].includes(value.kind));
      if (value.kind === 'diff') assert.equal(value.build, value.toBuild);
      if (value.kind === 'full') assert.ok(value.network === 'CAT-M1' || value.network === 'NB-IoT');
      if (value.kind === 'unknown' || value.kind === 'updater') assert.deepEqual(Object.keys(value), ['kind']);
      if (value.stage !== undefined) assert.ok(value.stage === 1 || value.stage === 2);
    }),
    fuzzParams(),
  );
});

test('firmware name round trip: full, diff and updater names, in any folder and letter case', () => {
  const build = fc.nat({ max: 999999 });
  const folder = fc.constantFrom('', '/home/u/Downloads/', 'C:\\Users\\ü\\', './');
  const named = fc.oneof(
    fc.record({ net: fc.constantFrom('CATM1', 'NB1'), build, stage: fc.constantFrom(undefined, 1, 2) }).map(({ net, build, stage }) => ({
      name: `${net}-${build}${stage ? `-${stage}` : ''}.dup`,
      expected: { kind: 'full', network: net === 'CATM1' ? 'CAT-M1' : 'NB-IoT', build, ...(stage ? { stage } : {}) },
    })),
    fc.record({ from: build, to: build, stage: fc.constantFrom(undefined, 1, 2) }).map(({ from, to, stage }) => ({
      name: `upgdiff_${from}-to-${to}${stage ? `-${stage}` : ''}.dup`,
      expected: { kind: 'diff', build: to, fromBuild: from, toBuild: to, ...(stage ? { stage } : {}) },
    })),
    fc.constant({ name: 'updater.elf', expected: { kind: 'updater' } }),
  );
  fc.assert(
    fc.property(folder, named, fc.boolean(), (dir, { name, expected }, isUpper) => {
      assert.deepEqual(classifyFirmwareFileName(dir + (isUpper ? name.toUpperCase() : name)), expected);
    }),
    fuzzParams(),
  );
});

test('inspectFirmwareFile on arbitrary names, heads and sizes: never throws, fails first, each problem says what to do', () => {
  fc.assert(
    fc.property(anyName, anySize, anyHead, (name, size, head) => {
      const { value: problems, elapsedMs } = timed(() => inspectFirmwareFile({ name, size, head }));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS);
      const firstWarn = problems.findIndex((p) => p.severity === 'warn');
      if (firstWarn !== -1) assert.ok(problems.slice(firstWarn).every((p) => p.severity === 'warn'), 'fails come first');
      for (const problem of problems) {
        assert.ok(problem.message.length > 0 && problem.action.length > 0);
      }
      if (size < MIN_FIRMWARE_BYTES) assert.ok(problems.some((p) => p.severity === 'fail'));
      assert.ok(['fff', 'on-the-fly'].includes(transferMethodForSize(size)));
    }),
    fuzzParams(),
  );
});
