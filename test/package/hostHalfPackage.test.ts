import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeSyntheticFirmware, makeSyntheticUpdaterElf } from '../../src/sim/firmwareImage';
import { MiB, abortAfterSending, engineRig } from '../support/engineRig';
import { makeZip } from '../support/zipWriter';
import { jsonLines, runInProcess } from '../cli/cliHarness';

/**
 * The host half alone (`upgrade`, a board already in mirror mode) with a package: the
 * modem is read, the files chosen, the engine runs with them; the attempt is remembered
 * by its package, so an interrupted upgrade continues from it.
 */

const full = () => makeSyntheticFirmware({ kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
const diff = () => makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 600_000 });

test('upgrade with a zip in mirror mode: the diff from the modem build is chosen and sent', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const zip = join(rig.dir, 'CATM1-41065.zip');
  writeFileSync(zip, makeZip([
    { name: 'CATM1-41065.dup', data: full(), deflate: true },
    { name: 'upgdiff_38638-to-41065.dup', data: diff(), deflate: true },
    { name: 'updater.elf', data: makeSyntheticUpdaterElf(), deflate: true },
  ]));
  const run = await runInProcess(['upgrade', '--port', 'sim:modem', '--timeout-scale', '0.05', '--transcript-dir', rig.dir, zip], { opener: rig.registry });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /\[ok\] +Files chosen from the package: modem runs 38638 → upgdiff_38638-to-41065\.dup, 586 KiB, FFF/);
  assert.match(run.stdout, /Plan: fff — upgdiff_38638-to-41065\.dup/);
  assert.equal(rig.modem.build, 41065);
});

test('an interrupted package upgrade continues from the package: state 4 resumes with the full image, without updater.elf', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const zip = join(rig.dir, 'CATM1-41065-full.zip');
  writeFileSync(zip, makeZip([
    { name: 'CATM1-41065.dup', data: full(), deflate: true },
    { name: 'updater.elf', data: makeSyntheticUpdaterElf(), deflate: true },
  ]));
  const controller = new AbortController();
  const common = ['--port', 'sim:modem', '--timeout-scale', '0.05', '--transcript-dir', rig.dir];
  const cancelled = await runInProcess(['upgrade', ...common, zip], { opener: abortAfterSending(rig.registry, 100_000, controller), signal: controller.signal });
  assert.equal(cancelled.code, 1, cancelled.stdout + cancelled.stderr);
  assert.equal((await rig.powerCycle()).state, 4);

  const offer = await runInProcess(['upgrade', ...common, '--json'], { opener: rig.registry });
  assert.equal(offer.code, 2);
  const line = jsonLines(offer.stdout).find((e) => e.kind === 'resumeOffer') as { command: string };
  assert.equal(line.command, `pycom-modem upgrade --port sim:modem ${zip}`, 'the package is what continues it');

  const resumed = await runInProcess(['upgrade', ...common, zip], { opener: rig.registry });
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /modem in upgrade mode \(state 4\) → CATM1-41065\.dup/);
  assert.match(resumed.stdout, /Left out: updater\.elf — state 4: the modem's updater already runs/);
  assert.equal(rig.modem.build, 41065);
});
