import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HostToPanel } from '../../src/shared/panelMessages';
import { initialPanelState, reducePanel, MAX_RATE_SAMPLES, type PanelState } from '../../webview/panelState';
import { renderPanel, type PanelViewActions } from '../../webview/render';
import { rateChartGeometry } from '../../webview/rateChart';
import { formatHexDump } from '../../webview/format';
import { FakeElement, panelDocument } from './fakeDocument';

const ATTACK = `<img src=x onerror="globalThis.pwned=1">`;

function actions(log: string[] = []): PanelViewActions {
  return {
    cancel: () => log.push('cancel'),
    copyReport: () => log.push('copyReport'),
    openTranscript: () => log.push('openTranscript'),
    toggleHex: () => log.push('toggleHex'),
  };
}

const session: HostToPanel = { type: 'session', sessionId: 's1', title: 'Upgrade CATM1-41065.dup', portPath: '/dev/ttyACM0', startedAtMs: 0 };

function stateFrom(...messages: HostToPanel[]): PanelState {
  return messages.reduce(reducePanel, initialPanelState);
}

function render(state: PanelState, log?: string[]): FakeElement {
  return renderPanel(state, panelDocument, actions(log)) as unknown as FakeElement;
}

test('device text in a crash dump stays text: no element is made from it', () => {
  const state = stateFrom(
    session,
    {
      type: 'crashDump',
      dump: {
        buildString: ATTACK,
        file: ATTACK,
        line: 96,
        message: ATTACK,
        isTruncated: true,
        rawHex: '3c696d673e',
        warnings: [ATTACK],
      },
    },
    { type: 'log', level: 'error', message: ATTACK, atMs: 1 },
    { type: 'diagnosis', cause: 'c', title: ATTACK, action: ATTACK, evidence: [ATTACK] },
    { type: 'preflight', isReady: true, checks: [{ id: 'i', title: ATTACK, status: 'warn', detail: ATTACK, action: ATTACK }] },
    { type: 'result', outcome: 'failed', message: ATTACK, action: ATTACK },
  );
  const root = render({ ...state, isHexShown: true });
  assert.equal(root.find((e) => e.tagName === 'img'), undefined);
  for (const element of root.walk()) {
    for (const name of element.attributes.keys()) assert.doesNotMatch(name, /^on/i);
  }
  // The text is there, verbatim, as text.
  assert.ok(root.textContent.split(ATTACK).length - 1 >= 9, 'the attack string should appear as text');
  assert.equal((globalThis as { pwned?: number }).pwned, undefined);
});

test('no webview source writes markup (innerHTML, outerHTML, insertAdjacentHTML, document.write)', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });
  const offenders = files('webview').filter((file) =>
    /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment/.test(readFileSync(file, 'utf8')),
  );
  assert.deepEqual(offenders, []);
});

test('the empty panel says what to do once the host answered, and nothing before', () => {
  const waiting = render(initialPanelState);
  assert.doesNotMatch(waiting.textContent, /No modem session/, 'a fresh page does not claim there is no session before the host answered');
  const answered = render(reducePanel(initialPanelState, { type: 'replay', messages: [] }));
  assert.match(answered.textContent, /No modem session/);
  assert.match(answered.textContent, /Upgrade Modem/);
});

test('steps keep their order and last phase; the running one shows a progress ring', () => {
  const state = stateFrom(
    session,
    { type: 'step', step: 'detect', title: 'Wake the modem', phase: 'start', atMs: 0 },
    { type: 'step', step: 'detect', title: 'Wake the modem', phase: 'done', atMs: 1500 },
    { type: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: 2000 },
  );
  assert.deepEqual(
    state.steps.map((s) => [s.step, s.phase]),
    [
      ['detect', 'done'],
      ['transfer', 'start'],
    ],
  );
  const root = render(state);
  const items = root.findAll((e) => e.tagName === 'li');
  assert.equal(items.length, 2);
  assert.equal(items[0]!.getAttribute('class'), 'step phase-done');
  assert.ok(items[1]!.find((e) => e.getAttribute('role') === 'progressbar'));
  assert.equal(items[0]!.find((e) => e.getAttribute('role') === 'progressbar'), undefined);
});

test('progress shows bytes, percent, rate, ETA and a chart; a new file restarts the chart', () => {
  const progress = (fileIndex: number, bytesDone: number, atMs: number): HostToPanel => ({
    type: 'progress',
    step: 'transfer',
    fileIndex,
    fileName: `f${fileIndex}.dup`,
    bytesDone,
    bytesTotal: 1_000_000,
    bytesPerSecond: 50_000,
    etaMs: 65_000,
    atMs,
  });
  let state = stateFrom(session, progress(1, 250_000, 1000), progress(1, 500_000, 2000));
  assert.equal(state.transfer?.samples.length, 2);
  const root = render(state);
  const text = root.textContent;
  assert.match(text, /250\.0 kB|500\.0 kB/);
  assert.match(text, /50 %/);
  assert.match(text, /50\.0 kB\/s/);
  assert.match(text, /1:05/);
  assert.ok(root.find((e) => e.tagName === 'svg'));
  assert.equal(root.find((e) => e.tagName === 'progress')?.getAttribute('value'), '500000');
  state = reducePanel(state, progress(2, 1000, 3000));
  assert.equal(state.transfer?.samples.length, 1);
});

test('the rate samples stay bounded over a long transfer', () => {
  let state = stateFrom(session);
  for (let i = 0; i < 5000; i++) {
    state = reducePanel(state, {
      type: 'progress',
      step: 'transfer',
      fileIndex: 1,
      fileName: 'f',
      bytesDone: i,
      bytesTotal: 5000,
      bytesPerSecond: 1000 + i,
      atMs: i,
    });
  }
  const samples = state.transfer!.samples;
  assert.ok(samples.length <= MAX_RATE_SAMPLES);
  assert.equal(samples[samples.length - 1]!.atMs, 4999, 'the newest sample is kept');
  assert.ok(samples[0]!.atMs < 100, 'the span from the start is kept');
});

test('rate chart geometry spans the box and peaks at the top margin', () => {
  const g = rateChartGeometry(
    [
      { atMs: 0, bytesPerSecond: 0 },
      { atMs: 500, bytesPerSecond: 100 },
      { atMs: 1000, bytesPerSecond: 50 },
    ],
    300,
    90,
  );
  assert.equal(g.maxBytesPerSecond, 100);
  assert.equal(g.linePath, 'M0.0,90.0 L150.0,14.0 L300.0,52.0');
  assert.match(g.areaPath, /Z$/);
  assert.equal(rateChartGeometry([]).linePath, '');
});

test('buttons post the right actions; Cancel only while running', () => {
  const log: string[] = [];
  const running = render(stateFrom(session), log);
  const buttons = running.findAll((e) => e.tagName === 'vscode-button');
  buttons.find((b) => b.textContent === 'Cancel')!.click();
  buttons.find((b) => b.textContent === 'Copy Diagnostic Report')!.click();
  assert.deepEqual(log, ['cancel', 'copyReport']);
  const finished = render(stateFrom(session, { type: 'result', outcome: 'success', message: 'done', transcriptPath: '/t.txt' }));
  const labels = finished.findAll((e) => e.tagName === 'vscode-button').map((b) => b.textContent);
  assert.ok(!labels.includes('Cancel'));
  assert.ok(labels.includes('Open Transcript'));
  assert.match(finished.textContent, /Power-cycle the board/);
});

test('modem versions before and after show side by side', () => {
  const info = (lr: string, build: number) => ({ lr, build, kind: 'CAT-M1', bootloaders: ['Bootloader0: 5.1.1.0 [33080]'], needsRecoveryBootromUpgrade: true });
  const root = render(
    stateFrom(session, { type: 'modemInfo', phase: 'before', info: info('LR5.1.1.0-33080', 33080) }, { type: 'modemInfo', phase: 'after', info: info('LR5.1.1.0-41065', 41065) }),
  );
  const text = root.textContent;
  assert.match(text, /LR5\.1\.1\.0-33080/);
  assert.match(text, /LR5\.1\.1\.0-41065/);
  assert.match(text, /33080 bootrom/);
  assert.ok(root.find((e) => e.tagName === 'vscode-data-grid'));
});

test('a replay rebuilds the same state as the live messages did', () => {
  const messages: HostToPanel[] = [
    session,
    { type: 'step', step: 'detect', title: 'Wake', phase: 'start', atMs: 0 },
    { type: 'log', level: 'info', message: 'hello', atMs: 1 },
    { type: 'result', outcome: 'cancelled', message: 'stopped' },
  ];
  const live = stateFrom(...messages);
  const replayed = reducePanel({ ...initialPanelState, logs: [{ level: 'info', message: 'stale', atMs: 0 }] }, { type: 'replay', messages });
  assert.deepEqual(replayed, live);
});

test('hex dump shows offsets and 16 bytes a line', () => {
  const hex = '00'.repeat(17);
  assert.equal(formatHexDump(hex), `000000  ${Array(16).fill('00').join(' ')}\n000010  00`);
});

test('the preflight card lists the checks that ran, with what to do unless they passed, and the verdict', () => {
  const state = stateFrom(session, {
    type: 'preflight',
    isReady: true,
    checks: [
      { id: 'files-readable', title: 'Firmware files present and readable', status: 'pass', detail: 'CATM1-41065.dup (5.6 MiB)', action: 'unused' },
      { id: 'old-bootrom', title: 'Bootrom needs the recovery method?', status: 'warn', detail: 'old 33080 bootrom', action: 'Add updater.elf.' },
      { id: 'flash-space', title: 'Room on /flash', status: 'skip', detail: 'no updater.elf' },
    ],
  });
  const card = render(state).find((e) => e.getAttribute('class') === 'card preflight')!;
  assert.ok(card, 'a preflight card');
  assert.match(card.textContent, /^Preflight ready/);
  const items = card.findAll((e) => e.tagName === 'li');
  assert.deepEqual(items.map((li) => li.getAttribute('class')), ['check status-pass', 'check status-warn']);
  assert.match(items[1]!.textContent, /Bootrom needs the recovery method\?: old 33080 bootromAdd updater\.elf\./);
  assert.doesNotMatch(items[0]!.textContent, /unused/);
});

test('after a failure the result, the diagnoses and the crash dump span the width above the two columns', () => {
  const state = stateFrom(
    session,
    { type: 'step', step: 'board-connect', title: 'Connect to the board', phase: 'done', atMs: 1 },
    { type: 'step', step: 'transfer', title: 'Send the firmware', phase: 'fail', detail: 'no reply', atMs: 2 },
    { type: 'crashDump', dump: { file: 'lte_fw.c', line: 96, message: 'assert', isTruncated: false, rawHex: '00', warnings: [] } },
    { type: 'diagnosis', cause: 'modem-crashed', title: 'The modem crashed', action: 'Power-cycle.', evidence: ['crash in lte_fw.c'] },
    { type: 'diagnosis', cause: 'band-8', title: 'About band 8', action: 'Nothing to do.', evidence: [] },
    { type: 'log', level: 'error', message: 'failed', atMs: 3 },
    { type: 'result', outcome: 'failed', message: 'Upgrade failed', action: 'Power-cycle.' },
  );
  const root = render(state);
  const top = root.children.filter((c): c is FakeElement => c instanceof FakeElement).map((c) => c.getAttribute('class') ?? c.tagName);
  assert.deepEqual(top, ['h1', 'subtitle', 'toolbar', 'card result-failed', 'findings', 'layout']);
  const [findings, layout] = [root.find((e) => e.getAttribute('class') === 'findings')!, root.find((e) => e.getAttribute('class') === 'layout')!];
  const cardsIn = (element: FakeElement) => [...element.walk()].flatMap((e) => (e !== element && /^card/.test(e.getAttribute('class') ?? '') ? [e.getAttribute('class')] : []));
  assert.deepEqual(cardsIn(findings), ['card diagnosis', 'card diagnosis', 'card crash']);
  assert.ok(!cardsIn(layout).some((c) => /diagnosis|crash/.test(c ?? '')), 'no finding is left in a column');
  const columns = layout.children.filter((c): c is FakeElement => c instanceof FakeElement);
  assert.deepEqual(columns.map((c) => c.getAttribute('class')), ['column', 'column']);
  assert.ok(columns.every((c) => c.children.length > 0), 'neither column is empty');

  // A run without findings has no findings block.
  const plain = render(stateFrom(session, { type: 'step', step: 'board-connect', title: 'Connect to the board', phase: 'start', atMs: 1 }));
  assert.equal(plain.find((e) => e.getAttribute('class') === 'findings'), undefined);
});

test('the panel stylesheet lays the findings out full width and keeps the columns from overflowing', () => {
  const css = readFileSync('media/panel.css', 'utf8');
  assert.match(css, /\.findings\s*\{[^}]*display:\s*grid/);
  assert.match(css, /\.findings > \.crash\s*\{[^}]*grid-column:\s*1 \/ -1/);
  assert.match(css, /\.layout > \.column\s*\{[^}]*min-width:\s*0/);
});

test('a long wait shows as a wait: elapsed, what is normal, and "do not unplug" while the modem may write its flash', () => {
  const wait = { what: 'Waiting for the modem to finish writing its flash', elapsedMs: 130_000, normalMs: 600_000, budgetMs: 2_100_000, isSafeToInterrupt: false };
  const waiting = stateFrom(
    session,
    { type: 'step', step: 'await-upgrade', title: 'Wait for the modem to finish upgrading', phase: 'start', atMs: 0 },
    { type: 'step', step: 'await-upgrade', title: 'Wait for the modem to finish upgrading', phase: 'waiting', wait, atMs: 130_000 },
  );
  const card = render(waiting).find((e) => (e.getAttribute('class') ?? '').startsWith('card wait'));
  assert.ok(card, 'a wait card');
  assert.equal(card.getAttribute('class'), 'card wait unsafe');
  assert.equal(card.getAttribute('role'), 'status');
  const text = card.textContent;
  assert.match(text, /Waiting for the modem to finish writing its flash/);
  assert.match(text, /2 min 10 s so far; up to 10 min is normal\./);
  assert.match(text, /Do not unplug the board or cancel/);

  // Past the normal pause the panel says how long the tool keeps waiting.
  const long = stateFrom(
    session,
    { type: 'step', step: 'await-upgrade', title: 'Wait', phase: 'waiting', wait: { ...wait, elapsedMs: 660_000 }, atMs: 660_000 },
  );
  assert.match(render(long).find((e) => (e.getAttribute('class') ?? '').startsWith('card wait'))!.textContent, /keeps waiting up to 35 min before it reports a failure/);

  // The step moves on: the wait is over and its card goes.
  const done = reducePanel(waiting, { type: 'step', step: 'await-upgrade', title: 'Wait', phase: 'done', atMs: 700_000 });
  assert.equal(render(done).find((e) => (e.getAttribute('class') ?? '').startsWith('card wait')), undefined);
});
