import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { continueAction, parseLastAttempt, type LastAttempt } from '../../src/core/engine/lastAttempt';
import { commandLine } from '../../src/cli/userActionText';
import { MiB, engineRig, abortAfterSending } from '../support/engineRig';
import { jsonLines, runInProcess } from './cliHarness';

/** Core says which upgrade continues the attempt; the CLI spells it as a command line. */
const continueCommand = (attempt: LastAttempt, port: string, state: 0 | 4) => commandLine(continueAction(attempt, port, state));

/**
 * Resume (issue 8): an interrupted upgrade is remembered (last-attempt.json in the
 * transcript folder); the next `upgrade --port` without files finds the modem in state
 * 4 or 0 and names the files and the command that continue it.
 */

test('state 4 after a cancel: `upgrade --port` without files names the last attempt\'s files and the command; running it resumes', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const controller = new AbortController();
  const opener = abortAfterSending(rig.registry, 100_000, controller);
  const common = ['--port', 'sim:modem', '--timeout-scale', '0.05', '--transcript-dir', rig.dir];
  const cancelled = await runInProcess(['upgrade', ...common, file], { opener, signal: controller.signal });
  assert.equal(cancelled.code, 1);
  assert.match(cancelled.stdout, /For a forum post or an issue, run again with --report/);
  // As the tool says: unplug the board and plug it back; the modem comes up in upgrade mode.
  assert.equal((await rig.powerCycle()).state, 4);

  const offer = await runInProcess(['upgrade', ...common, '--json'], { opener: rig.registry });
  assert.equal(offer.code, 2, 'nothing was sent');
  const line = jsonLines(offer.stdout).find((e) => e.kind === 'resumeOffer') as { state: number; lastAttempt: { files: string[]; outcome: string }; command: string };
  assert.equal(line.state, 4);
  assert.deepEqual(line.lastAttempt.files, [file]);
  assert.equal(line.lastAttempt.outcome, 'cancelled');
  assert.equal(line.command, `pycom-modem upgrade --port sim:modem ${file}`);
  assert.ok(!rig.modem.commandsSeen.some((c) => /SMSTPU|SMSWBOOT=|BIND/.test(c)), 'only reads reached the modem');

  const text = await runInProcess(['upgrade', ...common], { opener: rig.registry });
  assert.equal(text.code, 2);
  assert.match(text.stdout, /upgrade mode \(state 4\): an earlier upgrade was interrupted/);
  assert.match(text.stdout, /The last attempt \(.*, cancelled\) used:\n  .*CATM1-41065\.dup\n/);
  assert.ok(text.stdout.includes(`To continue: pycom-modem upgrade --port sim:modem ${file}\n`));

  const resumed = await runInProcess(['upgrade', ...common, '--json', file], { opener: rig.registry });
  assert.equal(resumed.code, 0, resumed.stderr);
  const plan = jsonLines(resumed.stdout).find((e) => e.kind === 'plan');
  assert.equal(plan?.path, 'resume');
  const record = JSON.parse(readFileSync(join(rig.dir, 'last-attempt.json'), 'utf8')) as { outcome: string };
  assert.equal(record.outcome, 'success');
});

test('`upgrade --port` without files: state 0 with no recorded attempt says what to run; state 2 is a usage error', async (t) => {
  const recovery = engineRig({ state: 0 });
  t.after(() => recovery.close());
  const text = await runInProcess(['upgrade', '--port', 'sim:modem', '--timeout-scale', '0.05', '--transcript-dir', recovery.dir], { opener: recovery.registry });
  assert.equal(text.code, 2);
  assert.match(text.stdout, /recovery bootrom \(state 0\).*--updater updater\.elf/);
  assert.match(text.stdout, /No earlier attempt is recorded in /);

  const app = engineRig({ state: 2 });
  t.after(() => app.close());
  const usage = await runInProcess(['upgrade', '--port', 'sim:modem', '--timeout-scale', '0.05', '--transcript-dir', app.dir], { opener: app.registry });
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /needs the firmware file\(s\)/);
  assert.match(usage.stderr, /no interrupted upgrade to continue/);
});

test('the continue command quotes paths for a shell and names updater.elf only where the state needs it', () => {
  const attempt = parseLastAttempt({
    portPath: '/dev/ttyUSB0',
    files: ["/home/me/My Firmware/CATM1-41065.dup"],
    updaterPath: "/home/me/it's/updater.elf",
    startedAt: '2026-11-24T14:00:00.000Z',
    outcome: 'running',
    extra: 'ignored',
  });
  assert.ok(attempt);
  assert.equal(continueCommand(attempt, '/dev/ttyUSB0', 4), "pycom-modem upgrade --port /dev/ttyUSB0 '/home/me/My Firmware/CATM1-41065.dup'");
  assert.equal(
    continueCommand(attempt, '/dev/ttyUSB0', 0),
    "pycom-modem upgrade --port /dev/ttyUSB0 --updater '/home/me/it'\\''s/updater.elf' '/home/me/My Firmware/CATM1-41065.dup'",
  );
  const { updaterPath: _u, ...withoutUpdater } = attempt;
  assert.match(continueCommand(withoutUpdater, '/dev/ttyUSB0', 0), /--updater updater\.elf /);
  for (const junk of [null, 1, {}, { portPath: 'p', files: [], startedAt: 'x', outcome: 'running' }, { portPath: 'p', files: ['a'], startedAt: 'x', outcome: 'exploded' }]) {
    assert.equal(parseLastAttempt(junk), undefined, JSON.stringify(junk));
  }
});
