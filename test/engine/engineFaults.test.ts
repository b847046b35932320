import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileBytes, MiB, engineRig, TEST_TIMEOUTS } from '../support/engineRig';
import { PortOwner } from '../../src/core/transport/portOwner';

test('cancel mid-transfer: stops promptly, releases the port, says how to resume', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const controller = new AbortController();
  let abortedAtMs = 0;
  rig.engine.events.on((e) => {
    if (e.kind === 'progress' && e.bytesDone > e.bytesTotal * 0.3 && !controller.signal.aborted) {
      abortedAtMs = performance.now();
      controller.abort(new Error('user pressed cancel'));
    }
  });
  const outcome = await rig.engine.upgrade(rig.request([file]), controller.signal);
  const tookMs = performance.now() - abortedAtMs;
  assert.equal(outcome.outcome, 'cancelled');
  assert.ok(tookMs < 1000, `stopped ${Math.round(tookMs)} ms after the abort`);
  assert.match(outcome.resumeHint ?? '', /resume/);
  assert.equal(rig.link.isOpen('host'), false, 'port released');
  assert.equal(outcome.crashDump, undefined, 'no crash-dump read after a cancel');
  const result = rig.events.at(-1);
  assert.ok(result?.kind === 'result' && result.outcome === 'cancelled');
  // ON_THE_FLY had switched the modem to its updater: after a power-cycle it reports state 4 and the tool resumes.
  assert.equal(rig.modem.state, 4);
});

test('a silent modem: a clear error after the wake-up deadline, both baud rates tried', async (t) => {
  const rig = engineRig({ faults: ['silent'] });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const started = performance.now();
  const outcome = await rig.engine.upgrade(rig.request([file], { timeouts: { ...TEST_TIMEOUTS, wakeupMs: 800 } }));
  const tookMs = performance.now() - started;
  assert.equal(outcome.error?.code, 'modem-silent');
  assert.equal(outcome.error?.step, 'detect');
  assert.match(outcome.error!.message, /921600 and 115200/);
  assert.match(outcome.error!.action, /mirror mode/);
  assert.ok(tookMs < 3000, `gave up after ${Math.round(tookMs)} ms`);
  assert.ok(outcome.diagnosis?.action, 'diagnosed');
});

test('wrong baud: garbage at 921600, the engine finds the modem at 115200', async (t) => {
  const rig = engineRig({ faults: ['wrong-baud'], build: 38638 });
  t.after(() => rig.close());
  const info = await rig.engine.info({ port: new PortOwner(rig.registry, 'sim:modem'), timeouts: TEST_TIMEOUTS });
  assert.equal(info.baudRate, 115_200);
  assert.equal(info.state, 2);
  assert.equal(info.report.softwareBuild, 38638);
});

test('STP faults (corrupt reply CRC, residue, dropped bytes) still store the file byte for byte', async (t) => {
  // The modem drops an idle STP session after stpIdleMs (scaled: 300 ms here); keep it longer than our resend wait.
  const rig = engineRig({ state: 4, faults: ['corrupt-reply-crc', 'residue', 'drop-bytes'], timings: { stpIdleMs: 10_000_000 } });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 999 });
  const outcome = await rig.engine.upgrade(rig.request([file], { timeouts: { ...TEST_TIMEOUTS, stpRequestMs: 300 } }));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.deepEqual(rig.modem.stored.at(-1)?.bytes, fileBytes(file));
  assert.ok(rig.events.some((e) => e.kind === 'stp' && /resend|bad hcrc|stale|corrupt/i.test(e.summary)), 'the transcript shows the retries');
});

test('a crash mid-transfer fails with the STP error, then the crash dump is read and emitted', async (t) => {
  const rig = engineRig({ state: 2, faults: ['crash-mid-transfer'] });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const outcome = await rig.engine.upgrade(rig.request([file], { timeouts: { ...TEST_TIMEOUTS, stpRequestMs: 300 } }));
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.step, 'transfer');
  assert.match(outcome.error!.code, /^stp-/);
  assert.ok(outcome.crashDump, 'crash dump read after the failure');
  assert.ok(outcome.crashDump.raw.length > 0);
  assert.ok(rig.events.some((e) => e.kind === 'crashDump'));
  assert.match(outcome.resumeHint ?? '', /resume/);
  // Where the modem stands after the failure: AT+SMOD? read again, before the crash dump.
  const failedAt = rig.events.findIndex((e) => e.kind === 'step' && e.step === 'transfer' && e.phase === 'fail');
  const stateAfter = rig.events.slice(failedAt).find((e) => e.kind === 'modemState');
  assert.ok(stateAfter?.kind === 'modemState' && stateAfter.state === 4, 'state 4 read after the failure');
  assert.ok(rig.events.indexOf(stateAfter) < rig.events.findIndex((e) => e.kind === 'crashDump'));
  assert.equal(outcome.diagnosis?.cause, 'modem-in-upgrade-mode');
});

test('unplugged mid-transfer: a port-closed error, no crash-dump attempt, resume hint', async (t) => {
  const rig = engineRig({ state: 2, faults: ['unplug'] });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const outcome = await rig.engine.upgrade(rig.request([file]));
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'port-closed');
  assert.equal(outcome.crashDump, undefined);
  assert.match(outcome.resumeHint ?? '', /resume/);
});

test('a diff the modem cannot patch: the failure text and what to use instead', async (t) => {
  const rig = engineRig({ state: 2, build: 38638, faults: ['patch-fails'] });
  t.after(() => rig.close());
  const diff = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 300_000 });
  const outcome = await rig.engine.upgrade(rig.request([diff]));
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'upgrade-failed');
  assert.equal(outcome.error?.step, 'await-upgrade');
  assert.match(outcome.error!.message, /Patch didn't apply/);
  assert.match(outcome.error!.action, /upgdiff_<that build>-to-<target>\.dup|full image/);
  assert.equal(rig.modem.build, 38638);
  assert.match(outcome.resumeHint ?? '', /keeps running its old firmware/);
  assert.ok(outcome.diagnosis, 'a diagnosis explains the failure');
  assert.ok(rig.events.some((e) => e.kind === 'diagnosis'));
});

test('one garbled reply to the first AT: asked again at the same rate, no switch to 115200', async (t) => {
  const rig = engineRig({ build: 38638, faultPlan: { strikes: [{ point: { at: 'command', command: 'AT' }, effect: 'garble' }] } });
  t.after(() => rig.close());
  const info = await rig.engine.info({ port: new PortOwner(rig.registry, 'sim:modem'), timeouts: TEST_TIMEOUTS });
  assert.equal(info.baudRate, 921_600);
  assert.equal(info.state, 2);
  assert.ok(!rig.events.some((e) => e.kind === 'log' && /trying 115200 baud/.test(e.message)), 'stayed at 921600');
});
