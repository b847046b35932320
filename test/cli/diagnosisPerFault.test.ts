import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { inlineText } from '../../src/core/diagnosis/markdownSafe';
import type { SimFault } from '../../src/sim/modem/modemFaults';
import type { FaultPlan } from '../../src/sim/modem/modemFaults';
import { fileBytes, MiB, engineRig, type EngineRig } from '../support/engineRig';
import { jsonLines, runInProcess } from './cliHarness';

/**
 * Issue 8's "done when": for every fault the simulated modem can act out, and for a
 * modem found in state 0 or 4, the CLI's --json stream carries the diagnosis (cause and
 * next action) and the --report Markdown says the same. Faults the tool recovers from
 * must end in success with no diagnosis at all.
 */

interface Diagnosed {
  cause: string;
  title: string;
  action: string;
  actions?: unknown[];
  evidence: string[];
}

interface Scenario {
  state?: 0 | 2 | 4;
  faults?: SimFault[];
  faultPlan?: Partial<FaultPlan>;
  file: 'full' | 'diff';
  withUpdater?: boolean;
  timeoutScale?: string;
}

async function firmwareFor(rig: EngineRig, kind: 'full' | 'diff'): Promise<string> {
  return kind === 'full'
    ? rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 })
    : rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 300_000 });
}

async function runScenario(t: { after(fn: () => Promise<void>): void }, scenario: Scenario) {
  const rig = engineRig({ state: scenario.state ?? 2, build: 38638, faults: scenario.faults ?? [], ...(scenario.faultPlan ? { faultPlan: scenario.faultPlan } : {}) });
  t.after(() => rig.close());
  const file = await firmwareFor(rig, scenario.file);
  const reportPath = join(rig.dir, 'report.md');
  const run = await runInProcess(
    [
      'upgrade', '--port', 'sim:modem', '--json', '--timeout-scale', scenario.timeoutScale ?? '0.05',
      '--transcript-dir', rig.dir, '--report', reportPath,
      ...(scenario.withUpdater ? ['--updater', rig.updater()] : []),
      file,
    ],
    { opener: rig.registry },
  );
  const events = jsonLines(run.stdout);
  const diagnoses = events.filter((e) => e.kind === 'diagnosis').map((e) => e.diagnosis as Diagnosed);
  const result = events.find((e) => e.kind === 'result') as { outcome: string; error?: { code: string; step?: string } } | undefined;
  const states = events.filter((e) => e.kind === 'modemState').map((e) => e.state as number);
  assert.deepEqual(events.at(-1), { kind: 'report', path: reportPath }, 'the last line names the report');
  return { run, events, diagnoses, result, states, report: readFileSync(reportPath, 'utf8'), rig, file };
}

/** The diagnosis event as the rule table says, and the same words in the report. */
function assertDiagnosed(
  outcome: Awaited<ReturnType<typeof runScenario>>,
  expected: { cause: string; action: RegExp; stateAfter?: number },
): Diagnosed {
  assert.equal(outcome.diagnoses.length, 1, `one diagnosis, got ${JSON.stringify(outcome.diagnoses)}`);
  const diagnosis = outcome.diagnoses[0]!;
  assert.equal(diagnosis.cause, expected.cause, diagnosis.title);
  assert.match(diagnosis.action, expected.action);
  if (expected.stateAfter !== undefined) assert.equal(outcome.states.at(-1), expected.stateAfter, `AT+SMOD? after the failure: ${outcome.states}`);
  assert.ok(outcome.report.includes(`### Diagnosis: ${inlineText(diagnosis.title)}`), 'report heading');
  assert.ok(outcome.report.includes(`**What to do:** ${inlineText(diagnosis.action, 2000)}`), 'report action');
  assert.ok(outcome.report.includes(`Rule: ${inlineText(diagnosis.cause)}`), 'report rule');
  for (const fact of diagnosis.evidence) assert.ok(outcome.report.includes(`- ${inlineText(fact)}`), `report evidence: ${fact}`);
  return diagnosis;
}

test('fault "silent": the modem never answers after the switch to mirror mode → power-cycle, then recovery if it stays silent', async (t) => {
  const outcome = await runScenario(t, { faults: ['silent'], file: 'full' });
  assert.equal(outcome.run.code, 1);
  assert.equal(outcome.result?.error?.code, 'modem-silent');
  assertDiagnosed(outcome, { cause: 'modem-silent-after-mirror', action: /power-cycle the board.*recovery method: the full \.dup image with updater\.elf/is });
  assert.deepEqual(outcome.states, [], 'a silent modem is not asked for its state again');
  assert.match(outcome.report, /\*\*Outcome:\*\* failed/);
});

test('fault "crash-mid-transfer" (ON_THE_FLY): AT+SMOD? after the failure says 4 → power-cycle and resume with the same file', async (t) => {
  const outcome = await runScenario(t, { faults: ['crash-mid-transfer'], file: 'full', timeoutScale: '0.005' });
  assert.equal(outcome.run.code, 1);
  assert.match(outcome.result?.error?.code ?? '', /^stp-/);
  assertDiagnosed(outcome, { cause: 'modem-in-upgrade-mode', action: /same upgrade again with the same file.*resumes/s, stateAfter: 4 });
  assert.ok(outcome.events.some((e) => e.kind === 'crashDump'), 'the crash dump was read after the state');
  assert.match(outcome.report, /### Modem crash dump/);
  assert.match(outcome.report, /State \(AT\+SMOD\?\): 4, upgrade mode/);
});

test('fault "crash-mid-transfer" (FFF), text output: the diagnosis paragraph and the crash-dump card', async (t) => {
  const rig = engineRig({ state: 2, build: 38638, faults: ['crash-mid-transfer'] });
  t.after(() => rig.close());
  const file = await firmwareFor(rig, 'diff');
  const run = await runInProcess(['upgrade', '--port', 'sim:modem', '--timeout-scale', '0.005', '--transcript-dir', rig.dir, file], { opener: rig.registry });
  assert.equal(run.code, 1);
  assert.match(run.stdout, /^Modem crash dump:\n  Modem crash dump \(firmware .*\[38638\].*\)\n    Assertion at hal_misc\.c, line 420\n    'Spurious Int/m);
  assert.match(run.stdout, /^Diagnosis: The modem stopped answering the transfer at \d+ % \[stp-silent-after-wait\]$/m);
  assert.match(run.stdout, /^  Why: Transfer reached \d+ %/m);
  assert.match(run.stdout, /^ {7}Crash dump: assertion at hal_misc\.c@420/m);
  assert.match(run.stdout, /^  What to do: The modem stayed silent longer than a normal pause\. Power-cycle the board.*the modem is back in its application \(state 2\)/m);
  assert.match(run.stdout, /^Where the modem stands: Part of the file was staged/m);
  assert.match(run.stdout, /run again with --report report\.md/);
});

test('fault "patch-fails": the diff does not match → the matching diff or the full image', async (t) => {
  const outcome = await runScenario(t, { faults: ['patch-fails'], file: 'diff' });
  assert.equal(outcome.run.code, 1);
  assertDiagnosed(outcome, { cause: 'patch-did-not-apply', action: /Use upgdiff_38638-to-<target>\.dup, or the full image/ });
  assert.match(outcome.report, /Patch didn't apply!/);
});

test('fault "unplug": the port vanished mid-transfer → cable, plug back, resume; no state read on a missing port', async (t) => {
  const outcome = await runScenario(t, { faults: ['unplug'], file: 'full' });
  assert.equal(outcome.run.code, 1);
  assert.equal(outcome.result?.error?.code, 'port-closed');
  assertDiagnosed(outcome, { cause: 'port-vanished', action: /short data cable.*resumes/s });
  assert.ok(!outcome.events.some((e) => e.kind === 'step' && e.step === 'crash-dump'));
});

for (const fault of ['corrupt-reply-crc', 'residue', 'drop-bytes', 'wrong-baud'] as const) {
  test(`fault "${fault}": the tool recovers, so the upgrade succeeds and nothing is diagnosed`, async (t) => {
    const outcome = await runScenario(t, {
      faults: [fault],
      file: 'diff',
      // One dropped request costs a whole request timeout: one is enough to prove the resend.
      ...(fault === 'drop-bytes' ? { faultPlan: { maxDropsPerSession: 1, dropEveryBytes: 50_000 }, timeoutScale: '0.01' } : {}),
    });
    assert.equal(outcome.run.code, 0, JSON.stringify(outcome.result));
    assert.equal(outcome.result?.outcome, 'success');
    assert.deepEqual(outcome.diagnoses, []);
    assert.match(outcome.report, /\*\*Outcome:\*\* success/);
    assert.doesNotMatch(outcome.report, /### Diagnosis/);
    if (fault === 'wrong-baud') assert.ok(outcome.events.some((e) => e.kind === 'log' && /115200 baud/.test(String(e.message))));
    else if (fault === 'residue') assert.deepEqual(outcome.rig.modem.stored[0]?.bytes, fileBytes(outcome.file), 'every byte arrived despite the residues');
    else assert.ok(outcome.events.some((e) => e.kind === 'stp' && /resend|bad hcrc|corrupt|stale/i.test(String(e.summary))), 'the fault happened');
  });
}

test('state 0 without updater.elf: refused before anything is sent → add updater.elf and the full image', async (t) => {
  const outcome = await runScenario(t, { state: 0, file: 'full' });
  assert.equal(outcome.run.code, 2);
  const diagnosis = assertDiagnosed(outcome, { cause: 'files-refused', action: /updater\.elf and the full \.dup image/ });
  // The step comes as data in --json; the CLI's report spells it as the flag.
  assert.deepEqual(diagnosis.actions, [{ kind: 'add-updater' }]);
  assert.match(outcome.report, /\*\*What to do:\*\* Run the upgrade again with updater\.elf and the full \.dup image.*Add \\?`--updater updater\.elf/);
  assert.equal(outcome.rig.modem.stored.length, 0);
});

test('state 0 after a failed recovery (crash while loading updater.elf) → the recovery method again', async (t) => {
  const outcome = await runScenario(t, { state: 0, faults: ['crash-mid-transfer'], file: 'full', withUpdater: true, timeoutScale: '0.005' });
  assert.equal(outcome.run.code, 1);
  assert.equal(outcome.result?.error?.step, 'load-updater');
  assertDiagnosed(outcome, { cause: 'modem-in-recovery', action: /full \.dup image .*and updater\.elf: the recovery method/s, stateAfter: 0 });
});
