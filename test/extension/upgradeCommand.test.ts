import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { __stub, Uri, type StubWebviewPanel } from '../support/vscodeStub';
import { OperationAbortedError, PortOpenError } from '../../src/core/errors';
import { BoardSilentError } from '../../src/core/repl/replErrors';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import type { LogNode } from '../../src/views/logTree';
import type { RunRecord } from '../../src/views/sessionLog';
import { activateWithFakeCore } from './fakeExtension';
import { until, versionReport, type FakeEngine } from './fakeCore';

beforeEach(() => __stub.reset());

const setup = () => activateWithFakeCore();

const at = () => Date.now();
function emitHappyPath(engine: FakeEngine, from = 0, to = Infinity): void {
  const events: UpgradeEvent[] = [
    { kind: 'step', step: 'board-identify', title: 'Identify the board', phase: 'start', atMs: at() },
    { kind: 'step', step: 'board-identify', title: 'Identify the board', phase: 'done', atMs: at() },
    { kind: 'plan', path: 'on-the-fly', files: ['CATM1-41065.dup'], atMs: at() },
    { kind: 'modemInfo', phase: 'before', report: versionReport(38638), atMs: at() },
    { kind: 'at', command: 'AT+SMOD?', reply: '\r\n2\r\n', final: 'OK', durationMs: 12, atMs: at() },
    { kind: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: at() },
    { kind: 'progress', step: 'transfer', fileIndex: 1, fileName: 'CATM1-41065.dup', bytesDone: 2016, bytesTotal: 4032, bytesPerSecond: 80_000, etaMs: 25, atMs: at() },
    { kind: 'progress', step: 'transfer', fileIndex: 1, fileName: 'CATM1-41065.dup', bytesDone: 4032, bytesTotal: 4032, bytesPerSecond: 80_000, etaMs: 0, atMs: at() },
    { kind: 'step', step: 'transfer', title: 'Send the firmware', phase: 'done', atMs: at() },
    { kind: 'modemInfo', phase: 'after', report: versionReport(41065), atMs: at() },
    { kind: 'result', outcome: 'success', message: 'Upgrade finished.', transcriptPath: '/tmp/t.txt', atMs: at() },
  ];
  for (const event of events.slice(from, to)) engine.events.emit(event);
}

/** Opens the panel and completes the page handshake, as the real page does on load. */
async function openReadyPanel(): Promise<StubWebviewPanel> {
  await __stub.commands.get('pycomModem.openPanel')!();
  const panel = __stub.panels[__stub.panels.length - 1]!;
  panel.sendFromPage({ type: 'ready' });
  // Without a session yet, the answer to `ready` is an empty replay: the handshake, not a live message.
  const [answer] = panel.webview.posted as { type: string; messages?: unknown[] }[];
  assert.equal(answer?.type, 'replay', 'the host answers ready');
  if (answer.messages?.length === 0) panel.webview.posted.shift();
  return panel;
}

const postedTypes = (panel: StubWebviewPanel) => panel.webview.posted.map((m) => (m as { type: string }).type);

test('the upgrade command confirms once, then drives the engine events into the panel, the log view and the output', async () => {
  const { core, dispose } = setup();
  core.upgradeScript = async (engine) => emitHappyPath(engine);
  const panel = await openReadyPanel();
  __stub.messageAnswers.push((text: string, _items: string[], options: { modal?: boolean; detail?: string }) => {
    assert.match(text, /Upgrade the modem of the GPy on sim:GPy\?/);
    assert.equal(options.modal, true);
    assert.match(options.detail!, /Board: GPy \(firmware 1\.20\.2\.r6\)/);
    assert.match(options.detail!, /^\[ok\] +Firmware files present and readable: CATM1-41065\.dup/m);
    assert.match(options.detail!, /ON_THE_FLY/);
    assert.match(options.detail!, /plug it back in/);
    return 'Upgrade';
  });
  const session = (await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: ['/fw/CATM1-41065.dup'] })) as RunRecord;

  assert.equal(__stub.messages.filter((m) => (m.options as { modal?: boolean } | undefined)?.modal).length, 1, 'one modal confirmation');
  assert.deepEqual(core.upgradeRequests[0]!.files, ['/fw/CATM1-41065.dup']);
  assert.equal(core.engines[0]!.options.timeScale, 1 / 20, 'the simulator runs time-scaled');
  assert.equal(session.outcome, 'success');

  // Panel: the session header, then the live messages; wire chatter (AT) is not sent.
  const types = postedTypes(panel);
  assert.deepEqual(types.slice(0, 3), ['session', 'preflight', 'step'], 'the checks that let it start come first');
  assert.ok(types.includes('progress') && types.includes('modemInfo') && types.includes('result') && types.includes('plan'));
  assert.ok(!types.includes('at'));

  // The end: the new version and the power-cycle reminder.
  const final = __stub.messages[__stub.messages.length - 1]!;
  assert.match(final.message, /LR5\.1\.1\.0-41065 \(build 41065\)/);
  assert.match(final.message, /power-cycle the board/i);

  // Log view: session → steps → events (the AT exchange under the step it happened in).
  const tree = __stub.treeViews[0]!.options.treeDataProvider;
  const [sessionNode] = tree.getChildren() as LogNode[];
  assert.equal(tree.getTreeItem(sessionNode).label, session.title);
  const steps = tree.getChildren(sessionNode) as LogNode[];
  const labels = steps.map((s) => tree.getTreeItem(s).label);
  assert.ok(labels.includes('Send the firmware'));
  const general = steps.find((s) => s.kind === 'step' && s.group.step === 'general')!;
  const atNode = (tree.getChildren(general) as LogNode[]).find((n) => n.kind === 'event' && n.event.kind === 'at')!;
  assert.match(tree.getTreeItem(atNode).label, /AT\+SMOD\? → \\r\\n2\\r\\n|AT\+SMOD\? → 2/);

  // Output channel: AT at trace level, result at info.
  const channel = __stub.channels[0]!;
  assert.ok(channel.lines.some((l) => l.level === 'trace' && l.text.includes('AT+SMOD?')));
  assert.ok(channel.lines.some((l) => l.level === 'info' && l.text.includes('Result: success')));
  assert.equal(__stub.contexts.get('pycomModem.busy'), false);
  dispose();
});

test('a panel closed and reopened mid-upgrade replays the whole session once', async () => {
  const { core, dispose } = setup();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let isHalfway = false;
  core.upgradeScript = async (engine) => {
    emitHappyPath(engine, 0, 7);
    isHalfway = true;
    await gate;
    emitHappyPath(engine, 7);
  };
  __stub.messageAnswers.push('Upgrade');
  const running = __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: ['/fw/CATM1-41065.dup'] }) as Promise<unknown>;
  await until(() => isHalfway, 'the upgrade to be half way');
  const first = __stub.panels[0]!;
  assert.deepEqual(first.webview.posted, [], 'nothing is posted before the page is ready');
  first.dispose();

  const panel = await openReadyPanel();
  assert.equal(panel.webview.posted.length, 1);
  const replay = panel.webview.posted[0] as { type: string; messages: { type: string }[] };
  assert.equal(replay.type, 'replay');
  assert.deepEqual(
    replay.messages.map((m) => m.type),
    ['session', 'preflight', 'step', 'step', 'plan', 'modemInfo', 'step', 'progress'],
  );
  release();
  await running;
  const live = postedTypes(panel).slice(1);
  assert.deepEqual(live, ['progress', 'step', 'modemInfo', 'result']);
  dispose();
});

test('Cancel in the panel aborts the engine signal and the session ends cancelled', async () => {
  const { core, services, dispose } = setup();
  let isWaiting = false;
  core.upgradeScript = async (engine, _request, signal) => {
    emitHappyPath(engine, 0, 6);
    isWaiting = true;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    throw new OperationAbortedError(signal.reason);
  };
  const panel = await openReadyPanel();
  __stub.messageAnswers.push('Upgrade');
  const running = __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: ['/fw/a.dup'] }) as Promise<RunRecord>;
  await until(() => isWaiting, 'the engine to wait');
  assert.equal(__stub.contexts.get('pycomModem.busy'), true);
  panel.sendFromPage({ type: 'cancel', junk: 1 });
  const session = await running;
  assert.equal(session.outcome, 'cancelled');
  assert.equal(services.activeOperation, undefined);
  const result = panel.webview.posted.find((m) => (m as { type: string }).type === 'result') as { outcome: string };
  assert.equal(result.outcome, 'cancelled');
  dispose();
});

test('the progress notification Cancel also aborts the upgrade', async () => {
  const { core, dispose } = setup();
  let isWaiting = false;
  core.upgradeScript = async (_engine, _request, signal) => {
    isWaiting = true;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    throw new OperationAbortedError(signal.reason);
  };
  __stub.messageAnswers.push('Upgrade');
  const running = __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: ['/fw/a.dup'] }) as Promise<RunRecord>;
  await until(() => isWaiting, 'the engine to wait');
  __stub.progressRuns.find((r) => r.title?.startsWith('Upgrading'))!.tokenSource.cancel();
  assert.equal((await running).outcome, 'cancelled');
  dispose();
});

test('declining the confirmation runs nothing; bad files stop before the board is touched', async () => {
  const { core, dispose } = setup();
  __stub.messageAnswers.push(undefined);
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: ['/fw/a.dup'] });
  assert.equal(core.upgradeRequests.length, 0);

  core.fileChecks.set('/fw/tiny.dup', { problems: ['tiny.dup is only 12 bytes: too small to be modem firmware.'] });
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: ['/fw/tiny.dup'] });
  assert.equal(core.upgradeRequests.length, 0);
  assert.match(__stub.messages[__stub.messages.length - 1]!.message, /too small/);
  dispose();
});

test('a board without an LTE modem is refused with what to do', async () => {
  const { core, dispose } = setup();
  core.board = { name: 'LoPy4', firmwareVersion: '1.20.2', hasLteModem: false };
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: '/dev/ttyACM0', files: ['/fw/a.dup'] });
  assert.equal(core.upgradeRequests.length, 0);
  const last = __stub.messages[__stub.messages.length - 1]!;
  assert.equal(last.severity, 'error');
  assert.match(last.message, /LoPy4: it has no LTE modem/);
  dispose();
});

test('a modem known to sit in its recovery bootrom makes the command ask for updater.elf', async () => {
  const { core, services, dispose } = setup();
  const session = services.sessions.start({ kind: 'info', title: 'Modem info', portPath: '/dev/ttyACM0' });
  services.sessions.record(session, { kind: 'modemState', state: 0, atMs: 0 });
  __stub.openDialogAnswers.push([Uri.file('/fw/updater.elf') as never]);
  __stub.messageAnswers.push((_text: string, _items: string[], options: { detail: string }) => {
    // The board's FFH method loads updater.elf itself; the host then resumes in upgrade mode.
    assert.match(options.detail, /Expected: the board's FFH method loads updater\.elf into the modem before mirroring/);
    return 'Upgrade';
  });
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: '/dev/ttyACM0', files: ['/fw/CATM1-41065.dup'] });
  assert.equal(core.upgradeRequests[0]?.updaterPath, '/fw/updater.elf');
  assert.equal(core.engines[0]!.options.timeScale, 1, 'hardware runs in real time');
  dispose();
});

test('a failure shows the diagnosis action, and the report copies as Markdown with the crash dump', async () => {
  const { core, dispose } = setup();
  core.upgradeScript = async (engine) => {
    engine.events.emit({ kind: 'step', step: 'detect', title: 'Wake the modem and read its state', phase: 'fail', atMs: at() });
    engine.events.emit({
      kind: 'crashDump',
      dump: {
        declaredTotalLength: 12118,
        receivedLength: 98,
        isTruncated: true,
        buildString: '5.1.1.0 [33080] by robot-soft at 2017-10-27 07:49:11',
        build: 33080,
        file: 'l1DspReset.c',
        line: 96,
        message: "'LPU RIP: ` `",
        records: [],
        raw: new Uint8Array([0, 0, 0x2f, 0x56]),
        warnings: [],
      },
      atMs: at(),
    });
    engine.events.emit({
      kind: 'diagnosis',
      diagnosis: { cause: 'modem-silent', title: 'The modem did not answer', action: 'Unplug the board, plug it back in, retry.', evidence: ['no OK in 25 s'] },
      atMs: at(),
    });
    engine.events.emit({
      kind: 'result',
      outcome: 'failed',
      message: 'Upgrade failed: no answer',
      error: { code: 'timeout', message: 'no answer', action: 'Power-cycle', step: 'detect' },
      atMs: at(),
    });
  };
  __stub.messageAnswers.push('Upgrade', 'Copy Report');
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: ['/fw/a.dup'] });
  const error = __stub.messages.find((m) => m.severity === 'error')!;
  assert.match(error.message, /Unplug the board, plug it back in, retry\./);
  assert.match(error.message, /^Upgrade failed: no answer\. The modem crashed in l1DspReset\.c:96 \(build 33080\)/);
  const report = __stub.clipboard;
  assert.match(report, /^## Pycom LTE modem upgrade report/);
  assert.match(report, /\*\*Outcome:\*\* failed — Upgrade failed: no answer/);
  assert.match(report, /### Diagnosis: The modem did not answer/);
  assert.match(report, /\*\*What to do:\*\* Unplug the board, plug it back in, retry\./);
  assert.match(report, /Assertion at l1DspReset\.c, line 96/);
  assert.match(report, /98 of 12118 bytes, 0 records, truncated/);
  assert.match(report, /- Tool: extension .* \(VS Code /);
  assert.match(report, /\| a\.dup \| 5000000 \| /, 'the files with their sizes');
  assert.match(report, /- Model: GPy/);
  assert.match(report, /### Transcript \(last \d+ of \d+ lines\)/);
  dispose();
});

test('an engine that throws without a result event still ends the session as failed, diagnosed from the error', async () => {
  const { core, dispose } = setup();
  core.upgradeScript = async () => {
    throw new PortOpenError('/dev/ttyACM0', 'busy', 'in use', 'Close the other program.');
  };
  __stub.messageAnswers.push('Upgrade');
  const session = (await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: '/dev/ttyACM0', files: ['/fw/a.dup'] })) as RunRecord;
  assert.equal(session.outcome, 'failed');
  const result = session.events.find((e) => e.kind === 'result') as Extract<UpgradeEvent, { kind: 'result' }>;
  assert.equal(result.error?.code, 'port-open');
  // No engine diagnosis came: the glue runs the same rules over the error and the session.
  const diagnosis = session.events.find((e) => e.kind === 'diagnosis') as Extract<UpgradeEvent, { kind: 'diagnosis' }>;
  assert.equal(diagnosis.diagnosis.cause, 'port-busy');
  assert.match(__stub.messages.find((m) => m.severity === 'error')!.message, /\/dev\/ttyACM0 is held by another program\. Close the REPL terminal/);
  dispose();
});

test('a board-half failure shows the core\'s diagnosis once: in the session, the panel and at the top of the log view', async () => {
  const { core, dispose } = setup();
  core.upgradeScript = async (engine) => {
    engine.events.emit({ kind: 'step', step: 'board-connect', title: 'Connect to the board', phase: 'start', atMs: at() });
    engine.events.emit({ kind: 'step', step: 'board-connect', title: 'Connect to the board', phase: 'fail', detail: 'no prompt', atMs: at() });
    // As runFullUpgrade does: the core's diagnosis, then the result.
    const [diagnosis] = core.diagnoseSession([], new BoardSilentError('sim:GPy', 1500, 0));
    engine.events.emit({ kind: 'diagnosis', diagnosis: diagnosis!, atMs: at() });
    engine.events.emit({
      kind: 'result',
      outcome: 'failed',
      message: 'The board half of the upgrade failed; the modem was not touched.',
      error: { code: 'board-silent', message: 'The board did not answer at its REPL.', action: 'Reset the board.', step: 'board-connect' },
      atMs: at(),
    });
  };
  const panel = await openReadyPanel();
  __stub.messageAnswers.push('Upgrade');
  const session = (await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: ['/fw/a.dup'] })) as RunRecord;
  const diagnoses = session.events.filter((e) => e.kind === 'diagnosis');
  assert.equal(diagnoses.length, 1, 'the glue adds none of its own');
  const diagnosis = diagnoses[0] as Extract<UpgradeEvent, { kind: 'diagnosis' }>;
  assert.equal(diagnosis.diagnosis.cause, 'board-not-at-repl');
  const card = panel.webview.posted.find((m) => (m as { type: string }).type === 'diagnosis') as { cause: string; action: string };
  assert.equal(card.cause, 'board-not-at-repl');
  assert.match(card.action, /power-cycle it/);

  const tree = __stub.treeViews[0]!.options.treeDataProvider;
  const [sessionNode] = tree.getChildren() as LogNode[];
  const [first, ...rest] = tree.getChildren(sessionNode) as LogNode[];
  assert.equal(first!.kind, 'event');
  const item = tree.getTreeItem(first!);
  assert.equal(item.label, `Diagnosis: ${diagnosis.diagnosis.title}`);
  assert.match(String(item.tooltip), /What to do: A board left in mirror mode/);
  assert.match(String(item.tooltip), /Rule: board-not-at-repl/);
  for (const step of rest) {
    for (const child of tree.getChildren(step) as LogNode[]) assert.ok(child.kind !== 'event' || child.event.kind !== 'diagnosis', 'shown once');
  }
  dispose();
});

test('an interrupted upgrade is remembered per port; with the modem in state 4 the command offers to resume it with the same files', async () => {
  const { core, services, dispose } = setup();
  core.upgradeScript = async (engine, _request, signal) => {
    engine.events.emit({ kind: 'plan', path: 'on-the-fly', files: ['CATM1-41065.dup'], atMs: at() });
    engine.events.emit({ kind: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: at() });
    engine.events.emit({ kind: 'step', step: 'transfer', title: 'Send the firmware', phase: 'fail', detail: 'cable', atMs: at() });
    engine.events.emit({ kind: 'modemState', state: 4, atMs: at() });
    engine.events.emit({ kind: 'result', outcome: 'failed', message: 'Upgrade failed: port vanished', error: { code: 'port-closed', message: 'gone', action: 'Plug it back.' }, atMs: at() });
    void signal;
  };
  __stub.messageAnswers.push('Upgrade', undefined);
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: '/dev/ttyACM0', files: ['/fw/CATM1-41065.dup'], updaterPath: '/fw/updater.elf' });
  const remembered = await services.lastAttempts.get('/dev/ttyACM0');
  assert.equal(remembered?.outcome, 'failed');
  assert.equal(remembered?.modemStateAfter, 4);
  assert.deepEqual(remembered?.files, ['/fw/CATM1-41065.dup']);

  // Next run, no files given: the offer comes before any file dialog.
  core.upgradeScript = async (engine) => emitHappyPath(engine);
  __stub.quickPickAnswers.push((items: { label: string; description: string; detail: string }[]) => {
    assert.match(items[0]!.label, /Resume the interrupted upgrade/);
    assert.equal(items[0]!.description, 'CATM1-41065.dup');
    assert.match(items[0]!.detail, /upgrade mode/);
    return items[0];
  });
  __stub.messageAnswers.push('Upgrade', undefined);
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: '/dev/ttyACM0' });
  assert.equal(__stub.quickPicks.length, 1);
  assert.deepEqual(core.upgradeRequests[1]!.files, ['/fw/CATM1-41065.dup']);
  assert.equal(core.upgradeRequests[1]!.updaterPath, undefined, 'state 4 resumes without updater.elf');
  assert.equal((await services.lastAttempts.get('/dev/ttyACM0'))?.outcome, 'success');

  // After a success no resume is offered: the choice of firmware starts with the package.
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: '/dev/ttyACM0' });
  assert.equal(__stub.quickPicks.length, 2);
  const labels = __stub.quickPicks[1]!.items.map((item: { label: string }) => item.label);
  assert.match(labels[0]!, /Choose package…/);
  assert.ok(!labels.some((label: string) => /Resume/.test(label)), labels.join(' | '));
  dispose();
});

test('no resume offer when the modem is known to run its application (state 2)', async () => {
  const { services, dispose } = setup();
  await services.lastAttempts.save({ portPath: '/dev/ttyACM0', files: ['/fw/a.dup'], startedAt: new Date().toISOString(), outcome: 'running' });
  const info = services.sessions.start({ kind: 'info', title: 'Modem info', portPath: '/dev/ttyACM0' });
  services.sessions.record(info, { kind: 'modemState', state: 2, atMs: 0 });
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: '/dev/ttyACM0' });
  assert.equal(__stub.quickPicks.length, 1);
  assert.ok(!__stub.quickPicks[0]!.items.some((item: { label: string }) => /Resume/.test(item.label)));
  dispose();
});

test('a cancel tells one story: no doubled "Cancelled:", the toast and the panel both give the engine\'s resume hint', async () => {
  const { core, dispose } = setup();
  const resumeHint = 'The firmware transfer was interrupted part-way; the modem stays in upgrade mode. Run the same upgrade again: the tool resumes (state 4).';
  let isWaiting = false;
  core.upgradeScript = async (engine, _request, signal) => {
    isWaiting = true;
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    // Wrapped once more on its way up, as the engine does with the signal's reason.
    const error = new OperationAbortedError(signal.reason);
    engine.events.emit({
      kind: 'result',
      outcome: 'cancelled',
      message: error.message,
      error: { code: error.code, message: error.message, action: error.action },
      resumeHint,
      atMs: at(),
    });
    throw error;
  };
  const panel = await openReadyPanel();
  __stub.messageAnswers.push('Upgrade');
  const running = __stub.commands.get('pycomModem.upgradeModem')!({ portPath: '/dev/ttyACM0', files: ['/fw/a.dup'] }) as Promise<RunRecord>;
  await until(() => isWaiting, 'the engine to wait');
  await __stub.commands.get('pycomModem.cancelOperation')!();
  const session = await running;
  const result = session.events.find((e): e is Extract<UpgradeEvent, { kind: 'result' }> => e.kind === 'result')!;
  assert.equal(result.message, 'Cancelled by the user.');
  const posted = panel.webview.posted.find((m) => (m as { type: string }).type === 'result') as { action?: string; resumeHint?: string };
  assert.equal(posted.resumeHint, resumeHint);
  assert.equal(posted.action, undefined, 'no second, different advice next to the hint');
  const toast = __stub.messages.find((m) => /^Upgrade cancelled\./.test(m.message))!;
  assert.equal(toast.message, `Upgrade cancelled. ${resumeHint}`);
  assert.doesNotMatch(toast.message, /detects where the modem stands/);
  dispose();
});

test('OperationAbortedError says "Cancelled" once however often its reason was wrapped', () => {
  assert.equal(new OperationAbortedError(new OperationAbortedError('cancelled by the user')).message, 'Cancelled by the user.');
  assert.equal(new OperationAbortedError(new OperationAbortedError(new OperationAbortedError('timeout'))).message, 'Cancelled: timeout.');
  assert.equal(new OperationAbortedError().message, 'Cancelled.');
  assert.equal(new OperationAbortedError('the REPL terminal let go of the port').message, 'Cancelled: the REPL terminal let go of the port.');
});

test('on the simulated GPy the board is readied before identify and the upgrade, and a failure offers its power cycle', async () => {
  const { core, services, dispose } = setup();
  core.simulatorNeedsPowerCycle = true;
  core.upgradeScript = async () => {
    throw new PortOpenError('sim:GPy', 'busy', 'in use', 'Close the other program.');
  };
  const logged: string[] = [];
  const info = services.output.info.bind(services.output);
  (services.output as { info: (m: string) => void }).info = (message: string) => {
    logged.push(message);
    info(message);
  };
  __stub.messageAnswers.push('Upgrade');
  __stub.messageAnswers.push((_text: string, items: string[]) => {
    assert.ok(items.includes('Power-cycle Simulated GPy'), items.join(', '));
    return 'Power-cycle Simulated GPy';
  });
  const session = (await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: ['/fw/a.dup'] })) as RunRecord;
  assert.equal(session.outcome, 'failed');
  assert.deepEqual(core.readied, ['sim:GPy', 'sim:GPy'], 'before identify and before the upgrade');
  assert.equal(core.powerCycles, 2, 'once before identify (it was needed), once from the button');
  assert.ok(logged.includes('Simulated GPy power-cycled (a real board needs unplugging).'));
  dispose();
});

test('a simulated board that does not answer at its REPL is refused (never "ready"), and the refusal offers its power cycle', async () => {
  const { core, dispose } = setup();
  core.identifyBoard = async () => {
    throw new BoardSilentError('sim:GPy', 1500, 0);
  };
  let refusal: { text: string; items: string[]; detail: string } | undefined;
  __stub.messageAnswers.push((text: string, items: string[], options: { detail: string }) => {
    refusal = { text, items, detail: options.detail };
    return 'Power-cycle Simulated GPy';
  });
  const session = await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: 'sim:GPy', files: ['/fw/a.dup'] });
  assert.equal(session, undefined, 'nothing ran');
  assert.equal(core.upgradeRequests.length, 0);
  assert.match(refusal!.text, /^Cannot upgrade the modem on sim:GPy: The board did not answer at its REPL/);
  assert.match(refusal!.detail, /^\[FAIL\] Board has an LTE modem/m);
  assert.doesNotMatch(refusal!.detail, /ready to upgrade/);
  assert.ok(refusal!.items.includes('Power-cycle Simulated GPy'));
  assert.equal(core.powerCycles, 1, 'the button power-cycled the simulated board');
  dispose();
});
