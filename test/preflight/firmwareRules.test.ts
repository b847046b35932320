import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/core/errors';
import { classifyFirmwareFileName } from '../../src/core/parse/firmwareFile';
import { enforceFirmwareRules, evaluateFirmwareRules, FIRMWARE_RULES, orderStages, type FirmwareRuleInput } from '../../src/core/preflight/firmwareRules';
import { runPreflight } from '../../src/core/preflight/preflight';
import { decideUpgradePath } from '../../src/core/preflight/upgradePathRules';

const named = (name: string) => ({ name, class: classifyFirmwareFileName(name) });

test('every rule names where it is documented', () => {
  for (const rule of FIRMWARE_RULES) assert.match(rule.source, /Pycom|PROTOCOL\.md|issue|forum/, rule.id);
});

test('preflight and the engine refuse with the same words: one rule function behind both', () => {
  const input: FirmwareRuleInput = { firmware: [named('CATM1-41065.dup')], hasUpdater: false, modem: { state: 2, softwareBuild: 38638, bootloader0Build: 33080 } };
  const refusal = (() => {
    try {
      enforceFirmwareRules(input);
    } catch (error) {
      return error;
    }
    return undefined;
  })();
  assert.ok(refusal instanceof UsageError);
  const shown = runPreflight({ firmware: [{ name: 'CATM1-41065.dup', size: 5_600_000 }], modem: input.modem! }).find((r) => r.id === 'old-bootrom');
  assert.equal(shown?.status, 'fail');
  assert.equal(shown?.detail, refusal.message);
  assert.equal(shown?.action, refusal.action);
  assert.doesNotMatch(refusal.action, /--updater/, 'core says what to add, the CLI says how');
});

test('orderStages keeps other files in place and sorts the stage files into the places they took', () => {
  const files = [named('CATM1-5.2-48829-2.dup'), named('CATM1-5.2-48829-1.dup')];
  const { ordered, wasReordered } = orderStages(files);
  assert.deepEqual(ordered.map((f) => f.name), ['CATM1-5.2-48829-1.dup', 'CATM1-5.2-48829-2.dup']);
  assert.equal(wasReordered, true);
  assert.equal(orderStages(ordered).wasReordered, false);
});

test('path rules: FFH on an old bootrom predicts resume (updater.elf not sent again); mTools skips the recovery boot', () => {
  const beforeBoard = decideUpgradePath({ state: 2, hasUpdater: true, bootloader0Build: 33080, firstMethod: 'on-the-fly', isBeforeBoardHalf: true });
  assert.equal(beforeBoard.path, 'resume');
  assert.equal(beforeBoard.isExpected, true);
  const found = decideUpgradePath({ state: 2, hasUpdater: true, bootloader0Build: 33080, firstMethod: 'on-the-fly' });
  assert.equal(found.path, 'on-the-fly');
  assert.match(found.notes.join(), /updater\.elf is not needed and will not be sent/);
  const mTools = decideUpgradePath({ state: 1, hasUpdater: false, firstMethod: 'fff' });
  assert.deepEqual([mTools.path, mTools.skipRecoveryBoot], ['fff', true]);
});

test("before mirror mode only the build is known: a modem on 33080 is refused a full image without updater.elf, a diff goes", () => {
  const fromBoard = (firmware: string, hasUpdater: boolean) =>
    evaluateFirmwareRules({ firmware: [named(firmware)], hasUpdater, modem: { state: 2, softwareBuild: 33080, kind: 'CAT-M1' } }).find((v) => v.id === 'old-bootrom');
  const refused = fromBoard('CATM1-41065.dup', false);
  assert.equal(refused?.status, 'fail');
  assert.match(refused!.detail, /runs build 33080 \(the old bootrom's\): a full image \(CATM1-41065\.dup\) needs updater\.elf/);
  // With updater.elf only the board's FFH method helps: the host alone would send the image to the old bootrom.
  assert.equal(fromBoard('CATM1-41065.dup', true)?.status, 'fail');
  assert.equal(
    evaluateFirmwareRules({ firmware: [named('CATM1-41065.dup')], hasUpdater: true, boardRunsFfh: true, modem: { state: 2, softwareBuild: 33080 } }).find((v) => v.id === 'old-bootrom')?.status,
    'pass',
  );
  assert.equal(fromBoard('upgdiff_33080-to-41065.dup', false)?.status, 'pass');
  // Another build with the bootrom unknown: nothing to say yet.
  assert.equal(
    evaluateFirmwareRules({ firmware: [named('CATM1-41065.dup')], hasUpdater: false, modem: { state: 2, softwareBuild: 38638 } }).find((v) => v.id === 'old-bootrom')?.status,
    'skip',
  );
});
