import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { atCommandsOf, fileBytes, MiB, engineRig, stepsOf } from '../support/engineRig';

test('ON_THE_FLY: full image > 4 MiB in application state, stored byte for byte, new build reported', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 4321 });
  const outcome = await rig.engine.upgrade(rig.request([file], { transcriptDir: rig.dir }));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'on-the-fly');
  assert.equal(outcome.before?.softwareBuild, 38638);
  assert.equal(outcome.after?.softwareBuild, 41065);
  assert.equal(rig.modem.build, 41065);
  const images = rig.modem.stored.filter((s) => s.kind === 'firmware');
  assert.equal(images.length, 1);
  assert.equal(images[0]!.method, 'on-the-fly');
  assert.ok(images[0]!.isComplete);
  assert.deepEqual(images[0]!.bytes, fileBytes(file));
  assert.deepEqual(stepsOf(rig.events), ['detect', 'prepare', 'recovery-boot', 'transfer', 'await-upgrade', 'boot-check', 'boot-app', 'report']);
  const commands = atCommandsOf(rig.events);
  for (const expected of ['AT+BIND=AT', 'ATE0', 'AT+SMLOG?', 'AT+SQNSUPGRADENTF="started"', 'AT+SQNWL="sqndcc",2', 'AT+CFUN=4', 'AT+SMSWBOOT=3,1', 'AT+SMSTPU="ON_THE_FLY"', 'AT+SMUPGRADE?', 'AT+SMSWBOOT?', 'AT+SMSWBOOT=1,1', 'AT+SQNSUPGRADENTF="success"', 'AT+CGSN', 'ATI1', 'AT!="showver"']) {
    assert.ok(commands.includes(expected), `sent ${expected}`);
  }
  assert.ok(!commands.includes('AT+SMUPGRADE'), 'ON_THE_FLY does not send AT+SMUPGRADE');
  // The modem saw what the engine reports sending, in order.
  assert.deepEqual(rig.modem.commandsSeen.filter((c) => c.startsWith('AT+SMSTPU') || c.startsWith('AT+SMSWBOOT=')), ['AT+SMSWBOOT=3,1', 'AT+SMSTPU="ON_THE_FLY"', 'AT+SMSWBOOT=1,1']);
  const progress = rig.events.filter((e) => e.kind === 'progress');
  assert.equal(progress.at(-1)?.kind === 'progress' && progress.at(-1)!.bytesDone, 4 * MiB + 4321);
  assert.ok(rig.events.some((e) => e.kind === 'stp'));
  const result = rig.events.at(-1);
  assert.equal(result?.kind, 'result');
  assert.ok(outcome.transcriptPath && existsSync(outcome.transcriptPath));
  const transcript = readFileSync(outcome.transcriptPath, 'utf8');
  assert.match(transcript, /AT> AT\+SMSTPU="ON_THE_FLY"/);
  // The data phase: its start and end with the block count, routine block frames as digests.
  assert.match(transcript, /INFO STP data phase: CATM1-41065\.dup, 4198625 bytes in blocks of up to 2016 bytes/);
  assert.match(transcript, /STP rx TRANSFER_BLOCK ×\d+ acknowledged \(tid \d+–\d+, \d+ bytes sent/);
  assert.match(transcript, /INFO STP data phase done: 2083 blocks, 4198625 bytes acknowledged in /);
  assert.ok(transcript.split('\n').length < 200, 'a transcript line per digest, not per frame');
  assert.match(transcript, /RESULT success/);
  assert.equal(rig.link.isOpen('host'), false, 'the engine released the port');
});

test('FFF: diff in application state is staged, applied with AT+SMUPGRADE, and its reply read', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const file = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 300_000 });
  const outcome = await rig.engine.upgrade(rig.request([file]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'fff');
  assert.equal(outcome.after?.softwareBuild, 41065);
  const [image] = rig.modem.stored;
  assert.equal(image?.method, 'fff');
  assert.deepEqual(image?.bytes, fileBytes(file));
  assert.deepEqual(stepsOf(rig.events), ['detect', 'prepare', 'transfer', 'apply', 'await-upgrade', 'boot-check', 'report']);
  const smupgrade = rig.events.find((e) => e.kind === 'at' && e.command === 'AT+SMUPGRADE');
  assert.ok(smupgrade?.kind === 'at' && smupgrade.final === 'OK', 'the reply to AT+SMUPGRADE was read');
  assert.ok(!rig.modem.commandsSeen.includes('AT+SMSWBOOT=3,1'), 'FFF does not reboot into the updater');
  assert.ok(rig.modem.commandsSeen.includes('AT+SMSTPU'));
});

test('recovery: state 0 gets AT+STP, updater.elf by STP, then the full image ON_THE_FLY', async (t) => {
  const rig = engineRig({ state: 0, build: 38638 });
  t.after(() => rig.close());
  const updater = rig.updater();
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 100 });
  const outcome = await rig.engine.upgrade(rig.request([file], { updaterPath: updater }));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'recovery');
  assert.equal(outcome.before, undefined, 'the bootrom has no version commands');
  assert.equal(outcome.after?.softwareBuild, 41065);
  assert.deepEqual(rig.modem.stored.map((s) => s.kind), ['updater', 'firmware']);
  assert.deepEqual(rig.modem.stored[0]!.bytes, fileBytes(updater));
  assert.deepEqual(rig.modem.stored[1]!.bytes, fileBytes(file));
  assert.deepEqual(stepsOf(rig.events), ['detect', 'load-updater', 'transfer', 'await-upgrade', 'boot-check', 'boot-app', 'report']);
  const seen = rig.modem.commandsSeen;
  assert.deepEqual(seen.slice(0, seen.indexOf('AT+STP') + 1).filter((c) => c !== 'AT'), ['AT+SMOD?', 'AT+STP']);
  assert.ok(!seen.includes('AT+BIND=AT') && !seen.includes('AT+SMSWBOOT=3,1'), 'continues from step 4: no preparation');
  const stpLog = rig.events.find((e) => e.kind === 'log' && /max transfer 2048/.test(e.message));
  assert.ok(stpLog, 'the bootrom reported max transfer 2048');
});

test('resume: state 4 sends only AT+SMOD? before AT+SMSTPU', async (t) => {
  const rig = engineRig({ state: 4, build: 38638 });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 7 });
  const outcome = await rig.engine.upgrade(rig.request([file]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'resume');
  assert.deepEqual(rig.modem.stored[0]!.bytes, fileBytes(file));
  const seen = rig.modem.commandsSeen;
  const before = seen.slice(0, seen.indexOf('AT+SMSTPU="ON_THE_FLY"')).filter((c) => c !== 'AT');
  assert.deepEqual(before, ['AT+SMOD?', 'AT+SMOD?']);
  assert.equal(rig.modem.state, 2);
});

test('two-stage diffs are sent in order, each applied before the next', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const one = await rig.firmware('upgdiff_38638-to-40000-1.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 40000, size: 250_000, seed: 1 });
  const two = await rig.firmware('upgdiff_40000-to-41065-2.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 40000, build: 41065, size: 260_000, seed: 2 });
  const outcome = await rig.engine.upgrade(rig.request([one, two]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.deepEqual(rig.modem.stored.map((s) => s.bytes), [fileBytes(one), fileBytes(two)]);
  assert.equal(rig.modem.build, 41065);
  assert.equal(outcome.after?.softwareBuild, 41065);
  assert.equal(rig.modem.commandsSeen.filter((c) => c === 'AT+SMUPGRADE').length, 2);
  assert.deepEqual(
    rig.events.flatMap((e) => (e.kind === 'progress' && e.bytesDone === e.bytesTotal ? [e.fileIndex] : [])),
    [1, 2],
  );
});

test('a build after the upgrade other than the file name promises is a warning, not a failure', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  // The name says 41065; the image inside installs 40343.
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 40343, size: 200_000 });
  const outcome = await rig.engine.upgrade(rig.request([file]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.after?.softwareBuild, 40343);
  const warnings = rig.events.flatMap((e) => (e.kind === 'log' && e.level === 'warn' ? [e.message] : []));
  assert.ok(
    warnings.some((w) => w.includes('build 40343 after the upgrade') && w.includes('CATM1-41065.dup should have installed build 41065')),
    `warnings: ${JSON.stringify(warnings)}`,
  );
});

test('the build the file name promises raises no warning', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 200_000 });
  const outcome = await rig.engine.upgrade(rig.request([file]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  const warnings = rig.events.flatMap((e) => (e.kind === 'log' && e.level === 'warn' ? [e.message] : []));
  assert.ok(!warnings.some((w) => w.includes('after the upgrade')), `warnings: ${JSON.stringify(warnings)}`);
});
