import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HostToPanel } from '../../src/shared/panelMessages';
import { initialPanelState, reducePanel, MAX_RATE_SAMPLES, type PanelState } from '../../webview/panelState';
import { renderPanel, type PanelViewActions } from '../../webview/render';
import { rateChartGeometry } from '../../webview/rateChart';
import { formatHexDump } from '../../webview/format';
import { patchChildren } from '../../webview/patchDom';
import { FakeElement, FakeText, panelDocument } from './fakeDocument';
import { progressAt } from './panelFixtures';

const ATTACK = `<img src=x onerror="globalThis.pwned=1">`;

function actions(log: string[] = []): PanelViewActions {
  return {
    cancel: () => log.push('cancel'),
    copyReport: () => log.push('copyReport'),
    openTranscript: () => log.push('openTranscript'),
    toggleHex: () => log.push('toggleHex'),
    cancelBoard: (portPath: string) => log.push(`cancelBoard ${portPath}`),
    showBoard: (portPath: string) => log.push(`showBoard ${portPath}`),
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
  const replayed = reducePanel({ ...initialPanelState, logs: [{ seq: 1, level: 'info', message: 'stale', atMs: 0 }] }, { type: 'replay', messages });
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

// In-place updates (webview/patchDom.ts): what main.ts does on each message, on the fake DOM.


/** A live page: a root that render output is patched into, as main.ts does. */
function livePage(log: string[] = []) {
  const root = new FakeElement('main');
  return {
    root,
    show(state: PanelState) {
      patchChildren(root as unknown as Element, [renderPanel(state, panelDocument, actions(log))]);
      return root;
    },
  };
}

const byKey = (root: FakeElement, key: string) => root.find((e) => e.getAttribute('data-key') === key);

test('progress frames patch the page in place: Cancel, the step rows and the log lines keep their nodes and text', () => {
  let state = stateFrom(
    session,
    { type: 'step', step: 'detect', title: 'Wake the modem', phase: 'done', atMs: 0 },
    { type: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: 1 },
    { type: 'log', level: 'info', message: 'STP data phase: CATM1-41065.dup', atMs: 2 },
    progressAt(1000),
  );
  const page = livePage();
  const root = page.show(state);
  const cancel = byKey(root, 'cancel')!;
  const stepRow = byKey(root, 'step-transfer')!;
  const logLine = root.find((e) => e.getAttribute('class') === 'log')!.children[0] as FakeElement;
  const logText = logLine.children[0] as FakeText;
  const progress = root.find((e) => e.tagName === 'progress')!;
  for (let i = 2; i <= 21; i++) {
    state = reducePanel(state, progressAt(i * 1000));
    page.show(state);
  }
  assert.equal(byKey(root, 'cancel'), cancel);
  assert.equal(byKey(root, 'step-transfer'), stepRow);
  assert.equal(root.find((e) => e.tagName === 'progress'), progress, 'the bar itself is kept');
  assert.equal(progress.getAttribute('value'), '21000');
  assert.match(root.textContent, /21\.0 kB of 100\.0 kB/);
  assert.equal(root.find((e) => e.getAttribute('class') === 'log')!.children[0], logLine);
  assert.equal(logText.writes, 0, 'unchanged text is never rewritten (a rewrite drops a selection)');

  // A step moving on keeps its row; its class and aria-current follow.
  state = reducePanel(state, { type: 'step', step: 'transfer', title: 'Send the firmware', phase: 'done', atMs: 30_000 });
  page.show(state);
  assert.equal(byKey(root, 'step-transfer'), stepRow);
  assert.equal(stepRow.getAttribute('class'), 'step phase-done');
  assert.equal(stepRow.getAttribute('aria-current'), null);
  assert.equal(stepRow.find((e) => e.getAttribute('role') === 'progressbar'), undefined, 'the spinner went');
});

test('a card coming or going keeps the rest: the log survives a wait card, and kept log lines survive older ones dropping off', () => {
  let state = stateFrom(session, { type: 'step', step: 'await-upgrade', title: 'Wait', phase: 'start', atMs: 0 });
  for (let i = 0; i < 100; i++) state = reducePanel(state, { type: 'log', level: 'info', message: `line ${i}`, atMs: i });
  const page = livePage();
  const root = page.show(state);
  const layout = root.find((e) => e.getAttribute('class') === 'layout')!;
  const line99 = root.find((e) => e.textContent === 'line 99' && e.tagName === 'div')!;
  const wait = { what: 'Waiting for the modem', elapsedMs: 1000, normalMs: 60_000, budgetMs: 120_000, isSafeToInterrupt: false };
  state = reducePanel(state, { type: 'step', step: 'await-upgrade', title: 'Wait', phase: 'waiting', wait, atMs: 1000 });
  page.show(state);
  assert.ok(byKey(root, 'wait'), 'the wait card came');
  assert.equal(root.find((e) => e.getAttribute('class') === 'layout'), layout);
  // The panel shows the newest 100 lines: a new line drops the oldest from view.
  state = reducePanel(state, { type: 'log', level: 'warn', message: 'line 100', atMs: 100 });
  page.show(state);
  const lines = root.find((e) => e.getAttribute('class') === 'log')!.children as FakeElement[];
  assert.equal(lines.length, 100);
  assert.equal(lines[0]!.textContent, 'line 1');
  assert.equal(lines[98], line99, 'a line still shown is the same node');
  assert.equal((line99.children[0] as FakeText).writes, 0);
});

test('a patched button keeps its own action: no button inherits another one\'s click', () => {
  const log: string[] = [];
  const page = livePage(log);
  page.show(stateFrom(session));
  const root = page.show(stateFrom(session, { type: 'result', outcome: 'success', message: 'done', transcriptPath: '/t.txt' }));
  const buttons = root.findAll((e) => e.tagName === 'vscode-button');
  assert.deepEqual(buttons.map((b) => b.textContent), ['Copy Diagnostic Report', 'Open Transcript']);
  for (const b of buttons) b.click();
  assert.deepEqual(log, ['copyReport', 'openTranscript']);

  // Every element with a listener is keyed (patchDom keeps the live element's listeners).
  const full = render({
    ...stateFrom(
      session,
      { type: 'crashDump', dump: { file: 'a.c', line: 1, message: 'm', isTruncated: false, rawHex: '00', warnings: [] } },
      { type: 'result', outcome: 'failed', message: 'x', transcriptPath: '/t' },
    ),
    isHexShown: true,
  });
  const unkeyed = full.findAll((e) => e.listeners.size > 0 && e.getAttribute('data-key') === null);
  assert.deepEqual(unkeyed.map((e) => e.textContent), []);
});

test('what a component adds to its own element (attributes, children) is left alone by a patch', () => {
  const page = livePage();
  const root = page.show(stateFrom(session, progressAt(1000)));
  const cancel = byKey(root, 'cancel')!;
  cancel.setAttribute('tabindex', '0');
  const placeholder = new FakeText('');
  cancel.append(placeholder);
  page.show(stateFrom(session, progressAt(2000)));
  assert.equal(byKey(root, 'cancel'), cancel);
  assert.equal(cancel.getAttribute('tabindex'), '0');
  assert.ok(cancel.children.includes(placeholder));
  assert.equal(cancel.textContent, 'Cancel');
  // An attribute render stops giving is removed.
  const wait = { what: 'W', elapsedMs: 1, normalMs: 2, budgetMs: 3, isSafeToInterrupt: true };
  const running = stateFrom(session, { type: 'step', step: 's', title: 'S', phase: 'waiting', wait, atMs: 0 });
  page.show(running);
  assert.equal(byKey(root, 'step-s')!.getAttribute('aria-current'), 'step');
  page.show(reducePanel(running, { type: 'result', outcome: 'cancelled', message: 'stopped' }));
  assert.equal(byKey(root, 'step-s')!.getAttribute('aria-current'), null);
});

test('every control has a name, the hex toggle says whether it is open, the steps mark the current one, results are live regions', () => {
  const dump = { file: 'a.c', line: 1, message: 'm', isTruncated: false, rawHex: '0000', warnings: [] };
  const running = stateFrom(
    session,
    { type: 'step', step: 'detect', title: 'Wake the modem', phase: 'done', atMs: 0 },
    { type: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: 1 },
    { type: 'log', level: 'info', message: 'hello', atMs: 2 },
    { type: 'crashDump', dump },
    progressAt(25_000),
  );
  for (const state of [running, { ...running, isHexShown: true }]) {
    const root = render(state);
    for (const b of root.findAll((e) => e.tagName === 'vscode-button')) {
      assert.ok(b.textContent.trim() || b.getAttribute('aria-label'), 'a button has a name');
    }
    const toggle = byKey(root, 'toggle-hex')!;
    assert.equal(toggle.getAttribute('aria-expanded'), String(state.isHexShown));
    const hex = root.find((e) => e.getAttribute('class') === 'hex');
    assert.equal(hex?.getAttribute('id'), state.isHexShown ? toggle.getAttribute('aria-controls') : undefined);
  }
  const root = render(running);
  const bar = root.find((e) => e.tagName === 'progress')!;
  assert.equal(bar.getAttribute('aria-label'), 'Bytes sent');
  assert.equal(bar.getAttribute('max'), '100000');
  assert.equal(bar.getAttribute('value'), '25000');
  assert.match(bar.getAttribute('aria-valuetext') ?? '', /25 %/);
  const current = root.findAll((e) => e.getAttribute('aria-current') !== null);
  assert.deepEqual(current.map((e) => [e.getAttribute('data-key'), e.getAttribute('aria-current')]), [['step-transfer', 'step']]);
  assert.equal(byKey(root, 'step-detect')!.find((e) => e.getAttribute('class') === 'mark')!.getAttribute('aria-label'), 'done');
  const log = root.find((e) => e.getAttribute('class') === 'log')!;
  assert.equal(log.getAttribute('role'), 'log');
  assert.equal(log.getAttribute('tabindex'), '0', 'the log scrolls by keyboard');

  const roleOf = (outcome: 'success' | 'failed' | 'cancelled') =>
    render(stateFrom(session, { type: 'result', outcome, message: 'm' })).find((e) => /^card result-/.test(e.getAttribute('class') ?? ''))!.getAttribute('role');
  assert.deepEqual([roleOf('success'), roleOf('cancelled'), roleOf('failed')], ['status', 'status', 'alert']);
});

test('the stylesheet follows the theme: colours from VS Code variables, high contrast edges in contrastBorder', () => {
  const css = readFileSync('media/panel.css', 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  // Every colour a rule sets comes from a variable (a literal only as a var() fallback).
  const declarations = [...css.matchAll(/(?:^|[;{\s])((?:background|color|border(?:-[a-z]+)?-?color|border|fill|stroke|outline|accent-color)):\s*([^;}]+)/g)];
  assert.ok(declarations.length > 20);
  for (const [, property, value] of declarations) {
    const withoutFallbacks = value!.replace(/var\([^()]*(\([^()]*\))?[^()]*\)/g, 'VAR');
    assert.doesNotMatch(withoutFallbacks, /#[0-9a-f]{3,8}\b|rgba?\(|\b(white|black|red|green|blue|grey|gray)\b/i, `${property}: ${value}`);
  }
  for (const theme of ['body.vscode-high-contrast', 'body.vscode-high-contrast-light']) {
    assert.match(css, new RegExp(`${theme.replace('.', '\\.')} \\.card[,\\s][^{]*\\{[^}]*border-color:\\s*var\\(--vscode-contrastBorder\\)`));
  }
  assert.match(css, /--border:\s*var\(--vscode-contrastBorder\)/);
  assert.match(css, /:focus-visible[^{]*\{[^}]*var\(--vscode-focusBorder\)/);
});
