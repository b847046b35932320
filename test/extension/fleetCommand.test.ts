import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { __stub } from '../support/vscodeStub';
import { OperationAbortedError } from '../../src/core/errors';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import type { FleetBoardOutcome } from '../../src/glue/modemCore';
import { activateWithFakeCore } from './fakeExtension';
import { until, versionReport } from './fakeCore';

beforeEach(() => __stub.reset());

const setup = () => activateWithFakeCore();

const at = () => Date.now();
const RUN = 'pycomModem.upgradeSeveralBoards';

function happyRun(emit: (event: UpgradeEvent) => void, before: number): void {
  emit({ kind: 'step', step: 'board-identify', title: 'Identify the board', phase: 'done', detail: 'GPy, firmware 1.20.2.r6', atMs: at() });
  emit({ kind: 'modemInfo', phase: 'before', report: versionReport(before), atMs: at() });
  emit({ kind: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: at() });
  emit({ kind: 'progress', step: 'transfer', fileIndex: 1, fileName: 'CATM1-41065.dup', bytesDone: 100, bytesTotal: 100, bytesPerSecond: 1, atMs: at() });
  emit({ kind: 'modemInfo', phase: 'after', report: versionReport(41065), atMs: at() });
  emit({ kind: 'result', outcome: 'success', message: 'Upgrade finished.', atMs: at() });
}

test('several boards: one picker with Pycom boards ticked, one preflight table, one confirmation; a board without LTE is skipped', async () => {
  const { core, services, dispose } = setup();
  core.ports = [
    { path: '/dev/ttyACM0', description: 'Pycom GPy', board: 'GPy', isLikelyPycom: true },
    { path: '/dev/ttyACM1', description: 'Pycom LoPy', board: 'LoPy', isLikelyPycom: true },
    { path: '/dev/ttyS0', description: 'Built-in serial', isLikelyPycom: false },
  ];
  core.boardsByPort.set('/dev/ttyACM1', { name: 'LoPy', firmwareVersion: '1.20.2.r6', hasLteModem: false });
  core.fleetScript = async (_board, emit) => {
    happyRun(emit, 38638);
    return { result: 'success', buildBefore: 38638, buildAfter: 41065 };
  };
  __stub.quickPickAnswers.push((items: { label: string; picked?: boolean; portPath?: string }[], options: { canPickMany?: boolean }) => {
    assert.equal(options.canPickMany, true);
    const ticked = items.filter((i) => i.picked).map((i) => i.portPath);
    assert.deepEqual(ticked, ['/dev/ttyACM0', '/dev/ttyACM1'], 'Pycom boards are ticked, the other port is not');
    assert.deepEqual(items.filter((i) => i.portPath?.startsWith('sim:')).map((i) => i.portPath), ['sim:GPy#1', 'sim:GPy#2', 'sim:GPy#3', 'sim:GPy#4']);
    return items.filter((i) => i.picked);
  });
  __stub.quickPickAnswers.push((items: { label: string }[]) => {
    assert.ok(!items.some((item) => /Use files on the board/.test(item.label)), 'the on-board methods go one board at a time');
    return items.find((item) => /Choose firmware files/.test(item.label));
  });
  __stub.openDialogAnswers.push([{ scheme: 'file', path: '/fw/CATM1-41065.dup', fsPath: '/fw/CATM1-41065.dup' } as never]);
  __stub.messageAnswers.push((text: string, _items: string[], options: { modal?: boolean; detail?: string }) => {
    assert.match(text, /Upgrade the modems of 1 of the 2 boards\? The others are skipped\./);
    assert.equal(options.modal, true);
    assert.match(options.detail!, /^\/dev\/ttyACM0 · GPy \(firmware 1\.20\.2\.r6\) — ready$/m);
    assert.match(options.detail!, /^\/dev\/ttyACM1 · LoPy \(firmware 1\.20\.2\.r6\) — skipped: a LoPy has no LTE modem$/m);
    assert.match(options.detail!, /CATM1-41065\.dup: CAT-M1 full image/);
    assert.match(options.detail!, /unplug each one and plug it back in/);
    return 'Upgrade';
  });
  const outcomes = (await __stub.commands.get(RUN)!()) as FleetBoardOutcome[];

  assert.equal(__stub.messages.filter((m) => (m.options as { modal?: boolean } | undefined)?.modal).length, 1, 'one confirmation for all');
  assert.deepEqual(core.fleetRequests[0]!.boards.map((b) => b.portPath), ['/dev/ttyACM0'], 'the skipped board never runs');
  assert.deepEqual(outcomes.map((o) => [o.portPath, o.result]), [['/dev/ttyACM0', 'success']]);
  const session = services.sessions.sessions.find((s) => s.portPath === '/dev/ttyACM0')!;
  assert.equal(session.outcome, 'success');
  assert.deepEqual(session.events[0]!.kind, 'preflight', 'the checks that let it start open its session');
  assert.equal((await services.lastAttempts.get('/dev/ttyACM0'))?.outcome, 'success', 'a last-attempt record per board');
  const final = __stub.messages.at(-1)!;
  assert.match(final.message, /1 of 2 boards upgraded, 1 skipped\. Power-cycle each upgraded board/);
  assert.equal(__stub.contexts.get('pycomModem.busy'), false);
  dispose();
});

test('each board runs on its own: one fails, one is cancelled alone from the panel, one succeeds; sessions and records per board', async () => {
  const { core, services, dispose } = setup();
  const started = new Set<string>();
  core.fleetScript = async (board, emit) => {
    started.add(board.portPath);
    if (board.portPath === 'sim:GPy#2') {
      emit({ kind: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: at() });
      emit({ kind: 'result', outcome: 'failed', message: 'Upgrade failed: the modem crashed', atMs: at() });
      return { result: 'failed', reason: 'the modem crashed' };
    }
    if (board.portPath === 'sim:GPy#3') {
      emit({ kind: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: at() });
      await new Promise<void>((resolve) => board.signal.addEventListener('abort', () => resolve(), { once: true }));
      assert.ok(board.signal.reason instanceof OperationAbortedError);
      emit({ kind: 'result', outcome: 'cancelled', message: 'Upgrade cancelled.', atMs: at() });
      return { result: 'cancelled', reason: 'Upgrade cancelled.' };
    }
    await until(() => started.has('sim:GPy#3'), 'board 3 to start');
    happyRun(emit, board.portPath === 'sim:GPy#2' ? 37746 : 38638);
    return { result: 'success', buildBefore: 38638, buildAfter: 41065 };
  };
  __stub.messageAnswers.push('Upgrade');
  await __stub.commands.get('pycomModem.openPanel')!();
  const panel = __stub.panels.at(-1)!;
  panel.sendFromPage({ type: 'ready' });
  const running = __stub.commands.get(RUN)!({ portPaths: ['sim:GPy#1', 'sim:GPy#2', 'sim:GPy#3'], files: ['/fw/CATM1-41065.dup'] }) as Promise<FleetBoardOutcome[]>;
  await until(() => started.has('sim:GPy#3'), 'board 3 to start');
  const request = core.fleetRequests[0]!;
  assert.equal(new Set(request.boards.map((b) => b.signal)).size, 3, 'a cancel switch per board');
  assert.ok(request.boards.every((b) => b.engine.timeScale < 1), 'simulated boards run on the simulated clock');
  panel.sendFromPage({ type: 'cancelBoard', portPath: 'sim:GPy#3' });
  const outcomes = await running;

  assert.deepEqual(
    outcomes.map((o) => [o.portPath, o.result]),
    [
      ['sim:GPy#1', 'success'],
      ['sim:GPy#2', 'failed'],
      ['sim:GPy#3', 'cancelled'],
    ],
  );
  assert.equal(request.boards[0]!.signal.aborted, false, 'cancelling one board leaves the others');
  const byPort = (portPath: string) => services.sessions.sessions.find((s) => s.portPath === portPath)!;
  assert.equal(byPort('sim:GPy#1').outcome, 'success');
  assert.equal(byPort('sim:GPy#2').outcome, 'failed');
  assert.ok(byPort('sim:GPy#2').events.some((e) => e.kind === 'diagnosis'), 'a failed board gets its diagnosis');
  assert.equal(byPort('sim:GPy#3').outcome, 'cancelled');
  assert.equal((await services.lastAttempts.get('sim:GPy#2'))?.outcome, 'failed');

  const fleetMessages = panel.webview.posted.filter((m) => (m as { type: string }).type === 'fleet') as { rows: { portPath: string; status: string; detail?: string }[] }[];
  const lastRows = fleetMessages.at(-1)!.rows;
  assert.deepEqual(lastRows.map((r) => [r.portPath, r.status]), [
    ['sim:GPy#1', 'success'],
    ['sim:GPy#2', 'failed'],
    ['sim:GPy#3', 'cancelled'],
  ]);
  assert.equal(lastRows[0]!.detail, '38638 → 41065');
  const final = __stub.messages.at(-1)!;
  assert.equal(final.severity, 'error');
  assert.match(final.message, /1 of 3 boards upgraded, 2 not\. sim:GPy#2: the modem crashed\. sim:GPy#3: Upgrade cancelled\./);
  dispose();
});

test('Cancel Modem Operation stops every board', async () => {
  const { core, dispose } = setup();
  let startedCount = 0;
  core.fleetScript = async (board, emit) => {
    startedCount++;
    await new Promise<void>((resolve) => board.signal.addEventListener('abort', () => resolve(), { once: true }));
    emit({ kind: 'result', outcome: 'cancelled', message: 'Upgrade cancelled.', atMs: at() });
    return { result: 'cancelled' };
  };
  __stub.messageAnswers.push('Upgrade');
  const running = __stub.commands.get(RUN)!({ portPaths: ['sim:GPy#1', 'sim:GPy#2'], files: ['/fw/CATM1-41065.dup'] }) as Promise<FleetBoardOutcome[]>;
  await until(() => startedCount === 2, 'both boards to start');
  await __stub.commands.get('pycomModem.cancelOperation')!();
  const outcomes = await running;
  assert.deepEqual(outcomes.map((o) => o.result), ['cancelled', 'cancelled']);
  dispose();
});

test('declining the confirmation changes nothing', async () => {
  const { core, services, dispose } = setup();
  __stub.messageAnswers.push(undefined);
  await __stub.commands.get(RUN)!({ portPaths: ['sim:GPy#1', 'sim:GPy#2'], files: ['/fw/CATM1-41065.dup'] });
  assert.equal(core.fleetRequests.length, 0);
  assert.equal(services.sessions.sessions.length, 0);
  dispose();
});

test('several boards from one package: each board chooses its own files once its modem is read; the table says so', async () => {
  const { core, services, dispose } = setup();
  __stub.quickPickAnswers.push((items: { label: string }[]) => items.find((item) => /Choose package…/.test(item.label)));
  __stub.openDialogAnswers.push([{ scheme: 'file', path: '/fw/CATM1-41065.zip', fsPath: '/fw/CATM1-41065.zip' } as never]);
  __stub.messageAnswers.push((text: string, _items: string[], options: { detail: string }) => {
    assert.match(text, /Upgrade the modems of 2 boards\?/);
    assert.match(options.detail, /^Package: CATM1-41065\.zip\. Each board gets the files for its own modem/m);
    assert.doesNotMatch(options.detail, /^Files:/m);
    return 'Upgrade';
  });
  await __stub.commands.get(RUN)!({ portPaths: ['sim:GPy#1', 'sim:GPy#2'] });
  const request = core.fleetRequests[0]!;
  assert.equal(request.packageSource, '/fw/CATM1-41065.zip');
  assert.deepEqual(request.files, []);
  assert.deepEqual((await services.lastAttempts.get('sim:GPy#2'))?.files, ['/fw/CATM1-41065.zip'], 'a resume picks from the package again');
  dispose();
});
