import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkFilesAgainstModem, chooseUpgradePath, inspectUpgradeFiles, parseTransferMethodOption, type UpgradeFiles } from '../../src/core/engine/upgradePlan';
import { ModemStateError } from '../../src/core/engine/upgradeErrors';
import { UsageError } from '../../src/core/errors';
import { withCliActions } from '../../src/cli/userActionText';

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

test('two-stage files out of order are put in order, with a warning; the modem is not needed for that', async () => {
  const one = file('CATM1-41065-1.dup', 5 * MiB);
  const two = file('CATM1-41065-2.dup', 5 * MiB);
  const swapped = await inspectUpgradeFiles([two, one]);
  assert.deepEqual(swapped.firmware.map((f) => f.stage), [1, 2]);
  assert.match(swapped.warnings.join(), /will be sent in order, CATM1-41065-1\.dup, CATM1-41065-2\.dup/);
  const ok = await inspectUpgradeFiles([one, two]);
  assert.deepEqual(ok.firmware.map((f) => f.stage), [1, 2]);
  assert.doesNotMatch(ok.warnings.join(), /in order/);
  await refusal(inspectUpgradeFiles([one, one]), /given twice/);
});

test("stage 1 goes ON_THE_FLY whatever its size (Pycom's load_fff=False); updater.elf makes every image ON_THE_FLY", async () => {
  const stage1 = file('CATM1-5.2-48829-1.dup', 416_448);
  const stage2 = file('CATM1-5.2-48829-2.dup', 600_000);
  const files = await inspectUpgradeFiles([stage1, stage2]);
  assert.deepEqual(files.firmware.map((f) => [f.build, f.stage, f.method]), [[48829, 1, 'on-the-fly'], [48829, 2, 'fff']]);
  assert.doesNotMatch(files.warnings.join(), /-1\.dup is/, 'a small stage 1 is not an odd size');
  const odd = file('CATM1-41000.dup', 3 * MiB);
  assert.equal((await inspectUpgradeFiles([odd])).firmware[0]!.method, 'fff');
  assert.equal((await inspectUpgradeFiles([odd], elf)).firmware[0]!.method, 'on-the-fly');
});

test('a method asked for applies to every file, with a warning where it goes against the documented choice', async () => {
  const stage1 = file('CATM1-5.2-48829-1.dup', 416_448);
  const forced = await inspectUpgradeFiles([stage1, file('CATM1-5.2-48829-2.dup', 5 * MiB)], undefined, { method: 'fff' });
  assert.deepEqual(forced.firmware.map((f) => f.method), ['fff', 'fff']);
  assert.match(forced.warnings.join(), /CATM1-5\.2-48829-1\.dup is sent FFF as asked.*bricked/);
  const onTheFly = await inspectUpgradeFiles([diff], undefined, { method: 'on-the-fly' });
  assert.equal(onTheFly.firmware[0]!.method, 'on-the-fly');
  assert.equal((await inspectUpgradeFiles([diff], undefined, { method: 'auto' })).firmware[0]!.method, 'fff');
  assert.equal(parseTransferMethodOption('ON_THE_FLY'), 'on-the-fly');
  assert.equal(parseTransferMethodOption(' fff '), 'fff');
  assert.equal(parseTransferMethodOption(undefined), 'auto');
  assert.throws(() => parseTransferMethodOption('fast'), (e: unknown) => e instanceof UsageError && /fast/.test(e.message) && /on-the-fly/.test(e.action));
});

test('an unknown name says what was assumed', async () => {
  const renamed = await inspectUpgradeFiles([file('modem-firmware.dup', 5 * MiB)]);
  assert.match(renamed.warnings.join(), /assumed a full image of unknown build, sent ON_THE_FLY/);
  const small = await inspectUpgradeFiles([file('my.dup', 600_000)]);
  assert.match(small.warnings.join(), /assumed a full image.*sent FFF/);
});

test('updater.elf must be an ELF file, whatever its name', async () => {
  await refusal(inspectUpgradeFiles([full], file('UPDATER.ELF', 340_000)), /does not start like an ELF/);
  await refusal(inspectUpgradeFiles([full], file('my-updater.bin', 340_000)), /does not start like an ELF/);
  const renamed = await inspectUpgradeFiles([full], file('updater-1.2.7.elf', 340_000, new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1])));
  assert.match(renamed.warnings.join(), /not named updater\.elf/);
});

test('rules that need no modem refuse before the port opens: 50523 cannot be installed by users', async () => {
  const error = await refusal(inspectUpgradeFiles([file('CATM1-50523.dup', 5 * MiB)]), /50523.*cannot install/);
  assert.doesNotMatch(error.action, /--/);
  await refusal(inspectUpgradeFiles([file('upgdiff_48829-to-50523.dup', 600_000)]), /50523/);
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
  assert.throws(() => chooseUpgradePath(0, plain), (e: unknown) => e instanceof UsageError && /recovery bootrom/.test(e.message) && /--updater/.test(withCliActions(e.action, e.actions)));
});

function against(files: UpgradeFiles, softwareBuild: number | undefined, extra: { bootloader0Build?: number } = {}): string[] {
  return checkFilesAgainstModem(files, { state: 2, ...(softwareBuild !== undefined ? { softwareBuild } : {}), kind: 'CAT-M1', ...extra });
}

test('a diff must start from the build the modem runs, also across stages', async () => {
  const files = await inspectUpgradeFiles([diff]);
  assert.deepEqual(against(files, 38638), []);
  assert.throws(() => against(files, 39529), (e: unknown) => e instanceof UsageError && /39529/.test(e.message) && /upgdiff_39529-to-/.test(e.action));
  assert.match(against(files, undefined).join(), /unknown/);
  const chained = await inspectUpgradeFiles([file('upgdiff_38638-to-40000-1.dup', 500_000), file('upgdiff_40000-to-41065-2.dup', 500_000)]);
  assert.deepEqual(against(chained, 38638), []);
  const broken = await inspectUpgradeFiles([file('upgdiff_38638-to-40000-1.dup', 500_000), file('upgdiff_40001-to-41065-2.dup', 500_000)]);
  assert.throws(() => against(broken, 38638), /will run build 40000/);
});

test('state 1 (mTools) is accepted: the normal method without the reboot into the updater', async () => {
  const files = await inspectUpgradeFiles([full]);
  const plan = chooseUpgradePath(1, files);
  assert.equal(plan.path, 'on-the-fly');
  assert.equal(plan.skipRecoveryBoot, true);
  assert.match(plan.warnings.join(), /mTools/);
  assert.equal(chooseUpgradePath(2, files).skipRecoveryBoot, false);
  assert.throws(() => chooseUpgradePath(3 as never, files), ModemStateError);
});
