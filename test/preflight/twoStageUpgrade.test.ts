import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { atCommandsOf, engineRig, type EngineRig } from '../support/engineRig';

/** Pycom's CATM1-5.2-48829 package: a 416,448-byte stage 1 that leaves the modem on 39529, then stage 2. */
async function stages(rig: EngineRig, stage1Name = 'CATM1-5.2-48829-1.dup'): Promise<{ one: string; two: string }> {
  const one = await rig.firmware(stage1Name, { kind: 'full', network: 'CAT-M1', build: 39529, size: 416_448, seed: 1 });
  const two = await rig.firmware('CATM1-5.2-48829-2.dup', { kind: 'full', network: 'CAT-M1', build: 48829, size: 300_000, seed: 2 });
  return { one, two };
}

function transferCommands(events: UpgradeEvent[]): string[] {
  return atCommandsOf(events).filter((c) => c.startsWith('AT+SMSTPU'));
}

function buildsReported(events: UpgradeEvent[]): (number | undefined)[] {
  return events.flatMap((e) => (e.kind === 'modemInfo' ? [e.report.softwareBuild] : []));
}

test('two-stage upgrade: stage 1 goes ON_THE_FLY although small, the version is read between stages, then stage 2', async (t) => {
  const rig = engineRig({ state: 2, build: 41065 });
  t.after(() => rig.close());
  const { one, two } = await stages(rig);
  const outcome = await rig.engine.upgrade(rig.request([one, two]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  // Stage 1 by the docs' load_fff=False; stage 2 by its size.
  assert.deepEqual(transferCommands(rig.events), ['AT+SMSTPU="ON_THE_FLY"', 'AT+SMSTPU']);
  assert.equal(atCommandsOf(rig.events).filter((c) => c === 'AT+SMSWBOOT=3,1').length, 1);
  // Before, between the stages (LR5.1.1.0-39529), after.
  assert.deepEqual(buildsReported(rig.events), [41065, 39529, 48829]);
  assert.equal(outcome.after?.softwareBuild, 48829);
  assert.ok(rig.events.some((e) => e.kind === 'log' && /CATM1-5\.2-48829-1\.dup goes ON_THE_FLY: stage 1/.test(e.message)));
});

test("the docs' LR5.2.1.0-48829-1.dup spelling is the same stage 1", async (t) => {
  const rig = engineRig({ state: 2, build: 41065 });
  t.after(() => rig.close());
  const { one, two } = await stages(rig, 'LR5.2.1.0-48829-1.dup');
  const outcome = await rig.engine.upgrade(rig.request([one, two]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(transferCommands(rig.events)[0], 'AT+SMSTPU="ON_THE_FLY"');
});

test('stages given in the wrong order are sent in order, with a warning, before the modem is touched', async (t) => {
  const rig = engineRig({ state: 2, build: 41065 });
  t.after(() => rig.close());
  const { one, two } = await stages(rig);
  const outcome = await rig.engine.upgrade(rig.request([two, one]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  const warnIndex = rig.events.findIndex((e) => e.kind === 'log' && e.level === 'warn' && /will be sent in order, CATM1-5\.2-48829-1\.dup, CATM1-5\.2-48829-2\.dup/.test(e.message));
  const firstAt = rig.events.findIndex((e) => e.kind === 'at');
  assert.ok(warnIndex >= 0 && warnIndex < firstAt, 'the warning comes before any AT command');
  assert.deepEqual(rig.modem.stored.map((s) => s.bytes?.length), [416_448, 300_000]);
  assert.equal(outcome.after?.softwareBuild, 48829);
});

test('stage 2 is not sent when stage 1 did not leave the modem on 39529', async (t) => {
  const rig = engineRig({ state: 2, build: 41065 });
  t.after(() => rig.close());
  // A stage 1 whose image installs something else than the docs say.
  const one = await rig.firmware('CATM1-5.2-48829-1.dup', { kind: 'full', network: 'CAT-M1', build: 40000, size: 416_448, seed: 1 });
  const two = await rig.firmware('CATM1-5.2-48829-2.dup', { kind: 'full', network: 'CAT-M1', build: 48829, size: 300_000, seed: 2 });
  const outcome = await rig.engine.upgrade(rig.request([one, two]));
  assert.equal(outcome.outcome, 'failed');
  assert.match(outcome.error!.message, /Only stage 2 .*runs build 40000/);
  assert.equal(rig.modem.stored.length, 1, 'only stage 1 was sent');
});

test('a method asked for applies to every file: a small diff goes ON_THE_FLY when asked', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const diff = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 200_000 });
  const outcome = await rig.engine.upgrade(rig.request([diff], { method: 'on-the-fly' }));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.deepEqual(transferCommands(rig.events), ['AT+SMSTPU="ON_THE_FLY"']);
  assert.ok(rig.events.some((e) => e.kind === 'log' && e.level === 'warn' && /sent ON_THE_FLY as asked/.test(e.message)));
});
