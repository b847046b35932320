import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  estimateUpgradeDuration,
  hasFailure,
  PREFLIGHT_CHECKS,
  renderPreflightText,
  runPreflight,
  stpBytesPerSecond,
  type PreflightFacts,
  type PreflightFile,
  type PreflightStatus,
} from '../../src/core/preflight/preflight';

const DUP_HEAD = new Uint8Array([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0]);
const ELF_HEAD = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]);
const ZIP_HEAD = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]);

const file = (name: string, size: number, head = DUP_HEAD): PreflightFile => ({ name, size, head });
const FULL = file('/home/me/CATM1-41065/CATM1-41065.dup', 5_835_531);
const NB1 = file('NB1-41019.dup', 5_835_531);
const DIFF = file('upgdiff_38638-to-41065.dup', 1_200_000);
const UPDATER = file('updater.elf', 340_000, ELF_HEAD);
const STAGE1_48829 = file('CATM1-5.2-48829-1.dup', 416_448);
const STAGE2_48829 = file('CATM1-5.2-48829-2.dup', 5_600_000);
const GPY = { machine: 'GPy', release: '1.20.2.r6', hasLteModem: true, hasSqnsupgrade: true, flashFreeBytes: 1_000_000 };

function statuses(facts: PreflightFacts): Record<string, PreflightStatus> {
  return Object.fromEntries(runPreflight(facts).map((r) => [r.id, r.status]));
}

function resultOf(facts: PreflightFacts, id: string) {
  const result = runPreflight(facts).find((r) => r.id === id);
  assert.ok(result, `no check ${id}`);
  return result;
}

interface VerdictCase {
  name: string;
  facts: PreflightFacts;
  /** Only the checks named here are asserted. */
  expect: Record<string, PreflightStatus>;
  detail?: Record<string, RegExp>;
}

const CASES: VerdictCase[] = [
  {
    name: 'a full image for a modem in its application, on a GPy with room and sqnsupgrade',
    facts: { firmware: [FULL], modem: { state: 2, softwareBuild: 38638, bootloader0Build: 38638, kind: 'CAT-M1' }, board: GPY },
    expect: {
      'files-readable': 'pass',
      'files-kind': 'pass',
      'diff-with-updater': 'skip',
      'stage-order': 'skip',
      'build-chain': 'skip',
      'modem-path': 'pass',
      'old-bootrom': 'pass',
      'network-change': 'pass',
      'board-lte': 'pass',
      sqnsupgrade: 'pass',
      'flash-space': 'skip',
    },
    detail: { 'modem-path': /^ON_THE_FLY .*about \d+ min/, 'files-kind': /CAT-M1 full image, build 41065/ },
  },
  {
    name: "the board's own updater sends the file (SD card, /flash): its line to the modem, and no mirror mode in the words",
    facts: { firmware: [FULL], board: GPY, isSentByBoard: true },
    expect: { 'modem-path': 'pass' },
    detail: { 'modem-path': /the board's updater reads the state before it sends anything\. about \d+ min \(about \d+ s on the board's line to the modem at \d+ B\/s/ },
  },
  { name: 'no file', facts: { firmware: [] }, expect: { 'files-readable': 'fail', 'modem-path': 'skip' } },
  {
    name: 'an unreadable file',
    facts: { firmware: [{ name: 'CATM1-41065.dup', readError: 'no such file' }] },
    expect: { 'files-readable': 'fail', 'files-kind': 'skip' },
    detail: { 'files-readable': /CATM1-41065\.dup: no such file/ },
  },
  { name: 'updater.elf given as the firmware', facts: { firmware: [UPDATER] }, expect: { 'files-kind': 'fail' } },
  { name: 'a zip archive named like firmware', facts: { firmware: [file('CATM1-41065.dup', 5_000_000, ZIP_HEAD)] }, expect: { 'files-kind': 'fail' } },
  { name: 'a full image of an odd size', facts: { firmware: [file('CATM1-41065.dup', 1_000_000)] }, expect: { 'files-kind': 'warn' } },
  { name: 'a .dup given as the updater', facts: { firmware: [FULL], updater: file('NB1-41019.dup', 5_835_531) }, expect: { 'files-kind': 'fail' } },
  {
    name: 'a diff with updater.elf',
    facts: { firmware: [DIFF], updater: UPDATER },
    expect: { 'diff-with-updater': 'fail' },
    detail: { 'diff-with-updater': /upgdiff_38638-to-41065\.dup is a differential upgrade/ },
  },
  { name: 'a full image with updater.elf', facts: { firmware: [FULL], updater: UPDATER }, expect: { 'diff-with-updater': 'pass' } },
  {
    name: 'two stages in the wrong order',
    facts: { firmware: [file('CATM1-41065-2.dup', 5_000_000), file('CATM1-41065-1.dup', 5_000_000)] },
    expect: { 'stage-order': 'warn' },
    detail: { 'stage-order': /will be sent stage 1 \(CATM1-41065-1\.dup\) then stage 2/ },
  },
  { name: 'stage 1 alone', facts: { firmware: [file('CATM1-41065-1.dup', 5_000_000)] }, expect: { 'stage-order': 'warn' } },
  {
    name: 'two stages in order',
    facts: { firmware: [file('CATM1-41065-1.dup', 5_000_000), file('CATM1-41065-2.dup', 5_000_000)] },
    expect: { 'stage-order': 'pass' },
  },
  {
    name: "a diff from another build than the modem's (the modem would say Patch didn't apply)",
    facts: { firmware: [file('upgdiff_33080-to-41065.dup', 1_200_000)], modem: { state: 2, softwareBuild: 38638 } },
    expect: { 'build-chain': 'fail' },
    detail: { 'build-chain': /Patch didn't apply/ },
  },
  { name: 'a diff, modem build not known yet', facts: { firmware: [DIFF] }, expect: { 'build-chain': 'warn' } },
  {
    name: "a diff from the modem's build",
    facts: { firmware: [DIFF], modem: { state: 2, softwareBuild: 38638 } },
    expect: { 'build-chain': 'pass', 'modem-path': 'pass' },
    detail: { 'modem-path': /^FFF/ },
  },
  {
    name: 'a chain of two diffs that connect',
    facts: { firmware: [file('upgdiff_38638-to-39529.dup', 1_000_000), file('upgdiff_39529-to-41065.dup', 1_000_000)], modem: { state: 2, softwareBuild: 38638 } },
    expect: { 'build-chain': 'pass' },
  },
  {
    name: 'a chain of two diffs that do not connect',
    facts: { firmware: [file('upgdiff_38638-to-39529.dup', 1_000_000), file('upgdiff_40000-to-41065.dup', 1_000_000)], modem: { state: 2, softwareBuild: 38638 } },
    expect: { 'build-chain': 'fail' },
    detail: { 'build-chain': /will run build 39529/ },
  },
  {
    name: 'state 0 without updater.elf',
    facts: { firmware: [FULL], modem: { state: 0 } },
    expect: { 'modem-path': 'fail' },
    detail: { 'modem-path': /recovery bootrom/ },
  },
  {
    name: 'state 0 with updater.elf and the full image',
    facts: { firmware: [FULL], updater: UPDATER, modem: { state: 0 }, board: GPY },
    expect: { 'modem-path': 'pass', 'flash-space': 'pass' },
    detail: { 'modem-path': /^recovery/ },
  },
  { name: 'state 0 with a diff', facts: { firmware: [DIFF], updater: UPDATER, modem: { state: 0 } }, expect: { 'modem-path': 'fail', 'diff-with-updater': 'fail' } },
  {
    name: 'state 4',
    facts: { firmware: [FULL], modem: { state: 4 } },
    expect: { 'modem-path': 'pass' },
    detail: { 'modem-path': /resume.*same file/ },
  },
  {
    name: 'state 1 (mTools): the normal method without the reboot into the updater',
    facts: { firmware: [FULL], modem: { state: 1 } },
    expect: { 'modem-path': 'pass' },
    detail: { 'modem-path': /^ON_THE_FLY.*mTools mode: no reboot into the updater/ },
  },
  {
    name: 'state unknown before mirror mode',
    facts: { firmware: [FULL] },
    expect: { 'modem-path': 'pass', 'old-bootrom': 'skip', 'board-lte': 'skip', sqnsupgrade: 'skip' },
    detail: { 'modem-path': /^Expected ON_THE_FLY/ },
  },
  {
    name: 'the old 33080 bootrom, a full image without updater.elf: refused, saying which file to add',
    facts: { firmware: [FULL], modem: { state: 2, bootloader0Build: 33080 } },
    expect: { 'old-bootrom': 'fail' },
    detail: { 'old-bootrom': /old 33080 bootrom.*CATM1-41065\.dup.*needs updater\.elf/ },
  },
  {
    name: 'the old 33080 bootrom and a diff: no updater.elf needed',
    facts: { firmware: [DIFF], modem: { state: 2, softwareBuild: 38638, bootloader0Build: 33080 } },
    expect: { 'old-bootrom': 'pass', 'build-chain': 'pass' },
  },
  {
    name: "the old 33080 bootrom with updater.elf and the board's FFH method ahead",
    facts: { firmware: [FULL], updater: UPDATER, boardRunsFfh: true, modem: { state: 2, bootloader0Build: 33080 } },
    expect: { 'old-bootrom': 'pass' },
  },
  {
    // The host alone cannot rewrite a bootrom: the image would go to the old one.
    name: 'the old 33080 bootrom in application mode, host half alone: refused even with updater.elf',
    facts: { firmware: [FULL], updater: UPDATER, modem: { state: 2, bootloader0Build: 33080 } },
    expect: { 'old-bootrom': 'fail' },
    detail: { 'old-bootrom': /host alone cannot rewrite the bootrom/ },
  },
  {
    name: 'NB-IoT firmware for a CAT-M1 modem: a switch that needs a confirmation',
    facts: { firmware: [NB1], modem: { state: 2, kind: 'CAT-M1' } },
    expect: { 'network-change': 'warn' },
    detail: { 'network-change': /CAT-M1.*NB-IoT: a switch of network type/ },
  },
  {
    name: 'CAT-M1 firmware for a modem on NB-IoT 43818: the switch may not be reversible',
    facts: { firmware: [FULL], modem: { state: 2, kind: 'NB-IoT', softwareBuild: 43818 } },
    expect: { 'network-change': 'warn' },
    detail: { 'network-change': /NB-IoT 43818, like this one, could not go back.*issue 379/ },
  },
  {
    name: 'a modem on 33080 and the 48829 stages: 41065 first',
    facts: { firmware: [STAGE1_48829, STAGE2_48829], modem: { state: 2, softwareBuild: 33080, kind: 'CAT-M1' } },
    expect: { 'release-steps': 'fail', 'stage-order': 'pass' },
    detail: { 'release-steps': /on 33080 must go to 41065 before 48829/ },
  },
  {
    name: 'a modem on 41065 and the 48829 stages: in order, stage 1 ON_THE_FLY although small',
    facts: { firmware: [STAGE1_48829, STAGE2_48829], modem: { state: 2, softwareBuild: 41065, kind: 'CAT-M1' } },
    expect: { 'release-steps': 'pass', 'stage-order': 'pass', 'transfer-method': 'pass', 'files-kind': 'pass' },
    detail: { 'transfer-method': /CATM1-5\.2-48829-1\.dup: ON_THE_FLY \(stage 1/ },
  },
  {
    name: "the docs' SD-card spelling LR5.2.1.0-48829-1.dup is the same stage 1",
    facts: { firmware: [file('LR5.2.1.0-48829-1.dup', 416_448), STAGE2_48829], modem: { state: 2, softwareBuild: 41065, kind: 'CAT-M1' } },
    expect: { 'stage-order': 'pass', 'transfer-method': 'pass', 'network-change': 'pass' },
    detail: { 'transfer-method': /LR5\.2\.1\.0-48829-1\.dup: ON_THE_FLY/ },
  },
  {
    name: 'the 48829 stages, the modem build not known yet: 33080 must go to 41065 first',
    facts: { firmware: [STAGE1_48829, STAGE2_48829] },
    expect: { 'release-steps': 'warn' },
  },
  {
    name: 'stage 2 alone on a modem that did not run stage 1: refused',
    facts: { firmware: [STAGE2_48829], modem: { state: 2, softwareBuild: 41065, kind: 'CAT-M1' } },
    expect: { 'stage-order': 'fail' },
    detail: { 'stage-order': /Only stage 2.*runs build 41065.*after stage 1 \(the modem then runs build 39529\)/ },
  },
  {
    name: 'stage 2 alone on a modem that shows stage 1 ran (39529)',
    facts: { firmware: [STAGE2_48829], modem: { state: 2, softwareBuild: 39529, kind: 'CAT-M1' } },
    expect: { 'stage-order': 'pass' },
  },
  {
    name: 'stage 2 alone, the modem not read yet: warned that it will be refused unless stage 1 ran',
    facts: { firmware: [STAGE2_48829] },
    expect: { 'stage-order': 'warn' },
  },
  {
    name: 'stage 2 alone on a modem in upgrade mode (its build unknown): refused, to be safe',
    facts: { firmware: [STAGE2_48829], modem: { state: 4 } },
    expect: { 'stage-order': 'fail' },
  },
  {
    name: 'the factory build 50523 cannot be installed',
    facts: { firmware: [file('CATM1-50523.dup', 5_835_531)] },
    expect: { 'factory-only-build': 'fail' },
    detail: { 'factory-only-build': /50523.*users cannot install it/ },
  },
  {
    name: 'a method forced against the documented choice is a warning',
    facts: { firmware: [STAGE1_48829, STAGE2_48829], method: 'fff' },
    expect: { 'transfer-method': 'warn' },
    detail: { 'transfer-method': /CATM1-5\.2-48829-1\.dup is sent FFF as asked.*bricked/ },
  },
  {
    name: 'an unknown file name says what is assumed',
    facts: { firmware: [file('modem.dup', 5_835_531)] },
    expect: { 'files-kind': 'warn' },
    detail: { 'files-kind': /assumed a full image of unknown build, sent ON_THE_FLY/ },
  },
  {
    name: 'a LoPy4 (no LTE modem)',
    facts: { firmware: [FULL], board: { machine: 'LoPy4', release: '1.20.2.r6', hasLteModem: false } },
    expect: { 'board-lte': 'fail' },
  },
  {
    name: 'a board that did not answer at its REPL',
    facts: { firmware: [FULL], boardError: 'The board on sim:GPy did not enter its raw REPL' },
    expect: { 'board-lte': 'fail' },
    detail: { 'board-lte': /did not enter its raw REPL/ },
  },
  {
    name: 'firmware 1.18 without sqnsupgrade',
    facts: { firmware: [FULL], board: { ...GPY, release: '1.18.2.r7', hasSqnsupgrade: false } },
    expect: { sqnsupgrade: 'fail' },
    detail: { sqnsupgrade: /1\.18\.2\.r7/ },
  },
  {
    name: 'firmware 1.18 without sqnsupgrade, .py files given',
    facts: { firmware: [FULL], board: { ...GPY, release: '1.18.2.r7', hasSqnsupgrade: false }, hasSqnsupgradeFiles: true },
    expect: { sqnsupgrade: 'pass' },
  },
  {
    name: 'firmware 1.18, module not checked yet',
    facts: { firmware: [FULL], board: { machine: 'GPy', release: '1.18.2.r7' } },
    expect: { sqnsupgrade: 'warn', 'board-lte': 'pass' },
  },
  {
    name: 'updater.elf larger than /flash free space',
    facts: { firmware: [FULL], updater: UPDATER, modem: { state: 0 }, board: { ...GPY, flashFreeBytes: 200_000 } },
    expect: { 'flash-space': 'fail' },
  },
  {
    name: 'updater.elf barely fits',
    facts: { firmware: [FULL], updater: UPDATER, modem: { state: 0 }, board: { ...GPY, flashFreeBytes: 345_000 } },
    expect: { 'flash-space': 'warn' },
  },
  {
    name: 'updater.elf, /flash free space unknown',
    facts: { firmware: [FULL], updater: UPDATER, modem: { state: 2 }, board: { machine: 'GPy' } },
    expect: { 'flash-space': 'skip' },
  },
  {
    name: 'updater.elf with a new bootrom: the board ignores it, the normal method runs',
    facts: { firmware: [FULL], updater: UPDATER, boardRunsFfh: true, modem: { state: 2, bootloader0Build: 38638 }, board: GPY },
    expect: { 'modem-path': 'pass', 'flash-space': 'pass' },
    detail: { 'modem-path': /^ON_THE_FLY.*FFH mode is not necessary/ },
  },
  {
    name: "updater.elf with the old bootrom: the board's FFH method leads to the recovery path",
    facts: { firmware: [FULL], updater: UPDATER, boardRunsFfh: true, modem: { state: 2, bootloader0Build: 33080 }, board: GPY },
    expect: { 'modem-path': 'pass', 'old-bootrom': 'pass' },
    detail: { 'modem-path': /^Expected: the board's FFH method loads updater\.elf.*not updater\.elf again/ },
  },
];

for (const c of CASES) {
  test(`preflight: ${c.name}`, () => {
    const got = statuses(c.facts);
    for (const [id, status] of Object.entries(c.expect)) assert.equal(got[id], status, `${id}`);
    for (const [id, pattern] of Object.entries(c.detail ?? {})) assert.match(resultOf(c.facts, id).detail, pattern);
    for (const result of runPreflight(c.facts)) {
      if (result.status === 'fail' || result.status === 'warn') assert.ok(result.action, `${result.id} says what to do`);
    }
  });
}

test('every check appears in a table case, with every status it can give in some case', () => {
  const seen = new Set(CASES.flatMap((c) => Object.keys(c.expect)));
  for (const check of PREFLIGHT_CHECKS) assert.ok(seen.has(check.id), check.id);
});

test('hasFailure and the text: fails and warns with actions, skipped checks hidden, a verdict line', () => {
  const bad = runPreflight({ firmware: [DIFF], updater: UPDATER, modem: { state: 2, softwareBuild: 33080 } });
  assert.equal(hasFailure(bad), true);
  const text = renderPreflightText(bad);
  assert.match(text, /^\[FAIL\] No diff combined with updater\.elf: /m);
  assert.match(text, /^ {7}→ Either drop updater\.elf/m);
  assert.doesNotMatch(text, /\[skip\]/);
  assert.match(text, /\d+ failures?, \d+ warnings?: the upgrade would be refused\.$/);
  assert.match(renderPreflightText(bad, { showSkipped: true }), /\[skip\]/);

  const good = runPreflight({ firmware: [FULL], modem: { state: 2 }, board: GPY });
  assert.equal(hasFailure(good), false);
  assert.match(renderPreflightText(good), /0 failures, 0 warnings: ready to upgrade\.$/);
});

test('a check that throws reports fail instead of hiding the rest', () => {
  const results = runPreflight({ firmware: [] }, [
    { id: 'boom', title: 'Broken', run: () => { throw new Error('oops'); } },
    PREFLIGHT_CHECKS[0]!,
  ]);
  assert.equal(results[0]!.status, 'fail');
  assert.match(results[0]!.detail, /oops/);
  assert.equal(results.length, 2);
});

test('duration: the line rate is 921600/10 × 0.96, and the parts follow the path', () => {
  assert.equal(stpBytesPerSecond(), 92_160 * 0.96);
  const onTheFly = estimateUpgradeDuration({ path: 'on-the-fly', firmwareBytes: [5_835_531] });
  assert.ok(Math.abs(onTheFly.transferMs - (5_835_531 / (92_160 * 0.96)) * 1000) < 1);
  assert.equal(onTheFly.totalMs, onTheFly.parts.reduce((sum, p) => sum + p.ms, 0));
  assert.equal(onTheFly.waitMs, onTheFly.totalMs - onTheFly.transferMs);
  const labels = (e: { parts: { label: string }[] }) => e.parts.map((p) => p.label);
  assert.ok(labels(onTheFly).includes('reboot into the updater'));
  assert.ok(!labels(onTheFly).includes('apply the staged firmware'));

  const fff = estimateUpgradeDuration({ path: 'fff', firmwareBytes: [1_200_000] });
  assert.ok(labels(fff).includes('apply the staged firmware'));
  assert.ok(!labels(fff).includes('reboot into the updater'));

  const recovery = estimateUpgradeDuration({ path: 'recovery', firmwareBytes: [5_835_531], updaterBytes: 340_000 });
  assert.deepEqual(labels(recovery).slice(0, 2), ['send updater.elf', 'updater.elf starts']);
  assert.ok(!labels(recovery).includes('prepare the modem'), 'the updater needs no preparation');
  assert.ok(recovery.transferMs > onTheFly.transferMs);

  const resume = estimateUpgradeDuration({ path: 'resume', firmwareBytes: [5_835_531] });
  assert.ok(!labels(resume).includes('prepare the modem'));

  // At 115200 baud the wire takes 8 times as long.
  const slow = estimateUpgradeDuration({ path: 'on-the-fly', firmwareBytes: [5_835_531], baudRate: 115_200 });
  assert.ok(Math.abs(slow.transferMs / onTheFly.transferMs - 8) < 1e-9);
});
