import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OperationAbortedError, PortClosedError, PortOpenError, ReadTimeoutError, UsageError } from '../../src/core/errors';
import { GarbledReplyError } from '../../src/core/at/atErrors';
import { StpNoReplyError } from '../../src/core/stp/stpErrors';
import { ModemNotAnsweringError, ModemRefusedError, ModemUpgradeFailedError } from '../../src/core/engine/upgradeErrors';
import { FlashSpaceError } from '../../src/core/board/boardFiles';
import { SqnsupgradeMissingError } from '../../src/core/board/boardUpgradeTrigger';
import { STEP_TITLES, type StepId, type UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { buildModemVersionReport } from '../../src/core/parse/modemVersion';
import { parseCrashDump } from '../../src/core/parse/crashDump';
import {
  diagnose,
  diagnoseAll,
  diagnoseFailure,
  evidenceFromError,
  evidenceFromEvents,
  mergeEvidence,
} from '../../src/core/diagnosis/diagnose';
import { looksLikeWrongBaud } from '../../src/core/diagnosis/evidence';

const SHOWVER_33080 = [
  'SYSTEM VERSION',
  '  FIRMWARE VERSION',
  '    Bootloader0  : 5.1.1.0 [33080]',
  '    Bootloader1* : 5.1.1.0 [38638]',
  '    Software     : 5.1.1.0 [38638] by robot-soft at 2018-08-20 09:51:46',
].join('\n');

test('a port-open error gives the failure kind and the path', () => {
  const evidence = evidenceFromError(new PortOpenError('/dev/ttyUSB0', 'busy', 'in use', 'close it'), { platform: 'linux' });
  assert.equal(evidence.errorCode, 'port-open');
  assert.equal(evidence.portOpenFailure, 'busy');
  assert.equal(evidence.portPath, '/dev/ttyUSB0');
  assert.equal(evidence.platform, 'linux');
  assert.equal(diagnose(evidence).cause, 'port-busy');
});

test('an unplugged port is "vanished", a port we closed is not', () => {
  assert.equal(evidenceFromError(new PortClosedError('/dev/ttyUSB0', 'vanished')).portVanished, true);
  assert.equal(evidenceFromError(new PortClosedError('/dev/ttyUSB0', 'closed')).portVanished, false);
});

test('STP silence: the wait is attempts × per-request timeout, and the step comes from the error', () => {
  const error = new StpNoReplyError(3, 42, 3, 120_000, 0, new Uint8Array(0));
  error.step = 'transfer';
  const evidence = evidenceFromError(error, { transferProgress: { bytesDone: 470_000, bytesTotal: 5_835_531 } });
  assert.equal(evidence.modemSilentMs, 360_000);
  assert.equal(evidence.failedStep, 'transfer');
  assert.equal(diagnose(evidence).cause, 'stp-silent-after-wait');
});

test('garbage in the last bytes of a timeout marks a wrong baud; text does not', () => {
  const garbage = new Uint8Array([0xf0, 0x80, 0xfe, 0x00, 0x41, 0xe0]);
  assert.equal(evidenceFromError(new ReadTimeoutError('reply to AT', 1000, garbage)).garbageSeen, true);
  const text = new TextEncoder().encode('\r\nOK\r\n');
  assert.equal(evidenceFromError(new ReadTimeoutError('reply to AT', 1000, text)).garbageSeen, undefined);
  // One stray byte after a power glitch is no baud mismatch.
  assert.equal(looksLikeWrongBaud(new Uint8Array([0xff, 0x41, 0x54, 0x0d, 0x0a])), false);
});

test('engine errors: silent modem with garbage, upgrade failure text, refused command', () => {
  const silent = evidenceFromError(new ModemNotAnsweringError(25_000, [921600, 115200], new Uint8Array(0), true, 'x'));
  assert.equal(silent.garbageSeen, true);
  assert.equal(silent.modemSilentMs, 25_000);

  const failed = evidenceFromError(new ModemUpgradeFailedError("failure[diffUpgrade,239] Patch didn't apply!", 'x'));
  assert.equal(failed.upgradeResultText, "failure[diffUpgrade,239] Patch didn't apply!");
  assert.equal(diagnose(failed).cause, 'patch-did-not-apply');

  const refused = evidenceFromError(new ModemRefusedError('AT+SMSTPU', 'ERROR', 'x'));
  assert.deepEqual(refused.lastAt, { command: 'AT+SMSTPU', final: 'ERROR', lines: [] });

  const garbled = evidenceFromError(new GarbledReplyError('AT', new Uint8Array([0xff, 0xfe]), 2));
  assert.equal(garbled.garbageSeen, true);
  assert.equal(diagnose(garbled).cause, 'wrong-baud');
});

test('board errors: flash space and missing sqnsupgrade carry their numbers and release', () => {
  const flash = evidenceFromError(new FlashSpaceError('/flash/updater.elf', 363_000, 200_000, undefined));
  assert.deepEqual(flash.flash, { neededBytes: 363_000, freeBytes: 200_000 });
  const missing = evidenceFromError(new SqnsupgradeMissingError('1.18.2.r7'));
  assert.equal(missing.hasSqnsupgrade, false);
  assert.equal(missing.boardRelease, '1.18.2.r7');
  assert.equal(diagnose(missing).cause, 'firmware-without-sqnsupgrade');
});

test('cancel, usage and foreign errors', () => {
  assert.equal(evidenceFromError(new OperationAbortedError()).errorCode, 'aborted');
  assert.equal(evidenceFromError(new UsageError('bad', 'fix it')).errorAction, 'fix it');
  const internal = evidenceFromError(new TypeError('x is undefined'));
  assert.equal(internal.errorCode, 'internal');
  assert.equal(internal.errorMessage, 'x is undefined');
  assert.equal(diagnose(internal).cause, 'unknown');
});

test('the modem report before the upgrade gives the builds', () => {
  const modemBefore = buildModemVersionReport({ showverText: SHOWVER_33080 });
  const evidence = evidenceFromError(new OperationAbortedError(), { modemBefore });
  assert.equal(evidence.bootloader0Build, 33080);
  assert.equal(evidence.modemBuild, 38638);
  assert.equal('modemBefore' in evidence, false);
});

function stepEvent(step: StepId, phase: 'start' | 'done' | 'fail', atMs: number): UpgradeEvent {
  return { kind: 'step', step, title: STEP_TITLES[step], phase, atMs };
}

test('the event stream of a transfer cancelled during the 8 % pause', () => {
  const report = buildModemVersionReport({ showverText: SHOWVER_33080 });
  const events: UpgradeEvent[] = [
    stepEvent('detect', 'start', 0),
    { kind: 'at', command: 'AT', reply: '', final: 'OK', durationMs: 5, atMs: 10 },
    { kind: 'modemState', state: 2, atMs: 20 },
    { kind: 'modemInfo', phase: 'before', report, atMs: 30 },
    stepEvent('detect', 'done', 40),
    { kind: 'plan', path: 'on-the-fly', files: ['CATM1-41065.dup'], atMs: 50 },
    stepEvent('transfer', 'start', 100),
    { kind: 'stp', direction: 'rx', summary: 'TRANSFER_BLOCK reply', atMs: 1_000 },
    { kind: 'progress', step: 'transfer', fileIndex: 1, fileName: 'CATM1-41065.dup', bytesDone: 470_000, bytesTotal: 5_835_531, bytesPerSecond: 88_000, atMs: 1_000 },
    { kind: 'stp', direction: 'tx', summary: 'TRANSFER_BLOCK', atMs: 1_001 },
    stepEvent('transfer', 'fail', 61_000),
    stepEvent('crash-dump', 'fail', 62_000),
    { kind: 'modemState', state: 4, atMs: 63_000 },
    {
      kind: 'result',
      outcome: 'cancelled',
      message: 'Upgrade cancelled.',
      error: { code: 'aborted', message: 'Cancelled.', action: 'Run again.', step: 'transfer' },
      atMs: 64_000,
    },
  ];
  const evidence = evidenceFromEvents(events);
  assert.equal(evidence.failedStep, 'transfer', 'the crash-dump read failing afterwards is not the cause');
  assert.equal(evidence.errorCode, 'aborted');
  assert.equal(evidence.modemSilentMs, 60_000, 'from the last reply heard to the failure');
  assert.equal(evidence.modemStateBefore, 2);
  assert.equal(evidence.modemStateAfter, 4);
  assert.equal(evidence.bootloader0Build, 33080);
  assert.equal(evidence.path, 'on-the-fly');
  assert.deepEqual(evidence.transferProgress, { bytesDone: 470_000, bytesTotal: 5_835_531 });
  // The user cancelled: the cancel rule tells where the modem stands (state 4: resume), not the stall rule.
  assert.equal(diagnose(evidence).cause, 'cancelled');
  assert.match(diagnose(evidence).action, /state 4/);
});

test('the error wins over the event stream, which fills the gaps', () => {
  const merged = mergeEvidence({ errorCode: 'timeout', failedStep: 'prepare' }, { errorCode: 'aborted', failedStep: 'detect', modemBuild: 38638 });
  assert.deepEqual(merged, { errorCode: 'timeout', failedStep: 'prepare', modemBuild: 38638 });

  const error = new ReadTimeoutError('reply to AT+SQNSUPGRADENTF', 10_000, new Uint8Array(0));
  error.step = 'prepare';
  const events: UpgradeEvent[] = [{ kind: 'at', command: 'AT+SMOD?', reply: '2', final: 'OK', durationMs: 3, atMs: 5 }];
  const { evidence } = diagnoseFailure(error, { events, context: { platform: 'linux' } });
  assert.equal(evidence.failedStep, 'prepare');
  assert.deepEqual(evidence.lastAt, { command: 'AT+SMOD?', final: 'OK', lines: ['2'] });
  assert.equal(evidence.platform, 'linux');
});

test('the seed thread: the out-of-step crash-dump read on a 33080 modem points to the recovery method', () => {
  const head = new Uint8Array(readFileSync(join(__dirname, '..', 'fixtures', 'crashdump-seed-33080.bin')));
  const crashDump = parseCrashDump(head);
  const error = new ModemNotAnsweringError(25_000, [921600], new Uint8Array(0), false, 'x');
  error.step = 'prepare';
  const { diagnosis } = diagnoseFailure(error, { context: { crashDump, modemStateBefore: 2, wantedBands: [8], boardMachine: 'GPy', boardRevision: '1.0' } });
  assert.equal(diagnosis.cause, 'crash-on-old-bootrom');
  assert.match(diagnosis.action, /updater\.elf/);
  assert.ok(diagnosis.evidence.some((line) => line.includes('5.1.1.0 [33080]')));

  const all = diagnoseAll(evidenceFromError(error, { crashDump, wantedBands: [8], boardMachine: 'GPy', boardRevision: '1.0' }));
  assert.deepEqual(all.map((d) => d.cause), ['crash-on-old-bootrom', 'bands-need-hardware']);
  // Only the band question, no failure: the answer alone.
  assert.deepEqual(diagnoseAll({ wantedBands: [8], boardMachine: 'GPy', boardRevision: '1.0' }).map((d) => d.cause), ['bands-need-hardware']);
});

test('the seed thread, first run: the modem silent right after mirror mode', () => {
  const error = new ModemNotAnsweringError(25_000, [921600, 115200], new Uint8Array(0), false, 'x');
  error.step = 'detect';
  const { diagnosis } = diagnoseFailure(error);
  assert.equal(diagnosis.cause, 'modem-silent-after-mirror');
  assert.match(diagnosis.title, /Timeout waiting for modem to respond/);
});
