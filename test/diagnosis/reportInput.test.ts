import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDiagnosticReport } from '../../src/core/diagnosis/diagnosticReport';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnosesFromEvents, readTranscriptTail, reportFileKind, reportInputFromEvents } from '../../src/core/diagnosis/reportInput';
import { STEP_TITLES, type UpgradeEvent } from '../../src/core/engine/upgradeEvents';

const environment = { os: 'linux x64', node: 'v20', toolVersion: '0.1.0', frontEnd: 'CLI' };

const failedOnTheBoard: UpgradeEvent[] = [
  { kind: 'step', step: 'board-connect', title: STEP_TITLES['board-connect'], phase: 'start', atMs: 0 },
  { kind: 'step', step: 'board-connect', title: STEP_TITLES['board-connect'], phase: 'fail', detail: 'no prompt', atMs: 10 },
  {
    kind: 'result',
    outcome: 'failed',
    message: 'The board half of the upgrade failed; the modem was not touched.',
    error: { code: 'board-silent', message: 'no prompt', action: 'Reset the board.', step: 'board-connect' },
    atMs: 11,
  },
];

test('a failure without a diagnosis event is diagnosed from its events; a success has none', () => {
  assert.deepEqual(diagnosesFromEvents(failedOnTheBoard).map((d) => d.cause), ['board-not-at-repl']);
  const emitted = { cause: 'x', title: 't', action: 'a', evidence: [] };
  assert.deepEqual(diagnosesFromEvents([...failedOnTheBoard, { kind: 'diagnosis', diagnosis: emitted, atMs: 12 }]), [emitted], 'the engine\'s own wins');
  assert.deepEqual(diagnosesFromEvents([{ kind: 'result', outcome: 'success', message: 'ok', atMs: 1 }]), []);
});

test('the report input: states before/after, the plan\'s files when none are given, steps, transcript lines from the events', () => {
  const events: UpgradeEvent[] = [
    { kind: 'modemState', state: 2, atMs: 0 },
    { kind: 'plan', path: 'on-the-fly', files: ['CATM1-41065.dup'], atMs: 1 },
    { kind: 'step', step: 'transfer', title: STEP_TITLES.transfer, phase: 'start', atMs: 2 },
    { kind: 'step', step: 'transfer', title: STEP_TITLES.transfer, phase: 'fail', detail: 'silent', atMs: 9 },
    { kind: 'modemState', state: 4, atMs: 10 },
    { kind: 'result', outcome: 'failed', message: 'Upgrade failed: silent', error: { code: 'stp-no-reply', message: 'silent', action: 'retry', step: 'transfer' }, transcriptPath: '/tmp/t.log', atMs: 11 },
  ];
  const input = reportInputFromEvents(events, { environment, portPath: '/dev/ttyUSB0' });
  assert.equal(input.modemStateBefore, 2);
  assert.equal(input.modemStateAfter, 4);
  assert.deepEqual(input.files, [{ name: 'CATM1-41065.dup', kind: 'CAT-M1 full image, build 41065' }]);
  assert.equal(input.diagnosis?.cause, 'modem-in-upgrade-mode');
  assert.equal(input.transcriptPath, '/tmp/t.log');
  assert.ok(input.transcriptTail.includes('MODEM state 4'));
  const markdown = renderDiagnosticReport(input);
  assert.match(markdown, /\| CATM1-41065\.dup \| \? \| CAT-M1 full image, build 41065 \|/, 'an unknown size shows as ?');
  assert.match(markdown, /### Modem after\n\n- State \(AT\+SMOD\?\): 4, upgrade mode/);
  assert.equal(reportFileKind('/x/upgdiff_38638-to-41065.dup'), 'diff 38638 → 41065');
  assert.equal(reportFileKind('updater.elf'), 'updater');
});

test('the transcript tail leaves out the crash dump hex (the report has its own section) and progress lines', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'tail-')), 't.log');
  const lines = ['T1 AT> AT+SMOD?', 'T2 AT< 4 | OK (3 ms)', 'T3 PROGRESS transfer file 1 x.dup: 10/20 bytes'];
  for (let i = 0; i < 200; i++) lines.push(`T4 CRASHDUMP hex ${i.toString(16).padStart(6, '0')}  00ff`);
  lines.push('T5 RESULT failed: silent', '');
  writeFileSync(path, lines.join('\n'));
  assert.deepEqual(await readTranscriptTail(path), ['T1 AT> AT+SMOD?', 'T2 AT< 4 | OK (3 ms)', 'T5 RESULT failed: silent']);
  assert.equal(await readTranscriptTail(join(path, 'missing')), undefined);
});
