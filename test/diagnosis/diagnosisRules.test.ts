import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIAGNOSIS_RULES, diagnose, diagnoseAll, type DiagnosisEvidence } from '../../src/core/diagnosis/diagnose';
import { NORMAL_STALL_MAX_MS } from '../../src/core/diagnosis/evidenceReading';
import { dump33080, dump41065 } from './crashDumpBuilder';
import { withCliActions } from '../../src/cli/userActionText';

const progressAt = (percent: number) => ({ bytesDone: Math.round(5_835_531 * (percent / 100)), bytesTotal: 5_835_531 });

interface RuleCase {
  cause: string;
  evidence: DiagnosisEvidence;
  /** Evidence one fact away that must NOT give this cause. */
  nearMiss?: DiagnosisEvidence;
  /** What the action must tell the user, as the CLI shows it (core's words, then its actions as command lines). */
  actionSays: RegExp[];
}

const CASES: RuleCase[] = [
  {
    cause: 'port-busy',
    evidence: { errorCode: 'port-open', portOpenFailure: 'busy', portPath: '/dev/ttyUSB0', platform: 'linux' },
    nearMiss: { errorCode: 'port-open', portOpenFailure: 'other', portPath: '/dev/ttyUSB0', platform: 'linux' },
    actionSays: [/fuser \/dev\/ttyUSB0/, /REPL terminal/],
  },
  {
    cause: 'port-permission',
    evidence: { errorCode: 'port-open', portOpenFailure: 'permission', portPath: '/dev/ttyUSB0', platform: 'linux' },
    nearMiss: { errorCode: 'port-open', portOpenFailure: 'busy', portPath: '/dev/ttyUSB0', platform: 'linux' },
    actionSays: [/dialout/],
  },
  {
    cause: 'port-missing',
    evidence: { errorCode: 'port-open', portOpenFailure: 'missing', portPath: '/dev/ttyUSB3' },
    nearMiss: { errorCode: 'port-open', portOpenFailure: 'permission', portPath: '/dev/ttyUSB3' },
    actionSays: [/plug/i],
  },
  {
    cause: 'board-at-repl',
    evidence: { errorCode: 'board-at-repl', portPath: '/dev/ttyUSB0', failedStep: 'detect' },
    nearMiss: { errorCode: 'modem-silent', portPath: '/dev/ttyUSB0', failedStep: 'detect' },
    actionSays: [/only in mirror mode/, /--via-board/, /Upgrade Modem/, /unplug the board/],
  },
  {
    cause: 'board-not-at-repl',
    evidence: { errorCode: 'board-silent', failedStep: 'board-connect' },
    nearMiss: { errorCode: 'board-exec', failedStep: 'board-identify' },
    actionSays: [/mirror mode/, /power-cycle/],
  },
  {
    cause: 'no-lte-modem',
    evidence: { boardMachine: 'LoPy4', errorCode: 'no-lte-modem' },
    nearMiss: { boardMachine: 'GPy', errorCode: 'internal', errorMessage: 'boom' },
    actionSays: [/GPy, FiPy (and|or) G01/],
  },
  {
    cause: 'firmware-without-sqnsupgrade',
    evidence: { boardMachine: 'GPy', boardRelease: '1.18.2.r7', hasSqnsupgrade: false },
    // The user copied the .py files to /flash: old firmware, but the module imports.
    nearMiss: { boardMachine: 'GPy', boardRelease: '1.18.2.r7', hasSqnsupgrade: true },
    actionSays: [/1\.20/, /\/flash/],
  },
  {
    cause: 'flash-full',
    evidence: { errorCode: 'flash-full', flash: { neededBytes: 363_000, freeBytes: 200_000 }, failedStep: 'push-files' },
    nearMiss: { errorCode: 'push-verify', failedStep: 'push-files' },
    actionSays: [/Delete files/],
  },
  {
    cause: 'files-refused',
    evidence: {
      errorCode: 'usage',
      errorMessage: 'upgdiff_38638-to-41065.dup is a differential upgrade, which cannot be combined with updater.elf.',
      errorAction: 'Either drop --updater or use the full image.',
    },
    nearMiss: { errorCode: 'protocol', errorMessage: 'odd bytes' },
    actionSays: [/drop --updater/],
  },
  {
    cause: 'patch-did-not-apply',
    evidence: {
      errorCode: 'upgrade-failed',
      failedStep: 'await-upgrade',
      upgradeResultText: "failure[diffUpgrade,239] Patch didn't apply!",
      modemBuild: 38638,
      files: [{ name: 'upgdiff_33080-to-41065.dup', kind: 'diff', fromBuild: 33080, toBuild: 41065 }],
    },
    nearMiss: { errorCode: 'upgrade-failed', failedStep: 'await-upgrade', upgradeResultText: 'failure[fwUpgrade,12] flash write error' },
    actionSays: [/upgdiff_38638-to-<target>\.dup/, /full image/, /33080/],
  },
  {
    cause: 'normal-stall-cut-short',
    evidence: { errorCode: 'stp-no-reply', failedStep: 'transfer', transferProgress: progressAt(8), modemSilentMs: 60_000 },
    // A user's cancel in the same pause is a cancel, not a stall the tool gave up on.
    nearMiss: { errorCode: 'aborted', failedStep: 'transfer', transferProgress: progressAt(8), modemSilentMs: 2_000 },
    actionSays: [/up to 5 minutes/, /do not cancel or unplug/, /resumes/],
  },
  {
    cause: 'cancelled',
    evidence: { errorCode: 'aborted', failedStep: 'transfer', transferProgress: progressAt(50), modemSilentMs: 1_000 },
    nearMiss: { errorCode: 'timeout', failedStep: 'transfer', transferProgress: progressAt(50) },
    actionSays: [/Power-cycle/, /resumes/],
  },
  {
    cause: 'port-vanished',
    evidence: { errorCode: 'port-closed', portVanished: true, portPath: '/dev/ttyUSB0', failedStep: 'transfer', transferProgress: progressAt(30) },
    nearMiss: { errorCode: 'port-open', portOpenFailure: 'missing', portPath: '/dev/ttyUSB0' },
    actionSays: [/cable/, /resumes/],
  },
  {
    cause: 'modem-in-recovery',
    evidence: { errorCode: 'timeout', failedStep: 'prepare', modemStateBefore: 2, modemStateAfter: 0 },
    nearMiss: { errorCode: 'timeout', failedStep: 'prepare', modemStateBefore: 2, modemStateAfter: 2 },
    actionSays: [/updater\.elf/, /full \.dup/],
  },
  {
    cause: 'modem-in-upgrade-mode',
    evidence: { errorCode: 'timeout', failedStep: 'await-upgrade', modemStateAfter: 4 },
    // State 4 before the run says nothing about now.
    nearMiss: { errorCode: 'timeout', failedStep: 'await-upgrade', modemStateBefore: 4 },
    actionSays: [/same upgrade again/, /resumes/],
  },
  {
    cause: 'crash-on-old-bootrom',
    evidence: { errorCode: 'modem-silent', failedStep: 'prepare', modemStateBefore: 2, crashDump: dump33080() },
    nearMiss: { errorCode: 'modem-silent', failedStep: 'prepare', modemStateBefore: 2, crashDump: dump41065(), bootloader0Build: 38638, modemBuild: 41065 },
    actionSays: [/recovery method/, /updater\.elf/, /33080/],
  },
  {
    cause: 'upgrade-failed',
    evidence: { errorCode: 'upgrade-failed', failedStep: 'await-upgrade', upgradeResultText: 'failure[fwUpgrade,12] flash write error' },
    nearMiss: { errorCode: 'upgrade-failed', failedStep: 'await-upgrade', upgradeResultText: "failure[diffUpgrade,239] Patch didn't apply!" },
    actionSays: [/full image/, /crash dump/],
  },
  {
    cause: 'stp-silent-after-wait',
    evidence: { errorCode: 'stp-no-reply', failedStep: 'transfer', transferProgress: progressAt(8), modemSilentMs: 360_000 },
    nearMiss: { errorCode: 'stp-no-reply', failedStep: 'transfer', transferProgress: progressAt(8), modemSilentMs: 90_000 },
    actionSays: [/Power-cycle/, /resumes/],
  },
  {
    cause: 'stp-rejected',
    evidence: { errorCode: 'stp-rejected', failedStep: 'transfer', transferProgress: progressAt(0) },
    nearMiss: { errorCode: 'stp-no-reply', failedStep: 'transfer', transferProgress: progressAt(0) },
    actionSays: [/recovery method/],
  },
  {
    cause: 'wrong-baud',
    evidence: { errorCode: 'modem-silent', failedStep: 'detect', garbageSeen: true },
    nearMiss: { errorCode: 'modem-silent', failedStep: 'detect', garbageSeen: false },
    actionSays: [/921600/, /115200/, /power-cycle/i],
  },
  {
    cause: 'modem-silent-after-mirror',
    evidence: { errorCode: 'modem-silent', failedStep: 'detect', modemSilentMs: 25_000 },
    nearMiss: { errorCode: 'modem-silent', failedStep: 'boot-app', modemSilentMs: 25_000 },
    actionSays: [/unplug/, /reset button does not reset the modem/, /updater\.elf/],
  },
  {
    cause: 'modem-crashed',
    evidence: { errorCode: 'protocol', crashDump: dump41065(), bootloader0Build: 38638, modemBuild: 41065 },
    nearMiss: { errorCode: 'protocol', bootloader0Build: 38638, modemBuild: 41065 },
    actionSays: [/Power-cycle/, /diagnostic report/],
  },
  {
    cause: 'modem-refused-command',
    evidence: { errorCode: 'modem-refused', failedStep: 'transfer', lastAt: { command: 'AT+SMSTPU', final: 'ERROR', lines: [] } },
    nearMiss: { errorCode: 'modem-state', failedStep: 'detect' },
    actionSays: [/Power-cycle/],
  },
  {
    // The board went quiet while a file was pushed: the modem is untouched, so unplugging is safe;
    // the same timeout once the board's updater runs (the trigger: it may be rewriting the bootrom) is not this.
    cause: 'board-silent-before-updater',
    evidence: { errorCode: 'timeout', failedStep: 'push-files' },
    nearMiss: { errorCode: 'timeout', failedStep: 'trigger' },
    actionSays: [/The modem was not changed/, /safe now/],
  },
  {
    cause: 'modem-silent',
    evidence: { errorCode: 'timeout', failedStep: 'boot-app', modemSilentMs: 300_000 },
    nearMiss: { errorCode: 'protocol', failedStep: 'boot-app' },
    actionSays: [/Power-cycle/, /crash dump/],
  },
  {
    cause: 'board-updater-said',
    evidence: { errorCode: 'trigger-failed', failedStep: 'trigger', updaterMessageId: 'modem-not-disabled', boardStateAfter: 'repl' },
    // An informational line is not a reason to stop.
    nearMiss: { errorCode: 'trigger-failed', failedStep: 'trigger', updaterMessageId: 'ffh-not-necessary' },
    actionSays: [/lte_modem_en_on_boot\(False\)/, /safe boot/, /no power-cycle is needed/],
  },
  {
    cause: 'bands-need-hardware',
    evidence: { wantedBands: [8], boardMachine: 'GPy', boardRevision: '1.0' },
    nearMiss: { wantedBands: [20, 28], boardMachine: 'GPy', boardRevision: '1.0' },
    actionSays: [/fixed in the modem hardware/, /3, 4, 12, 13, 20, 28/],
  },
  {
    cause: 'bands-need-firmware',
    evidence: { wantedBands: [5, 8], boardMachine: 'GPy', boardRevision: '1.1', modemBuild: 38638 },
    nearMiss: { wantedBands: [5, 8], boardMachine: 'GPy', boardRevision: '1.1', modemBuild: 41065 },
    actionSays: [/39000/],
  },
  {
    cause: 'unknown',
    evidence: { errorCode: 'internal', errorMessage: 'something new' },
    actionSays: [/Power-cycle/, /diagnostic report/],
  },
];

test('every rule of the table has a case here', () => {
  assert.deepEqual(
    [...DIAGNOSIS_RULES.map((rule) => rule.cause)].sort(),
    [...CASES.map((c) => c.cause)].sort(),
  );
  assert.equal(DIAGNOSIS_RULES.at(-1)!.cause, 'unknown', 'the catch-all is last');
});

for (const c of CASES) {
  test(`rule ${c.cause}: matches its evidence, tells what to do, and its near miss does not match`, () => {
    const diagnosis = diagnose(c.evidence);
    assert.equal(diagnosis.cause, c.cause);
    assert.ok(diagnosis.title.length > 0);
    const shown = withCliActions(diagnosis.action, diagnosis.actions);
    for (const pattern of c.actionSays) assert.match(shown, pattern);
    if (c.cause !== 'unknown') assert.ok(diagnosis.evidence.length > 0, 'a diagnosis names the facts behind it');
    if (c.nearMiss) assert.notEqual(diagnose(c.nearMiss).cause, c.cause);
  });
}

test('port busy speaks the words of each operating system', () => {
  const busy = (platform: string) => diagnose({ errorCode: 'port-open', portOpenFailure: 'busy', portPath: 'COM3', platform }).action;
  assert.match(busy('win32'), /PuTTY|serial monitor/);
  assert.doesNotMatch(busy('win32'), /fuser/);
  assert.match(busy('darwin'), /lsof/);
});

test('the stall rule tells apart the zones of a normal pause from the middle of the file', () => {
  const at = (percent: number) =>
    diagnose({ errorCode: 'stp-no-reply', failedStep: 'transfer', transferProgress: progressAt(percent), modemSilentMs: 100_000 }).cause;
  assert.equal(at(7), 'normal-stall-cut-short');
  assert.equal(at(10), 'normal-stall-cut-short');
  assert.equal(at(99.4), 'normal-stall-cut-short');
  assert.equal(at(50), 'stp-silent-after-wait');
  assert.equal(at(2), 'stp-silent-after-wait');
});

test('a cancel two seconds into the 8 % pause is a cancel: where the modem stands, not "do not cancel"', () => {
  const diagnosis = diagnose({ errorCode: 'aborted', failedStep: 'transfer', transferProgress: progressAt(8), modemSilentMs: 2_000, modemStateAfter: 4 });
  assert.equal(diagnosis.cause, 'cancelled');
  assert.match(diagnosis.action, /state 4/);
  assert.doesNotMatch(diagnosis.action, /do not cancel/);
  // The same pause cut short by the tool, but longer than a normal one: not "normal" any more.
  // With the engine's resume hint, the diagnosis tells exactly that story (the toast and the panel show it too).
  const hint = 'Part of the file was staged in the modem when the transfer stopped; run the same upgrade again: it starts over.';
  assert.equal(diagnose({ errorCode: 'aborted', failedStep: 'transfer', transferProgress: progressAt(8), modemSilentMs: 2_000, resumeHint: hint }).action, hint);
  const long = diagnose({ errorCode: 'stp-no-reply', failedStep: 'transfer', transferProgress: progressAt(8), modemSilentMs: NORMAL_STALL_MAX_MS + 1 });
  assert.notEqual(long.cause, 'normal-stall-cut-short');
});

test('the next step follows the state after the failure', () => {
  const vanished = (extra: DiagnosisEvidence) =>
    diagnose({ errorCode: 'port-closed', portVanished: true, failedStep: 'transfer', ...extra }).action;
  assert.match(vanished({ modemStateAfter: 0 }), /updater\.elf/);
  assert.match(vanished({ modemStateAfter: 4 }), /state 4/);
  assert.match(diagnose({ errorCode: 'port-closed', portVanished: true, failedStep: 'board-identify' }).action, /modem was not changed/);
});

test('a crash dump older than the running firmware is said to be old', () => {
  const diagnosis = diagnose({ errorCode: 'protocol', crashDump: dump33080(), modemBuild: 41065, bootloader0Build: 38638 });
  // The dump's build is 33080, so the old-bootrom rule still applies (that firmware ran on this modem)...
  assert.equal(diagnosis.cause, 'crash-on-old-bootrom');
  // ...and the report warns that the dump may predate this failure.
  assert.ok(diagnosis.evidence.some((line) => /earlier crash/.test(line)));
});

test('diagnoseAll also answers the side question, and drops the catch-all when something matched', () => {
  const all = diagnoseAll({ errorCode: 'modem-silent', failedStep: 'detect', wantedBands: [8], boardMachine: 'GPy', boardRevision: '1.0' });
  assert.deepEqual(all.map((d) => d.cause), ['modem-silent-after-mirror', 'bands-need-hardware']);
  assert.deepEqual(diagnoseAll({}).map((d) => d.cause), ['unknown']);
  assert.equal(diagnose({}).title, 'No failure was recorded');
});

test('device text in evidence lines is reduced to printable characters', () => {
  const diagnosis = diagnose({ errorCode: 'upgrade-failed', upgradeResultText: 'fail\u0000\u001b[31m\r\nX' });
  for (const line of diagnosis.evidence) assert.doesNotMatch(line, /[\u0000-\u001f\u007f]/);
});
