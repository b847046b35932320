import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyFirmwareFileName,
  inspectFirmwareFile,
  MIN_FIRMWARE_BYTES,
  transferMethodForSize,
} from '../../src/core/parse/firmwareFile';

test('file names classify by kind, network, builds and stage', () => {
  assert.deepEqual(classifyFirmwareFileName('CATM1-41065.dup'), { kind: 'full', network: 'CAT-M1', build: 41065 });
  assert.deepEqual(classifyFirmwareFileName('NB1-41019.dup'), { kind: 'full', network: 'NB-IoT', build: 41019 });
  assert.deepEqual(classifyFirmwareFileName('upgdiff_33080-to-41065.dup'), { kind: 'diff', build: 41065, fromBuild: 33080, toBuild: 41065 });
  assert.deepEqual(classifyFirmwareFileName('CATM1-41065-1.dup'), { kind: 'full', network: 'CAT-M1', build: 41065, stage: 1 });
  assert.deepEqual(classifyFirmwareFileName('/home/me/Downloads/CATM1-41065/CATM1-41065-2.dup').stage, 2);
  assert.deepEqual(classifyFirmwareFileName('C:\\fw\\updater.elf'), { kind: 'updater' });
  assert.deepEqual(classifyFirmwareFileName('firmware.bin'), { kind: 'unknown' });
  assert.deepEqual(classifyFirmwareFileName('CATM1-41065.tgz'), { kind: 'unknown' });
});

test('transfer method: above 4 MiB on-the-fly, otherwise FFF', () => {
  assert.equal(transferMethodForSize(4 * 1024 * 1024), 'fff');
  assert.equal(transferMethodForSize(4 * 1024 * 1024 + 1), 'on-the-fly');
  assert.equal(transferMethodForSize(5835531), 'on-the-fly');
  assert.equal(transferMethodForSize(600_000), 'fff');
  assert.equal(MIN_FIRMWARE_BYTES, 128);
});

const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]);
const DUP = new Uint8Array([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0]);

function severities(file: Parameters<typeof inspectFirmwareFile>[0]) {
  return inspectFirmwareFile(file).map((p) => p.severity);
}

test('sane files have no problems', () => {
  assert.deepEqual(inspectFirmwareFile({ name: 'CATM1-41065.dup', size: 5_600_000, head: DUP }), []);
  assert.deepEqual(inspectFirmwareFile({ name: 'NB1-41019.dup', size: 5_835_531, head: DUP }), []);
  assert.deepEqual(inspectFirmwareFile({ name: 'upgdiff_33080-to-41065.dup', size: 1_200_000, head: DUP }), []);
  assert.deepEqual(inspectFirmwareFile({ name: 'updater.elf', size: 340_000, head: ELF }), []);
});

test('refused: too small, updater not an ELF, a .dup that is an ELF, archives and web pages', () => {
  assert.deepEqual(severities({ name: 'CATM1-41065.dup', size: 100, head: DUP }), ['fail']);
  assert.deepEqual(severities({ name: 'updater.elf', size: 340_000, head: DUP }), ['fail']);
  assert.deepEqual(severities({ name: 'CATM1-41065.dup', size: 5_600_000, head: ELF }), ['fail']);
  const html = new TextEncoder().encode('<!DOCTYPE html><html>');
  const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04]);
  assert.deepEqual(severities({ name: 'CATM1-41065.dup', size: 5_600_000, head: html }), ['fail']);
  const problems = inspectFirmwareFile({ name: 'CATM1-41065.dup', size: 5_600_000, head: zip });
  assert.equal(problems[0]?.severity, 'fail');
  assert.match(problems[0]?.action ?? '', /Extract/);
});

test('warned: sizes outside the usual ranges, unknown names; fails come first', () => {
  assert.deepEqual(severities({ name: 'CATM1-41065.dup', size: 1_000_000, head: DUP }), ['warn']);
  assert.deepEqual(severities({ name: 'upgdiff_33080-to-41065.dup', size: 6_000_000, head: DUP }), ['warn']);
  assert.deepEqual(severities({ name: 'updater.elf', size: 3_000_000, head: ELF }), ['warn']);
  assert.deepEqual(severities({ name: 'modem.bin', size: 5_600_000, head: ELF.slice(0, 0) }), ['warn']);
  assert.deepEqual(severities({ name: 'modem.dup', size: 50, head: ELF }), ['fail', 'fail', 'warn']);
  for (const problem of inspectFirmwareFile({ name: 'modem.dup', size: 50, head: ELF })) {
    assert.ok(problem.message.length > 0 && problem.action.length > 0);
  }
});

test("Pycom's shipped names: CATM1-<release>-<build>-<stage>.dup, the docs' LR spelling, NB1", () => {
  assert.deepEqual(classifyFirmwareFileName('CATM1-5.2-48829-1.dup'), { kind: 'full', network: 'CAT-M1', build: 48829, stage: 1, version: '5.2' });
  assert.deepEqual(classifyFirmwareFileName('CATM1-5.2-48829-2.dup'), { kind: 'full', network: 'CAT-M1', build: 48829, stage: 2, version: '5.2' });
  assert.deepEqual(classifyFirmwareFileName('LR5.2.1.0-48829-1.dup'), { kind: 'full', network: 'CAT-M1', build: 48829, stage: 1, version: '5.2.1.0' });
  assert.deepEqual(classifyFirmwareFileName('LR6.1.0.0-43818.dup'), { kind: 'full', network: 'NB-IoT', build: 43818, version: '6.1.0.0' });
  assert.deepEqual(classifyFirmwareFileName('/sd/NB1-41019.dup'), { kind: 'full', network: 'NB-IoT', build: 41019 });
  assert.deepEqual(classifyFirmwareFileName('upgdiff_33080-to-48829.dup').fromBuild, 33080);
  // LR7 is neither network; a version without a build is not a firmware name.
  assert.equal(classifyFirmwareFileName('LR7.0.0.0-12345.dup').kind, 'unknown');
  assert.equal(classifyFirmwareFileName('CATM1-5.2.dup').kind, 'unknown');
});

test('an unknown name is a warning that says what was assumed', () => {
  const [bySize] = inspectFirmwareFile({ name: 'firmware.dup', size: 5_600_000, head: DUP });
  assert.equal(bySize?.severity, 'warn');
  assert.match(bySize!.message, /assumed a full image of unknown build, method chosen by size: ON_THE_FLY/);
  const [chosen] = inspectFirmwareFile({ name: 'firmware.dup', size: 600_000, head: DUP, method: 'on-the-fly' });
  assert.match(chosen!.message, /assumed a full image of unknown build, sent ON_THE_FLY/);
});

test('roles: updater.elf given as firmware is refused; the updater must be an ELF file whatever its name', () => {
  assert.deepEqual(severities({ name: 'updater.elf', size: 340_000, head: ELF, role: 'firmware' }), ['fail']);
  assert.deepEqual(severities({ name: 'recovery.bin', size: 340_000, head: DUP, role: 'updater' }), ['fail']);
  assert.deepEqual(severities({ name: 'updater-1.2.7.elf', size: 340_000, head: ELF, role: 'updater' }), ['warn']);
  // Stage 1 of the 48829 package is a full image of only 416,448 bytes: not an odd size.
  assert.deepEqual(severities({ name: 'CATM1-5.2-48829-1.dup', size: 416_448, head: DUP }), []);
});
