import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkBuildChain, chooseUpgradePath, inspectUpgradeFiles } from '../../src/core/engine/upgradePlan';
import { ModemStateError } from '../../src/core/engine/upgradeErrors';
import { UsageError } from '../../src/core/errors';

const dir = mkdtempSync(join(tmpdir(), 'plan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A sparse file of `size` bytes starting with `head`. */
function file(name: string, size: number, head: Uint8Array = new TextEncoder().encode('SIMDUP1 test\n')): string {
  const path = join(dir, name);
  writeFileSync(path, head.subarray(0, Math.min(head.length, size)));
  truncateSync(path, size);
  return path;
}

const MiB = 1024 * 1024;
const full = file('CATM1-41065.dup', 5.5 * MiB);
const diff = file('upgdiff_38638-to-41065.dup', 600_000);
const elf = file('updater.elf', 340_000, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]));

async function refusal(promise: Promise<unknown>, pattern: RegExp): Promise<UsageError> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof UsageError, `expected UsageError, got ${String(error)}`);
  assert.match(error.message, pattern);
  assert.ok(error.action.length > 10, 'a refusal says what to do instead');
  return error;
}

test('reads facts: kind, builds and transfer method by size', async () => {
  const files = await inspectUpgradeFiles([full]);
  assert.equal(files.firmware[0]!.kind, 'full');
  assert.equal(files.firmware[0]!.build, 41065);
  assert.equal(files.firmware[0]!.method, 'on-the-fly');
  const d = await inspectUpgradeFiles([diff]);
  assert.deepEqual([d.firmware[0]!.fromBuild, d.firmware[0]!.toBuild, d.firmware[0]!.method], [38638, 41065, 'fff']);
});

test('refuses before touching the modem: nothing, missing, tiny, updater as firmware, ELF as .dup', async () => {
  await refusal(inspectUpgradeFiles([]), /No firmware file/);
  await refusal(inspectUpgradeFiles([join(dir, 'NB1-1.dup')]), /no such file/);
  await refusal(inspectUpgradeFiles([file('NB1-41019.dup', 127)]), /127 bytes/);
  await refusal(inspectUpgradeFiles([elf]), /updater/);
  await refusal(inspectUpgradeFiles([file('CATM1-1-elf.dup', 5 * MiB, new Uint8Array([0x7f, 0x45, 0x4c, 0x46]))]), /ELF/);
});

test('refuses a diff together with updater.elf', async () => {
  const error = await refusal(inspectUpgradeFiles([diff], elf), /cannot be combined with updater\.elf/);
  assert.match(error.action, /full image/);
});

test('refuses two-stage files out of order', async () => {
  const one = file('CATM1-41065-1.dup', 5 * MiB);
  const two = file('CATM1-41065-2.dup', 5 * MiB);
  await refusal(inspectUpgradeFiles([two, one]), /in order/);
  const ok = await inspectUpgradeFiles([one, two]);
  assert.deepEqual(ok.firmware.map((f) => f.stage), [1, 2]);
});

test('path from the modem state', async () => {
  const withUpdater = await inspectUpgradeFiles([full], elf);
  const plain = await inspectUpgradeFiles([full]);
  const small = await inspectUpgradeFiles([diff]);
  assert.equal(chooseUpgradePath(0, withUpdater).path, 'recovery');
  assert.equal(chooseUpgradePath(4, plain).path, 'resume');
  assert.equal(chooseUpgradePath(2, plain).path, 'on-the-fly');
  assert.equal(chooseUpgradePath(2, small).path, 'fff');
  const ignored = chooseUpgradePath(2, withUpdater);
  assert.equal(ignored.path, 'on-the-fly');
  assert.match(ignored.warnings.join(), /not needed/);
  assert.throws(() => chooseUpgradePath(0, plain), (e: unknown) => e instanceof UsageError && /recovery bootrom/.test(e.message) && /--updater/.test(e.action));
  assert.throws(() => chooseUpgradePath(1, plain), ModemStateError);
});

test('a diff must start from the build the modem runs, also across stages', async () => {
  const { firmware } = await inspectUpgradeFiles([diff]);
  assert.deepEqual(checkBuildChain(firmware, 38638), []);
  assert.throws(() => checkBuildChain(firmware, 39529), (e: unknown) => e instanceof UsageError && /39529/.test(e.message) && /upgdiff_39529-to-/.test(e.action));
  assert.match(checkBuildChain(firmware, undefined).join(), /unknown/);
  const chained = (await inspectUpgradeFiles([file('upgdiff_38638-to-40000-1.dup', 500_000), file('upgdiff_40000-to-41065-2.dup', 500_000)])).firmware;
  assert.deepEqual(checkBuildChain(chained, 38638), []);
  const broken = (await inspectUpgradeFiles([file('upgdiff_38638-to-40000-1.dup', 500_000), file('upgdiff_40001-to-41065-2.dup', 500_000)])).firmware;
  assert.throws(() => checkBuildChain(broken, 38638), /will run build 40000/);
});
