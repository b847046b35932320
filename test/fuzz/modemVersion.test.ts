import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  buildModemVersionReport,
  parseAti1,
  parseImei,
  parseShowver,
  type ShowverInfo,
} from '../../src/core/parse/modemVersion';
import { PARSE_TIME_BOUND_MS, fuzzParams, timed } from './fuzzRuns';
import { runsOf } from './fuzzInputs';
import { SHOWVER_TEXT } from '../fixtures/showverSample';

const SHOWVER = SHOWVER_TEXT;

/** Any text: arbitrary unicode, the showver seed cut and spliced, and long runs of the characters its regexes care about. */
const anyText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.tuple(fc.nat({ max: SHOWVER.length }), fc.nat({ max: SHOWVER.length }), fc.string({ maxLength: 20 })).map(
    ([a, b, s]) => SHOWVER.slice(0, Math.min(a, b)) + s + SHOWVER.slice(Math.max(a, b)),
  ),
  runsOf([' ', '\t', 'a', 'Z', '1', ':', '*', '[', ']', '.', '-', '\r\n', 'Bootloader', 'Software', 'LR', 'UE', 'x y'], { maxRun: 2500 }),
);

function checkShowver(info: ShowverInfo): void {
  for (const b of info.bootloaders) {
    assert.ok(Number.isInteger(b.slot) && b.slot >= 0);
    assert.ok(b.build >= 0 && !Number.isNaN(b.build));
    assert.ok(b.version.length > 0 && !/\s/.test(b.version));
  }
  if (info.softwareBuild !== undefined) assert.ok(!Number.isNaN(info.softwareBuild));
  for (const [name, value] of Object.entries(info.components)) {
    assert.equal(name, name.trim());
    assert.equal(value, value.trim());
  }
}

test('parseShowver on any text: never throws, fields are well formed, within the time bound', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      const { value, elapsedMs } = timed(() => parseShowver(text));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms on ${text.length} characters`);
      checkShowver(value);
    }),
    fuzzParams(),
  );
});

test('showver round trip: generated bootloader, software and component lines come back', () => {
  const version = fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}\.[0-9a-z]{1,3}$/);
  const arb = fc.record({
    bootloaders: fc.array(fc.record({ version, build: fc.nat({ max: 99999 }) }), { minLength: 1, maxLength: 3 }),
    active: fc.nat(),
    software: version,
    softwareBuild: fc.nat({ max: 99999 }),
    // "UE" is a field of its own in any section, not a component.
    components: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9]{0,5}$/).filter((name) => name !== 'UE'), fc.stringMatching(/^[0-9][0-9.-]{0,12}$/), { maxKeys: 3 }),
    padding: fc.nat({ max: 6 }),
    lineEnd: fc.constantFrom('\r\n', '\n', '\r'),
  });
  fc.assert(
    fc.property(arb, (s) => {
      const pad = ' '.repeat(s.padding);
      const active = s.active % s.bootloaders.length;
      const lines = [
        'SYSTEM VERSION',
        '  FIRMWARE VERSION',
        ...s.bootloaders.map((b, i) => `    Bootloader${i}${i === active ? '*' : ''}${pad} : ${b.version} [${b.build}]`),
        `    Software${pad}: ${s.software} [${s.softwareBuild}] by robot-soft at 2018-08-20 09:51:46`,
        '  COMPONENTS',
        ...Object.entries(s.components).map(([name, value]) => `    ${name}${pad} :${pad}${value}${pad}`),
      ];
      const info = parseShowver(lines.join(s.lineEnd));
      assert.deepEqual(
        info.bootloaders,
        s.bootloaders.map((b, i) => ({ slot: i, version: b.version, build: b.build, isActive: i === active })),
      );
      assert.equal(info.softwareVersion, s.software);
      assert.equal(info.softwareBuild, s.softwareBuild);
      assert.deepEqual(Object.entries(info.components), Object.entries(s.components));
    }),
    fuzzParams(),
  );
});

test('parseAti1, parseImei and buildModemVersionReport on any lines: never throw, within the time bound', () => {
  fc.assert(
    fc.property(fc.array(anyText, { maxLength: 4 }), anyText, (lines, showver) => {
      const { value, elapsedMs } = timed(() => ({
        ati1: parseAti1(lines),
        imei: parseImei(lines),
        report: buildModemVersionReport({ imeiLines: lines, ati1Lines: lines, showverText: showver }),
      }));
      assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms`);
      if (value.imei !== undefined) assert.match(value.imei, /^\d{15}$/);
      if (value.ati1.lrMajor !== undefined) assert.ok(value.ati1.lrMajor >= 0);
      assert.ok(['CAT-M1', 'NB-IoT', 'unknown'].includes(value.report.kind));
      assert.equal(
        value.report.needsRecoveryBootromUpgrade,
        value.report.bootloaders.some((b) => b.slot === 0 && b.build === 33080),
      );
    }),
    fuzzParams(),
  );
});

test('ATI1 round trip: UE and LR lines give their versions, LR major and build', () => {
  const arb = fc.record({
    ue: fc.stringMatching(/^[0-9]\.[0-9]\.[0-9]\.[0-9][a-z]?$/),
    major: fc.integer({ min: 0, max: 99 }),
    rest: fc.stringMatching(/^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$/),
    build: fc.nat({ max: 999999 }),
  });
  fc.assert(
    fc.property(arb, ({ ue, major, rest, build }) => {
      const info = parseAti1([`UE${ue}`, ` LR${major}.${rest}-${build}\r`]);
      assert.deepEqual(info, { ueVersion: ue, lrVersion: `${major}.${rest}-${build}`, lrMajor: major, build });
    }),
    fuzzParams(),
  );
});

test('regression: a showver line of "a" and 4,000 spaces (cubic backtracking, 51 s) parses at once', () => {
  const { elapsedMs } = timed(() => parseShowver('a' + ' '.repeat(4000) + 'x'));
  assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms`);
});

test('regression: a showver value with 64 KiB of inner spaces (quadratic trim) parses at once', () => {
  const { value, elapsedMs } = timed(() => parseShowver('Software : x' + ' '.repeat(64 * 1024) + 'y  '));
  assert.ok(elapsedMs < PARSE_TIME_BOUND_MS, `took ${Math.round(elapsedMs)} ms`);
  assert.equal(value.softwareText, 'x' + ' '.repeat(64 * 1024) + 'y');
});
