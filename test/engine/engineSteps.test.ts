import { streamSink } from '../../src/core/engine/stepRunner';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { awaitUpgradeResult } from '../../src/core/engine/steps/awaitUpgrade';
import { bootNewApplication } from '../../src/core/engine/steps/bootApp';
import { checkBootMode } from '../../src/core/engine/steps/bootCheck';
import { rebootIntoUpdater } from '../../src/core/engine/steps/recoveryBoot';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { UpgradeSession } from '../../src/core/engine/upgradeSession';
import { TypedEmitter } from '../../src/core/events/typedEmitter';
import { Deadline } from '../../src/core/time/deadline';
import type { ByteTransport } from '../../src/core/transport/byteTransport';
import { bytesToLatin1, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { TEST_TIMEOUTS } from '../support/engineRig';

/** Answers each command line with whatever `reply` returns (raw text, CRLFs included). */
function scriptedModem(io: ByteTransport, reply: (command: string) => string | undefined): { seen: string[]; stop(): void } {
  const seen: string[] = [];
  const controller = new AbortController();
  void (async () => {
    while (!controller.signal.aborted) {
      let line: string;
      try {
        line = bytesToLatin1(await io.read(untilBytes('\r'), { deadline: Deadline.never(), signal: controller.signal })).replace(/[\r\n]/g, '');
      } catch {
        return;
      }
      seen.push(line);
      const answer = reply(line);
      if (answer !== undefined) await io.write(latin1ToBytes(answer));
    }
  })();
  return { seen, stop: () => controller.abort() };
}

function rig(reply: (command: string) => string | undefined) {
  const link = new MemoryLink('scripted', { baudRate: 921_600 });
  const modem = scriptedModem(link.open('device'), reply);
  const host = link.open('host');
  const events = new TypedEmitter<UpgradeEvent>();
  const log: UpgradeEvent[] = [];
  events.on((e) => log.push(e));
  const session = new UpgradeSession(host, { ...TEST_TIMEOUTS, wakeAttemptMs: 50 }, new AbortController().signal, streamSink(events));
  return { session, modem, log, close: () => (modem.stop(), host.close()) };
}

const OK = '\r\nOK\r\n';
const ERROR = '\r\nERROR\r\n';

test('AT+SMSWBOOT=3,1 answering ERROR: the prescribed fallback AT+SMSWBOOT=3,0 then AT^RESET', async (t) => {
  const r = rig((c) => (c === 'AT+SMSWBOOT=3,1' ? ERROR : OK));
  t.after(() => r.close());
  await rebootIntoUpdater(r.session);
  assert.deepEqual(r.modem.seen, ['AT+SMSWBOOT=3,1', 'AT+SMSWBOOT=3,0', 'AT^RESET', 'AT', 'AT+CFUN=4', 'AT+SMLOG?']);
  assert.equal(r.session.isInUpdater, true);
  assert.ok(r.log.some((e) => e.kind === 'log' && e.level === 'warn' && /AT\+SMSWBOOT=3,1 answered ERROR/.test(e.message)));
});

test('AT+SMSWBOOT=1,1 answering ERROR: AT+SMSWBOOT=1,0, AT^RESET, then +SYSSTART is awaited', async (t) => {
  const r = rig((c) => (c === 'AT+SMSWBOOT=1,1' ? ERROR : c === 'AT^RESET' ? `${OK}\r\n+SYSSTART\r\n` : OK));
  t.after(() => r.close());
  await bootNewApplication(r.session);
  assert.deepEqual(r.modem.seen, ['AT+SMSWBOOT=1,1', 'AT+SMSWBOOT=1,0', 'AT^RESET', 'AT']);
  assert.ok(r.log.some((e) => e.kind === 'unsolicited' && e.line === '+SYSSTART'));
});

test('AT+SMUPGRADE? polling: silence in the reply, No report and on-going mean ask again', async (t) => {
  const answers = ['\r\nOK\r\n', '\r\n+SMUPGRADE: No report\r\n\r\nOK\r\n', '\r\n+SMUPGRADE: on-going\r\n\r\nOK\r\n', '\r\n+SMUPGRADE: success\r\n\r\nOK\r\n'];
  let polls = 0;
  const r = rig((c) => (c === 'AT+SMUPGRADE?' ? answers[Math.min(polls++, answers.length - 1)] : OK));
  t.after(() => r.close());
  assert.equal(await awaitUpgradeResult(r.session), 'success');
  assert.equal(polls, 4);
  const waits = r.log.filter((e) => e.kind === 'step' && e.phase === 'waiting').map((e) => (e.kind === 'step' ? e.detail : ''));
  assert.ok(waits.some((w) => /on-going/.test(w ?? '')));
});

test('a modem that never reports a result fails the step at the apply deadline, naming the last answer', async (t) => {
  const r = rig((c) => (c === 'AT+SMUPGRADE?' ? '\r\n+SMUPGRADE: on-going\r\n\r\nOK\r\n' : OK));
  t.after(() => r.close());
  // Long enough for a loaded machine to get the modem's first answer; the deadline, not a reply, ends the step.
  const applyMs = 1_500;
  r.session.timeouts.applyMs = applyMs;
  const startedAtMs = performance.now();
  await assert.rejects(awaitUpgradeResult(r.session), (e: Error & { code?: string; step?: string }) => {
    assert.equal(e.code, 'upgrade-failed');
    assert.equal(e.step, 'await-upgrade');
    assert.match(e.message, /no \+SMUPGRADE result within 2 s \(last answer: on-going\)/);
    return true;
  });
  assert.ok(performance.now() - startedAtMs >= applyMs, 'the step ran until its apply deadline');
  assert.ok(r.modem.seen.filter((c) => c === 'AT+SMUPGRADE?').length >= 1);
  const waits = r.log.filter((e) => e.kind === 'step' && e.phase === 'waiting').map((e) => (e.kind === 'step' ? e.detail : ''));
  assert.ok(waits.includes('modem says: on-going'), 'the answer was reported while waiting');
  assert.ok(r.log.some((e) => e.kind === 'step' && e.step === 'await-upgrade' && e.phase === 'fail'));
});

test('AT+SMSWBOOT? is polled until it names RECOVERY, FFH or FFF (UPDATER keeps waiting)', async (t) => {
  let polls = 0;
  const r = rig((c) => (c === 'AT+SMSWBOOT?' ? (polls++ < 2 ? '\r\n+SMSWBOOT: 2,0\r\nBoot mode: UPDATER\r\n\r\nOK\r\n' : '\r\n+SMSWBOOT: 3,0\r\nBoot mode: RECOVERY\r\n\r\nOK\r\n') : OK));
  t.after(() => r.close());
  assert.equal(await checkBootMode(r.session), 'RECOVERY');
  assert.equal(polls, 3);
});
