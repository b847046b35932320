import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildModemVersionReport, parseAti1, parseImei, parseShowver } from '../../src/core/parse/modemVersion';
import { SHOWVER_TEXT } from '../fixtures/showverSample';

const SHOWVER = SHOWVER_TEXT;

test('showver: bootloaders with the active one, software, UE, NV info, components', () => {
  const info = parseShowver(SHOWVER);
  assert.deepEqual(info.bootloaders, [
    { slot: 0, version: '5.1.1.0', build: 33080, isActive: false },
    { slot: 1, version: '5.1.1.0', build: 38638, isActive: true },
    { slot: 2, version: '5.1.1.0', build: 38638, isActive: false },
  ]);
  assert.equal(info.softwareVersion, '5.1.1.0');
  assert.equal(info.softwareBuild, 38638);
  assert.equal(info.softwareText, '5.1.1.0 [38638] by robot-soft at 2018-08-20 09:51:46');
  assert.equal(info.ueVersion, '5.0.0.0d');
  assert.equal(info.nvInfo, '1.1,0,0');
  assert.deepEqual(info.components, { ZSP0: '1.0.99-13604', ZSP1: '1.0.99-12341' });
});

test('ATI1 and IMEI', () => {
  assert.deepEqual(parseAti1(['UE5.0.0.0d', 'LR5.1.1.0-39529']), { ueVersion: '5.0.0.0d', lrVersion: '5.1.1.0-39529', lrMajor: 5, build: 39529 });
  assert.deepEqual(parseAti1(['UE6.0.0.0', 'LR6.0.0.0-41019']).lrMajor, 6);
  assert.deepEqual(parseAti1(['garbage']), {});
  assert.equal(parseImei(['354347094028575']), '354347094028575');
  assert.equal(parseImei(['+CGSN: "354347094028575"']), '354347094028575');
  assert.equal(parseImei(['12345', '3543470940285751234']), undefined);
});

test('the report: CAT-M1 from LR5, old bootrom needs the recovery method once', () => {
  const report = buildModemVersionReport({
    imeiLines: ['354347094028575'],
    ati1Lines: ['UE5.0.0.0d', 'LR5.1.1.0-38638'],
    showverText: SHOWVER,
  });
  assert.equal(report.imei, '354347094028575');
  assert.equal(report.kind, 'CAT-M1');
  assert.equal(report.softwareBuild, 38638);
  assert.equal(report.softwareVersion, '5.1.1.0');
  assert.equal(report.ueVersion, '5.0.0.0d');
  assert.equal(report.lrVersion, '5.1.1.0-38638');
  assert.deepEqual(report.ati1, ['UE5.0.0.0d', 'LR5.1.1.0-38638']);
  assert.equal(report.needsRecoveryBootromUpgrade, true);
  assert.equal(report.bootloaders.find((b) => b.isActive)?.slot, 1);
  assert.equal(report.showverText, SHOWVER);
});

test('the report without showver: NB-IoT from LR6, build from ATI1, no recovery claim', () => {
  const report = buildModemVersionReport({ ati1Lines: ['UE6.0.0.0', 'LR6.0.0.0-41019'] });
  assert.equal(report.kind, 'NB-IoT');
  assert.equal(report.softwareBuild, 41019);
  assert.equal(report.needsRecoveryBootromUpgrade, false);
  assert.deepEqual(report.bootloaders, []);
  const newBootrom = buildModemVersionReport({ showverText: SHOWVER.replace('[33080]', '[38638]') });
  assert.equal(newBootrom.needsRecoveryBootromUpgrade, false);
  assert.equal(newBootrom.kind, 'CAT-M1');
  assert.equal(buildModemVersionReport({}).kind, 'unknown');
});

test('the version parsers never throw on arbitrary text', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }), (text, lines) => {
      parseShowver(text);
      parseAti1(lines);
      parseImei(lines);
      buildModemVersionReport({ imeiLines: lines, ati1Lines: lines, showverText: text });
    }),
    { numRuns: 300 },
  );
});
