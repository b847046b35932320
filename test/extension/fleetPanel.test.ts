import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { __stub, Uri } from '../support/vscodeStub';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { parseHostToPanel, parsePanelToHost, type HostToPanel, type PanelFleetRow } from '../../src/shared/panelMessages';
import { FleetBoards } from '../../src/views/fleetBoards';
import { SessionLog } from '../../src/views/sessionLog';
import { UpgradePanelHost } from '../../src/views/upgradePanel';
import { initialPanelState, reducePanel, type PanelState } from '../../webview/panelState';
import { renderPanel, type PanelViewActions } from '../../webview/render';
import { patchChildren } from '../../webview/patchDom';
import { FakeElement, panelDocument } from './fakeDocument';

beforeEach(() => __stub.reset());

const step = (title: string, phase: 'start' | 'done' | 'waiting', extra: Partial<Extract<UpgradeEvent, { kind: 'step' }>> = {}): UpgradeEvent => ({
  kind: 'step',
  step: 'transfer',
  title,
  phase,
  atMs: 0,
  ...extra,
});
const progress = (done: number, total: number): UpgradeEvent => ({
  kind: 'progress',
  step: 'transfer',
  fileIndex: 1,
  fileName: 'CATM1-41065.dup',
  bytesDone: done,
  bytesTotal: total,
  bytesPerSecond: 80_000,
  atMs: 0,
});

test('a board row follows its own events: board name, step, percent, waits that must not be interrupted, result', () => {
  const fleet = new FleetBoards('Upgrade', ['sim:GPy#1', 'sim:GPy#2']);
  let changes = 0;
  fleet.changes.on(() => changes++);
  fleet.apply('sim:GPy#1', { kind: 'step', step: 'board-identify', title: 'Identify the board', phase: 'done', detail: 'GPy, firmware 1.20.2.r6', atMs: 0 });
  fleet.apply('sim:GPy#1', step('Send the firmware', 'start'));
  for (let done = 0; done <= 1000; done += 1) fleet.apply('sim:GPy#1', progress(done, 1000));
  assert.ok(changes <= 2 + 101, `a change per percent, not per event (${changes})`);
  assert.deepEqual(fleet.row('sim:GPy#1'), { portPath: 'sim:GPy#1', status: 'running', board: 'GPy', step: 'Send the firmware', percent: 100 });
  assert.deepEqual(fleet.row('sim:GPy#2'), { portPath: 'sim:GPy#2', status: 'queued' }, 'the other board is untouched');

  const wait = { what: 'Waiting for the modem to finish writing its flash', elapsedMs: 130_000, normalMs: 600_000, budgetMs: 600_000, isSafeToInterrupt: false };
  fleet.apply('sim:GPy#1', step('Wait for the modem', 'waiting', { step: 'await-upgrade', wait }));
  const waiting = fleet.row('sim:GPy#1')!;
  assert.equal(waiting.isUnsafeToInterrupt, true);
  assert.match(waiting.detail!, /2 min 10 s \(up to 10 min is normal\) — do not unplug or cancel/);
  fleet.apply('sim:GPy#1', step('Wait for the modem', 'done', { step: 'await-upgrade' }));
  assert.equal(fleet.row('sim:GPy#1')!.isUnsafeToInterrupt, undefined, 'the warning ends with the wait');

  fleet.apply('sim:GPy#1', { kind: 'result', outcome: 'success', message: 'Upgrade finished.', atMs: 0 });
  fleet.finish({ portPath: 'sim:GPy#1', result: 'success', buildBefore: 38638, buildAfter: 41065 });
  assert.equal(fleet.row('sim:GPy#1')!.status, 'success');
  assert.equal(fleet.row('sim:GPy#1')!.detail, '38638 → 41065');
  fleet.apply('sim:GPy#1', step('late', 'start'));
  assert.equal(fleet.row('sim:GPy#1')!.status, 'success', 'an ended row does not move again');

  fleet.finish({ portPath: 'sim:GPy#2', result: 'skipped', reason: 'the modem runs NB-IoT' });
  assert.deepEqual(fleet.row('sim:GPy#2'), { portPath: 'sim:GPy#2', status: 'skipped', detail: 'the modem runs NB-IoT' });
  assert.equal(fleet.isUnderWay, false);
});

test('fleet messages are checked like every other: bad rows and foreign actions are dropped', () => {
  const row: PanelFleetRow = { portPath: 'sim:GPy#1', status: 'running', percent: 42 };
  assert.ok(parseHostToPanel({ type: 'fleet', title: 'x', rows: [row] }));
  assert.equal(parseHostToPanel({ type: 'fleet', title: 'x', rows: [{ ...row, percent: 101 }] }), undefined);
  assert.equal(parseHostToPanel({ type: 'fleet', title: 'x', rows: [{ ...row, status: 'exploded' }] }), undefined);
  assert.equal(parseHostToPanel({ type: 'fleet', title: 'x', rows: [{ ...row, isUnsafeToInterrupt: 'yes' }] }), undefined);
  assert.deepEqual(parsePanelToHost({ type: 'cancelBoard', portPath: '/dev/ttyACM1', extra: 1 }), { type: 'cancelBoard', portPath: '/dev/ttyACM1' });
  assert.equal(parsePanelToHost({ type: 'cancelBoard' }), undefined);
  assert.equal(parsePanelToHost({ type: 'showBoard', portPath: 7 }), undefined);
});

function actions(log: string[]): PanelViewActions {
  return {
    cancel: () => log.push('cancel'),
    copyReport: () => log.push('copyReport'),
    openTranscript: () => log.push('openTranscript'),
    toggleHex: () => log.push('toggleHex'),
    cancelBoard: (portPath) => log.push(`cancelBoard ${portPath}`),
    showBoard: (portPath) => log.push(`showBoard ${portPath}`),
  };
}

const fleetMessage = (rows: PanelFleetRow[]): HostToPanel => ({ type: 'fleet', title: 'Upgrade CATM1-41065.dup on 3 boards', rows });
const sessionOf = (id: string, portPath: string): HostToPanel => ({ type: 'session', sessionId: id, title: 'Upgrade', portPath, startedAtMs: 0 });
const ROWS: PanelFleetRow[] = [
  { portPath: 'sim:GPy#1', sessionId: 's1', status: 'running', board: 'GPy', step: 'Send the firmware', percent: 40 },
  { portPath: 'sim:GPy#2', sessionId: 's2', status: 'failed', board: 'GPy', detail: 'The modem crashed' },
  { portPath: '/dev/ttyUSB0', status: 'skipped', detail: 'a LoPy has no LTE modem' },
];

test('the panel shows a row per board; Cancel stops that board, Details shows its session, Cancel All stops every board', () => {
  const log: string[] = [];
  const state = [fleetMessage(ROWS), sessionOf('s1', 'sim:GPy#1')].reduce(reducePanel, initialPanelState);
  const root = renderPanel(state, panelDocument, actions(log)) as unknown as FakeElement;
  const rows = root.findAll((e) => e.tagName === 'tr' && (e.getAttribute('class') ?? '').startsWith('fleet-row'));
  assert.deepEqual(rows.map((r) => r.getAttribute('data-key')), ['fleet-sim:GPy#1', 'fleet-sim:GPy#2', 'fleet-/dev/ttyUSB0']);
  assert.equal(rows[0]!.getAttribute('aria-current'), 'true', 'the board shown below is marked');
  assert.equal(rows[0]!.find((e) => e.tagName === 'progress')!.getAttribute('value'), '40');
  assert.match(rows[1]!.textContent, /failed.*The modem crashed/);
  assert.match(rows[2]!.textContent, /skipped.*a LoPy has no LTE modem/);
  const buttonsOf = (row: FakeElement) => row.findAll((e) => e.tagName === 'vscode-button');
  assert.deepEqual(buttonsOf(rows[0]!).map((b) => b.textContent), ['Cancel'], 'the shown board has no Details');
  assert.deepEqual(buttonsOf(rows[1]!).map((b) => b.textContent), ['Details'], 'an ended board cannot be cancelled');
  assert.deepEqual(buttonsOf(rows[2]!).map((b) => b.textContent), [], 'a skipped board never ran');
  buttonsOf(rows[0]!)[0]!.click();
  buttonsOf(rows[1]!)[0]!.click();
  root.find((e) => e.getAttribute('data-key') === 'cancel-all')!.click();
  // The session's own Cancel, under the board's steps, stops that board only.
  root.find((e) => e.getAttribute('data-key') === 'cancel-shown-sim:GPy#1')!.click();
  assert.deepEqual(log, ['cancelBoard sim:GPy#1', 'showBoard sim:GPy#2', 'cancel', 'cancelBoard sim:GPy#1']);
  assert.match(root.textContent, /1 of 3 under way/);

  const unkeyed = root.findAll((e) => e.listeners.size > 0 && e.getAttribute('data-key') === null);
  assert.deepEqual(unkeyed.map((e) => e.textContent), [], 'every element with a listener is keyed');
});

test('switching the board shown never leaves a Cancel bound to the previous board', () => {
  const log: string[] = [];
  const root = new FakeElement('main');
  const show = (state: PanelState) => patchChildren(root as unknown as Element, [renderPanel(state, panelDocument, actions(log))]);
  const running = ROWS.map((row) => ({ ...row, status: 'running' as const, sessionId: row.sessionId ?? 's3' }));
  let state = [fleetMessage(running), sessionOf('s1', 'sim:GPy#1')].reduce(reducePanel, initialPanelState);
  show(state);
  state = reducePanel(state, sessionOf('s2', 'sim:GPy#2'));
  assert.ok(state.fleet, 'the table stays when the session shown changes');
  show(state);
  root.find((e) => (e.getAttribute('data-key') ?? '').startsWith('cancel-shown-'))!.click();
  assert.deepEqual(log, ['cancelBoard sim:GPy#2']);
  state = reducePanel(state, { type: 'fleet', title: '', rows: [] });
  assert.equal(state.fleet, undefined, 'no rows: the table goes');
});

test('the host keeps the fleet on screen: boards starting together do not steal the view, Details replays a board, Cancel is only for its boards', () => {
  const sessions = new SessionLog();
  const cancelled: string[] = [];
  const host = new UpgradePanelHost(Uri.file('/ext') as never, sessions, {
    cancel: () => void cancelled.push('all'),
    cancelBoard: (portPath) => void cancelled.push(portPath),
    copyReport() {},
    openTranscript() {},
  });
  host.show();
  const panel = __stub.panels.at(-1)!;
  panel.sendFromPage({ type: 'ready' });
  panel.webview.posted.length = 0;
  const fleet = new FleetBoards('Upgrade on 2 boards', ['sim:GPy#1', 'sim:GPy#2']);
  host.showFleet(fleet);
  const first = sessions.start({ kind: 'upgrade', title: 'Upgrade', portPath: 'sim:GPy#1' });
  fleet.update('sim:GPy#1', { sessionId: first.id, status: 'running' });
  const second = sessions.start({ kind: 'upgrade', title: 'Upgrade', portPath: 'sim:GPy#2' });
  fleet.update('sim:GPy#2', { sessionId: second.id, status: 'running' });
  sessions.record(second, { kind: 'log', level: 'info', message: 'board 2 talks', atMs: 0 });
  const posted = panel.webview.posted as HostToPanel[];
  assert.deepEqual(
    posted.filter((m) => m.type === 'session').map((m) => (m as { portPath: string }).portPath),
    ['sim:GPy#1'],
    'the first board stays shown',
  );
  assert.ok(!posted.some((m) => m.type === 'log'), "another board's lines do not reach the page");
  assert.equal((posted.filter((m) => m.type === 'fleet').at(-1) as { rows: PanelFleetRow[] }).rows.length, 2);

  posted.length = 0;
  panel.sendFromPage({ type: 'showBoard', portPath: 'sim:GPy#2' });
  const replay = posted[0] as Extract<HostToPanel, { type: 'replay' }>;
  assert.deepEqual(replay.messages.map((m) => m.type), ['fleet', 'session', 'log'], 'the rows first, then the board asked for');

  panel.sendFromPage({ type: 'cancelBoard', portPath: 'sim:GPy#2' });
  panel.sendFromPage({ type: 'cancelBoard', portPath: '/dev/ttyS0' });
  assert.deepEqual(cancelled, ['sim:GPy#2'], 'a port outside the fleet is ignored');

  // A single-board job afterwards ends the fleet's table.
  posted.length = 0;
  sessions.start({ kind: 'upgrade', title: 'Upgrade', portPath: 'sim:GPy' });
  assert.deepEqual(posted.map((m) => m.type), ['fleet', 'session']);
  assert.deepEqual((posted[0] as { rows: unknown[] }).rows, []);
  host.dispose();
});
