import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseFilesFromPackage, type CandidateFile, type ChooserModem, type FileChoice } from '../../src/core/package/choosePackageFiles';
import { choiceRefusalError, packageChoiceLines, packageChoiceResult } from '../../src/core/package/packageChoiceCheck';

/** Sizes as published: full images ~5.6 MB, diffs ~1.2 MB, updater.elf ~350 KB, stage 1 of 48829 416,448 bytes. */
const file = (name: string, size: number): CandidateFile => ({ name, size, path: `/pkg/${name}` });
const FULL_41065 = file('CATM1-41065.dup', 5_600_000);
const DIFF_38638 = file('upgdiff_38638-to-41065.dup', 1_200_000);
const DIFF_33080 = file('upgdiff_33080-to-41065.dup', 1_900_000);
const UPDATER = file('updater.elf', 350_000);
const PACKAGE_41065 = [FULL_41065, DIFF_33080, DIFF_38638, UPDATER];
const STAGE_1 = file('CATM1-5.2-48829-1.dup', 416_448);
const STAGE_2 = file('CATM1-5.2-48829-2.dup', 5_500_000);
const PACKAGE_48829 = [STAGE_2, STAGE_1, UPDATER];

const app = (softwareBuild: number, extra: Partial<ChooserModem> = {}): ChooserModem => ({ state: 2, softwareBuild, kind: 'CAT-M1', ...extra });

const picked = (choice: FileChoice) => [...(choice.updater ? [choice.updater.name] : []), ...choice.firmware.map((f) => f.name)];
const leftOut = (choice: FileChoice, name: string) => choice.leftOut.find((l) => l.name === name)?.reason;
const flagKinds = (choice: FileChoice) => choice.flags.map((f) => `${f.kind}:${f.severity}`);

test('modem at 38638: the diff from its build, FFF, with the reason and the duration; the rest left out with why', () => {
  const choice = chooseFilesFromPackage(PACKAGE_41065, app(38638));
  assert.deepEqual(picked(choice), ['upgdiff_38638-to-41065.dup']);
  assert.match(choice.firmware[0]!.reason, /^modem runs 38638 → upgdiff_38638-to-41065\.dup, 1\.1 MiB, FFF, about \d+ min$/);
  assert.equal(choice.firmware[0]!.method, 'fff');
  assert.equal(choice.path, 'fff');
  assert.ok(choice.estimatedMs! > 60_000);
  assert.match(leftOut(choice, 'CATM1-41065.dup')!, /upgdiff_38638-to-41065\.dup applies to the modem's build 38638 and is smaller/);
  assert.match(leftOut(choice, 'upgdiff_33080-to-41065.dup')!, /applies to build 33080, and the modem runs 38638/);
  assert.match(leftOut(choice, 'updater.elf')!, /a diff neither needs updater\.elf/);
  assert.deepEqual(choice.flags, []);
  assert.match(choice.summary, /^upgdiff_38638-to-41065\.dup \(FFF\), about \d+ min$/);
  const result = packageChoiceResult(choice);
  assert.equal(result.status, 'pass');
  assert.match(result.detail, /^modem runs 38638 → upgdiff_38638-to-41065\.dup, .*\. Left out: CATM1-41065\.dup — not needed: .*; upgdiff_33080-to-41065\.dup — applies to build 33080, and the modem runs 38638; updater\.elf — a diff neither needs /);
});

test('modem at 33080 (old bootrom): its diff needs no updater.elf; without one, the full image with updater.elf', () => {
  const withDiff = chooseFilesFromPackage(PACKAGE_41065, app(33080));
  assert.deepEqual(picked(withDiff), ['upgdiff_33080-to-41065.dup']);
  const withoutDiff = chooseFilesFromPackage([FULL_41065, DIFF_38638, UPDATER], app(33080));
  assert.deepEqual(picked(withoutDiff), ['updater.elf', 'CATM1-41065.dup']);
  assert.match(withoutDiff.updater!.reason, /^old bootrom \(build 33080\) and a full image → updater\.elf, 342 KiB$/);
  assert.match(withoutDiff.firmware[0]!.reason, /^modem runs 33080, no diff from it → CATM1-41065\.dup, 5\.3 MiB, ON_THE_FLY/);
  // The board's FFH method loads updater.elf first: the host resumes.
  assert.equal(withoutDiff.path, 'resume');
  // Bootloader0 read as 33080 under a newer build: the same.
  const oldBootloader = chooseFilesFromPackage([FULL_41065, UPDATER], app(38638, { bootloader0Build: 33080 }));
  assert.deepEqual(picked(oldBootloader), ['updater.elf', 'CATM1-41065.dup']);
  // A full image for an old bootrom without updater.elf in the package: said, and the gate refuses it.
  const noUpdater = chooseFilesFromPackage([FULL_41065], app(33080));
  assert.match(leftOut(noUpdater, 'updater.elf')!, /^needed, but the package holds none: old bootrom \(build 33080\) and a full image$/);
});

test('modem at 41065 with the 41065 package: it already runs this build (refused)', () => {
  const choice = chooseFilesFromPackage(PACKAGE_41065, app(41065));
  assert.deepEqual(picked(choice), []);
  assert.deepEqual(flagKinds(choice), ['same-build:refuse']);
  assert.match(choice.flags[0]!.message, /already runs build 41065/);
  const result = packageChoiceResult(choice);
  assert.equal(result.status, 'fail');
  assert.match(choiceRefusalError(choice)!.message, /already runs build 41065/);
});

test('modem at 41065 with the 48829 package: both stages in order, stage 1 ON_THE_FLY; stage 1 done: only stage 2', () => {
  const choice = chooseFilesFromPackage(PACKAGE_48829, app(41065));
  assert.deepEqual(picked(choice), ['CATM1-5.2-48829-1.dup', 'CATM1-5.2-48829-2.dup']);
  assert.deepEqual(choice.firmware.map((f) => f.method), ['on-the-fly', 'on-the-fly']);
  assert.match(choice.firmware[0]!.reason, /^modem runs 41065, no diff from it → CATM1-5\.2-48829-1\.dup, stage 1 of CAT-M1 48829, 407 KiB, ON_THE_FLY/);
  assert.match(choice.firmware[1]!.reason, /^then → CATM1-5\.2-48829-2\.dup, stage 2 of CAT-M1 48829/);
  assert.match(leftOut(choice, 'updater.elf')!, /not needed: the modem is running its application \(state 2\) with a new bootrom/);
  const afterStage1 = chooseFilesFromPackage(PACKAGE_48829, app(39529));
  assert.deepEqual(picked(afterStage1), ['CATM1-5.2-48829-2.dup']);
  assert.match(leftOut(afterStage1, 'CATM1-5.2-48829-1.dup')!, /stage 1 already ran: the modem reports build 39529/);
  assert.deepEqual(afterStage1.flags, []);
});

test('modem at 33080 with the 48829 package: both stages are picked, the gate then refuses the skipped release step', () => {
  const choice = chooseFilesFromPackage(PACKAGE_48829, app(33080));
  assert.deepEqual(picked(choice), ['updater.elf', 'CATM1-5.2-48829-1.dup', 'CATM1-5.2-48829-2.dup']);
});

test('state 0 (recovery): updater.elf and the full image; with only diffs, nothing fits', () => {
  const choice = chooseFilesFromPackage(PACKAGE_41065, { state: 0 });
  assert.deepEqual(picked(choice), ['updater.elf', 'CATM1-41065.dup']);
  assert.match(choice.updater!.reason, /^modem in recovery \(state 0\), updater\.elf goes first → updater\.elf, 342 KiB$/);
  assert.match(choice.firmware[0]!.reason, /^modem in recovery \(state 0\) → CATM1-41065\.dup, 5\.3 MiB, ON_THE_FLY/);
  assert.match(leftOut(choice, 'upgdiff_38638-to-41065.dup')!, /needs the full image/);
  assert.equal(choice.path, 'resume');
  const diffsOnly = chooseFilesFromPackage([DIFF_38638, UPDATER], { state: 0 });
  assert.deepEqual(flagKinds(diffsOnly), ['nothing-fits:refuse']);
  assert.match(diffsOnly.flags[0]!.message, /recovery bootrom \(state 0\): it needs the full image/);
});

test('state 4 (upgrade mode): the full image, no updater.elf; a two-stage release asks first', () => {
  const choice = chooseFilesFromPackage(PACKAGE_41065, { state: 4 });
  assert.deepEqual(picked(choice), ['CATM1-41065.dup']);
  assert.equal(choice.path, 'resume');
  assert.deepEqual(flagKinds(choice), ['upgrade-mode:note']);
  assert.match(leftOut(choice, 'updater.elf')!, /state 4: the modem's updater already runs/);
  assert.equal(packageChoiceResult(choice).status, 'pass');
  assert.ok(packageChoiceLines(choice).some((line) => /upgrade mode \(state 4\)/.test(line)));
  const twoStage = chooseFilesFromPackage(PACKAGE_48829, { state: 4 });
  assert.deepEqual(picked(twoStage), ['CATM1-5.2-48829-1.dup', 'CATM1-5.2-48829-2.dup']);
  assert.deepEqual(flagKinds(twoStage), ['upgrade-mode:warn']);
  assert.equal(packageChoiceResult(twoStage).status, 'warn');
});

test('a package for the other network: the full image, flagged; the gate asks for the confirmation', () => {
  const nb = [file('NB1-41019.dup', 5_400_000), file('upgdiff_40343-to-41019.dup', 1_000_000), UPDATER];
  const choice = chooseFilesFromPackage(nb, app(41065));
  assert.deepEqual(picked(choice), ['NB1-41019.dup']);
  assert.deepEqual(flagKinds(choice), ['other-network:warn']);
  assert.match(choice.firmware[0]!.reason, /^switch from CAT-M1 → NB1-41019\.dup/);
  // Not an "older build": builds of two networks do not compare.
  const result = packageChoiceResult(choice);
  assert.equal(result.status, 'pass', 'the network-change check of the gate raises the warning, once');
  assert.match(result.detail, /installs NB-IoT firmware; the modem runs CAT-M1/);
});

test('a package older than the modem: a downgrade to confirm', () => {
  const choice = chooseFilesFromPackage(PACKAGE_41065, app(48829));
  assert.deepEqual(picked(choice), ['CATM1-41065.dup']);
  assert.deepEqual(flagKinds(choice), ['older-build:warn']);
  assert.match(choice.flags[0]!.message, /installs build 41065, older than the modem's build 48829/);
  const result = packageChoiceResult(choice);
  assert.equal(result.status, 'warn');
  assert.match(result.action!, /older build/);
});

test("unknown modem: the full image, and why", () => {
  for (const modem of [{}, { state: 2 as const, kind: 'CAT-M1' as const }]) {
    const choice = chooseFilesFromPackage(PACKAGE_41065, modem);
    assert.deepEqual(picked(choice), ['CATM1-41065.dup']);
    assert.deepEqual(flagKinds(choice), ['unknown-modem:note']);
    assert.match(choice.flags[0]!.message, /not read, so the full image is chosen: it applies to any build/);
    assert.match(leftOut(choice, 'upgdiff_38638-to-41065.dup')!, /the modem's build was not read/);
  }
});

test('a package with both networks: the modem decides; unknown network is refused', () => {
  const both = [FULL_41065, file('NB1-41019.dup', 5_400_000)];
  assert.deepEqual(picked(chooseFilesFromPackage(both, app(38638))), ['CATM1-41065.dup']);
  assert.deepEqual(picked(chooseFilesFromPackage(both, { state: 2, softwareBuild: 40343, kind: 'NB-IoT' })), ['NB1-41019.dup']);
  assert.deepEqual(flagKinds(chooseFilesFromPackage(both, {})), ['two-networks:refuse']);
});

test('an empty package, a package without firmware, unknown names, a diff-only package that does not fit', () => {
  assert.deepEqual(flagKinds(chooseFilesFromPackage([], app(38638))), ['nothing-fits:refuse']);
  const onlyUpdater = chooseFilesFromPackage([UPDATER], app(38638));
  assert.match(onlyUpdater.flags[0]!.message, /updater\.elf but no firmware image/);
  const renamed = chooseFilesFromPackage([file('firmware.dup', 5_600_000), DIFF_38638], app(38638));
  assert.deepEqual(picked(renamed), ['upgdiff_38638-to-41065.dup']);
  assert.match(leftOut(renamed, 'firmware.dup')!, /not one of Pycom's firmware names/);
  const noFit = chooseFilesFromPackage([DIFF_33080], app(38638));
  assert.deepEqual(flagKinds(noFit), ['nothing-fits:refuse']);
  assert.match(noFit.flags[0]!.message, /diffs apply to build 33080, the modem runs build 38638/);
});

test('a chain of diffs from the modem build to the release', () => {
  const chain = [file('upgdiff_38638-to-39529.dup', 900_000), file('upgdiff_39529-to-41065.dup', 900_000), FULL_41065];
  const choice = chooseFilesFromPackage(chain, app(38638));
  assert.deepEqual(picked(choice), ['upgdiff_38638-to-39529.dup', 'upgdiff_39529-to-41065.dup']);
  assert.match(choice.firmware[1]!.reason, /^then → upgdiff_39529-to-41065\.dup/);
});

test('a method asked for is what the choice reports', () => {
  const choice = chooseFilesFromPackage(PACKAGE_41065, app(38638), { method: 'on-the-fly' });
  assert.equal(choice.firmware[0]!.method, 'on-the-fly');
  assert.match(choice.firmware[0]!.reason, /ON_THE_FLY/);
});

test('picked by name: the named files are sent as given (stages in order), the rest left out; a name not in the package is refused', () => {
  const choice = chooseFilesFromPackage(PACKAGE_41065, app(41065), { pick: ['CATM1-41065.dup'] });
  assert.deepEqual(picked(choice), ['CATM1-41065.dup'], 'the same build again, as an expert asked');
  assert.match(choice.firmware[0]!.reason, /^picked → CATM1-41065\.dup, 5\.3 MiB, ON_THE_FLY/);
  assert.equal(leftOut(choice, 'upgdiff_38638-to-41065.dup'), 'not picked: the files were named');
  assert.deepEqual(choice.flags, []);
  const stages = chooseFilesFromPackage(PACKAGE_48829, { state: 0 }, { pick: ['catm1-5.2-48829-2.dup', 'CATM1-5.2-48829-1.dup', 'updater.elf'] });
  assert.deepEqual(picked(stages), ['updater.elf', 'CATM1-5.2-48829-1.dup', 'CATM1-5.2-48829-2.dup']);
  const missing = chooseFilesFromPackage(PACKAGE_41065, app(38638), { pick: ['NB1-41019.dup'] });
  assert.deepEqual(flagKinds(missing), ['pick-missing:refuse']);
  assert.match(missing.flags[0]!.message, /^Not in the package: nb1-41019\.dup \(it holds CATM1-41065\.dup, /);
  assert.deepEqual(flagKinds(chooseFilesFromPackage(PACKAGE_41065, app(38638), { pick: ['updater.elf'] })), ['nothing-fits:refuse']);
});

test('a name found twice (a package extracted twice into one folder): the first copy is sent, the second named', () => {
  const copy = { ...DIFF_38638, path: '/pkg/again/upgdiff_38638-to-41065.dup' };
  const choice = chooseFilesFromPackage([...PACKAGE_41065, copy, { ...UPDATER, path: '/pkg/again/updater.elf' }], app(38638));
  assert.deepEqual(choice.firmware.map((f) => f.path), ['/pkg/upgdiff_38638-to-41065.dup']);
  assert.equal(choice.leftOut.filter((l) => /a second copy \(\/pkg\/again\//.test(l.reason)).length, 2);
});

test('for the host half alone (a board already in mirror mode), a recovery modem is predicted on the recovery path', () => {
  const choice = chooseFilesFromPackage(PACKAGE_41065, { state: 0 }, { boardRunsFfh: false });
  assert.deepEqual(picked(choice), ['updater.elf', 'CATM1-41065.dup']);
  assert.equal(choice.path, 'recovery');
});
