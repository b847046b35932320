import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isElf,
  makeSyntheticFirmware,
  makeSyntheticUpdaterElf,
  readSyntheticHeader,
  writeSyntheticFirmware,
} from '../../src/sim/firmwareImage';

test('a synthetic image starts with its header line and has exactly the asked size', () => {
  const image = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 500_000 });
  assert.equal(image.length, 500_000);
  const line = Buffer.from(image.subarray(0, 64)).toString('latin1').split('\n')[0];
  assert.equal(line, 'SIMDUP1 kind=diff net=CAT-M1 from=38638 build=41065 size=500000');
  assert.deepEqual(readSyntheticHeader(image), {
    kind: 'diff',
    network: 'CAT-M1',
    fromBuild: 38638,
    build: 41065,
    size: 500_000,
    headerBytes: line!.length + 1,
  });
  // The body looks random: every byte value occurs.
  assert.equal(new Set(image.subarray(100)).size, 256);
});

test('the same options give the same bytes; another seed gives others', () => {
  const options = { kind: 'full', network: 'NB-IoT', build: 41019, size: 10_000 } as const;
  assert.deepEqual(makeSyntheticFirmware(options), makeSyntheticFirmware(options));
  assert.notDeepEqual(makeSyntheticFirmware(options), makeSyntheticFirmware({ ...options, seed: 7 }));
});

test('writeSyntheticFirmware streams the same bytes to a file (multi-MB)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'simfw-'));
  try {
    const options = { kind: 'full', network: 'CAT-M1', build: 41065, size: 2_500_123 } as const;
    const path = join(dir, 'CATM1-41065.dup');
    await writeSyntheticFirmware(path, options);
    assert.deepEqual(new Uint8Array(readFileSync(path)), makeSyntheticFirmware(options));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('files without our header are not misread; the updater stand-in is an ELF', () => {
  assert.equal(readSyntheticHeader(Uint8Array.from([1, 2, 3, 10])), undefined);
  assert.equal(readSyntheticHeader(new TextEncoder().encode('SIMDUP1 kind=odd net=CAT-M1 build=1\n')), undefined);
  assert.equal(readSyntheticHeader(new Uint8Array(1000)), undefined);
  const elf = makeSyntheticUpdaterElf();
  assert.equal(elf.length, 340_000);
  assert.ok(isElf(elf));
  assert.throws(() => makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', build: 2, size: 200 }), RangeError);
});
