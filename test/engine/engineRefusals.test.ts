import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiB, engineRig } from '../support/engineRig';
import { onSameHandle, PortOwner } from '../../src/core/transport/portOwner';
import { withCliActions } from '../../src/cli/userActionText';

/** Commands that only read: a refusal after detection must not have sent anything else. */
const READ_ONLY = new Set(['AT', 'AT+SMOD?', 'AT+CGSN', 'ATI1', 'AT!="showver"']);

test('diff + updater.elf is refused before the port is opened', async (t) => {
  const rig = engineRig({ state: 2 });
  t.after(() => rig.close());
  const diff = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 300_000 });
  let opened = 0;
  const opener = { open: (...args: Parameters<typeof rig.registry.open>) => (opened++, rig.registry.open(...args)) };
  const outcome = await rig.engine.upgrade(rig.request([diff], { updaterPath: rig.updater(), port: new PortOwner(opener, 'sim:modem') }));
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'usage');
  assert.match(outcome.error!.message, /cannot be combined with updater\.elf/);
  assert.equal(opened, 0);
  assert.deepEqual(rig.modem.commandsSeen, []);
  assert.match(outcome.resumeHint ?? '', /not changed/);
});

test('a file under 128 bytes is refused before the port is opened', async (t) => {
  const rig = engineRig({ state: 2 });
  t.after(() => rig.close());
  const tiny = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 100 });
  const outcome = await rig.engine.upgrade(rig.request([tiny]));
  assert.equal(outcome.error?.code, 'usage');
  assert.match(outcome.error!.message, /100 bytes/);
  assert.deepEqual(rig.modem.commandsSeen, []);
});

test('a diff for another build is refused after detection, before anything changes', async (t) => {
  const rig = engineRig({ state: 2, build: 39529 });
  t.after(() => rig.close());
  const diff = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 300_000 });
  const outcome = await rig.engine.upgrade(rig.request([diff]));
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'usage');
  assert.match(outcome.error!.message, /build 38638.*runs build 39529/);
  assert.match(outcome.error!.action, /upgdiff_39529-to-/);
  assert.equal(outcome.before?.softwareBuild, 39529);
  assert.deepEqual(rig.modem.commandsSeen.filter((c) => !READ_ONLY.has(c)), []);
  assert.equal(rig.modem.stored.length, 0);
  assert.equal(rig.link.isOpen('host'), false);
});

test('a modem in recovery (state 0) without updater.elf is refused with what to use instead', async (t) => {
  const rig = engineRig({ state: 0 });
  t.after(() => rig.close());
  const full = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const outcome = await rig.engine.upgrade(rig.request([full]));
  assert.equal(outcome.error?.code, 'usage');
  assert.match(outcome.error!.action, /updater\.elf/);
  // The CLI spells the step as a flag (after the diagnosis, which carries the error's actions).
  assert.match(withCliActions(outcome.diagnosis!.action, outcome.diagnosis!.actions), /--updater updater\.elf/);
  assert.deepEqual(rig.modem.commandsSeen.filter((c) => !READ_ONLY.has(c)), []);
});

test('updater.elf with a modem in application state is not sent (normal method, with a warning)', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const full = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const outcome = await rig.engine.upgrade(rig.request([full], { updaterPath: rig.updater() }));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.path, 'on-the-fly');
  assert.deepEqual(rig.modem.stored.map((s) => s.kind), ['firmware']);
  assert.ok(rig.events.some((e) => e.kind === 'log' && e.level === 'warn' && /updater\.elf is not needed/.test(e.message)));
});

test('a busy port (the REPL terminal still holds it) fails with the advice to close it', async (t) => {
  const rig = engineRig({ state: 2 });
  t.after(() => rig.close());
  const full = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const terminal = rig.link.open('host');
  t.after(() => terminal.close());
  const outcome = await rig.engine.upgrade(rig.request([full]));
  assert.equal(outcome.error?.code, 'port-open');
  assert.match(outcome.error!.action, /Close the REPL terminal/);
  assert.match(outcome.resumeHint ?? '', /not changed/);
  assert.deepEqual(rig.modem.commandsSeen, []);
});

test('a port handed over from mirror mode is used as is and left open for its owner', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const diff = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 200_000 });
  const transport = rig.link.open('host', { baudRate: 921_600 });
  t.after(() => transport.close());
  // The handed-over handle is used as it is: nothing opens the port again.
  const outcome = await rig.engine.upgrade(rig.request([diff], { port: onSameHandle(transport, { previous: undefined, leave: () => undefined }) }));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(transport.isOpen, true);
});

test('an unwritable transcript folder is reported, and the upgrade still runs', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const diff = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 200_000 });
  const blocker = `${diff}/logs`; // a folder inside a regular file cannot be made
  const outcome = await rig.engine.upgrade(rig.request([diff], { transcriptDir: blocker }));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.transcriptPath, undefined);
  assert.ok(rig.events.some((e) => e.kind === 'log' && e.level === 'warn' && /No transcript/.test(e.message)));
});

/** Commands that change the modem: none may be sent before a refusal. */
const CHANGING = /^AT\+SMSTPU|^AT\+SMSWBOOT=|^AT\+SMUPGRADE$|^AT\+CFUN|^AT\+BIND|^AT\+SQNS/;

test('old bootrom (Bootloader0 33080) + full image without updater.elf: refused after detection, before any command that changes the modem', async (t) => {
  const rig = engineRig({ state: 2, build: 38638, hasOldBootrom: true });
  t.after(() => rig.close());
  const full = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const outcome = await rig.engine.upgrade(rig.request([full]));
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'usage');
  assert.match(outcome.error!.message, /old 33080 bootrom.*CATM1-41065\.dup.*needs updater\.elf/);
  assert.match(outcome.error!.action, /Add updater\.elf from the same firmware package/);
  assert.equal(outcome.before?.bootloaders.find((b) => b.slot === 0)?.build, 33080);
  assert.deepEqual(rig.modem.commandsSeen.filter((c) => CHANGING.test(c)), []);
  assert.deepEqual(rig.modem.commandsSeen.filter((c) => !READ_ONLY.has(c)), []);
  assert.equal(rig.modem.stored.length, 0);
});

test('old bootrom + a diff: allowed, a diff needs no updater.elf', async (t) => {
  const rig = engineRig({ state: 2, build: 38638, hasOldBootrom: true });
  t.after(() => rig.close());
  const diff = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 200_000 });
  const outcome = await rig.engine.upgrade(rig.request([diff]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.after?.softwareBuild, 41065);
});

test('a modem on CAT-M1 33080 is refused the 48829 files: 41065 first', async (t) => {
  const rig = engineRig({ state: 2, build: 33080 });
  t.after(() => rig.close());
  const one = await rig.firmware('CATM1-5.2-48829-1.dup', { kind: 'full', network: 'CAT-M1', build: 39529, size: 416_448, seed: 1 });
  const two = await rig.firmware('CATM1-5.2-48829-2.dup', { kind: 'full', network: 'CAT-M1', build: 48829, size: 300_000, seed: 2 });
  const outcome = await rig.engine.upgrade(rig.request([one, two]));
  assert.equal(outcome.error?.code, 'usage');
  assert.match(outcome.error!.message, /build 33080.*must go to 41065 before 48829/);
  assert.match(outcome.error!.action, /Install build 41065 first/);
  assert.deepEqual(rig.modem.commandsSeen.filter((c) => !READ_ONLY.has(c)), []);
});

test('the factory-only build 50523 is refused before the port is opened', async (t) => {
  const rig = engineRig({ state: 2 });
  t.after(() => rig.close());
  const factory = await rig.firmware('CATM1-50523.dup', { kind: 'full', network: 'CAT-M1', build: 50523, size: 4 * MiB + 1 });
  const outcome = await rig.engine.upgrade(rig.request([factory]));
  assert.equal(outcome.error?.code, 'usage');
  assert.match(outcome.error!.message, /50523.*users cannot install it/);
  assert.deepEqual(rig.modem.commandsSeen, []);
});

test('stage 2 alone is refused on a modem that did not run stage 1, before anything changes', async (t) => {
  const rig = engineRig({ state: 2, build: 41065 });
  t.after(() => rig.close());
  const two = await rig.firmware('CATM1-5.2-48829-2.dup', { kind: 'full', network: 'CAT-M1', build: 48829, size: 300_000 });
  const outcome = await rig.engine.upgrade(rig.request([two]));
  assert.equal(outcome.error?.code, 'usage');
  assert.match(outcome.error!.message, /Only stage 2 .*runs build 41065/);
  assert.match(outcome.error!.action, /CATM1-5\.2-48829-1\.dup and CATM1-5\.2-48829-2\.dup together/);
  assert.deepEqual(rig.modem.commandsSeen.filter((c) => !READ_ONLY.has(c)), []);
});

test('stage 2 alone goes ahead when the modem shows stage 1 already ran (39529)', async (t) => {
  const rig = engineRig({ state: 2, build: 39529 });
  t.after(() => rig.close());
  const two = await rig.firmware('CATM1-5.2-48829-2.dup', { kind: 'full', network: 'CAT-M1', build: 48829, size: 300_000 });
  const outcome = await rig.engine.upgrade(rig.request([two]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.after?.softwareBuild, 48829);
});

test('a network switch is a warning: logged, and with a confirmation asked, a "no" stops before anything changes', async (t) => {
  const rig = engineRig({ state: 2, build: 38638, network: 'CAT-M1' });
  t.after(() => rig.close());
  const nb = await rig.firmware('NB1-41019.dup', { kind: 'full', network: 'NB-IoT', build: 41019, size: 4 * MiB + 1 });
  const asked: string[] = [];
  const outcome = await rig.engine.upgrade(
    rig.request([nb], {
      confirm: async (warnings) => {
        asked.push(...warnings.map((w) => `${w.id}: ${w.detail}`));
        return false;
      },
    }),
  );
  assert.equal(outcome.error?.code, 'usage');
  assert.match(asked.join('\n'), /network-change: The modem runs CAT-M1 firmware; the files install NB-IoT.*issue 379/);
  assert.deepEqual(rig.modem.commandsSeen.filter((c) => !READ_ONLY.has(c)), []);
});
