import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderPanelHtml } from '../../src/views/panelHtml';
import type { HostToPanel } from '../../src/shared/panelMessages';
import type { Page } from 'playwright-core';
import { progressAt } from './panelFixtures';

// The built panel script in a real browser under the real CSP: the page must load,
// handshake, render a session, and cause no CSP violation (the toolkit included).
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
const SCRIPT = resolve('dist/webview.js');
const skip = !CHROMIUM ? 'no Chromium installed' : !existsSync(SCRIPT) ? 'dist/webview.js not built (npm run build)' : false;

/**
 * The built panel in Chromium under its real CSP, the VS Code API stubbed to record what
 * the panel posts, once the panel said it is ready. `problems` collects page errors, and
 * console errors and warnings when asked.
 */
async function withPanelInChromium(options: { recordsConsole: boolean }, use: (tab: Page, problems: string[]) => Promise<void>): Promise<void> {
  const { chromium } = await import('playwright-core');
  const dir = mkdtempSync(join(tmpdir(), 'panel-'));
  const page = join(dir, 'index.html');
  writeFileSync(
    page,
    renderPanelHtml({ cspSource: 'file:', scriptUri: pathToFileURL(SCRIPT).href, styleUri: pathToFileURL(resolve('media/panel.css')).href }),
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--allow-file-access-from-files'] });
  try {
    const tab = await browser.newPage();
    const problems: string[] = [];
    if (options.recordsConsole) tab.on('console', (m) => void (m.type() === 'error' || m.type() === 'warning' ? problems.push(m.text()) : undefined));
    tab.on('pageerror', (e) => void problems.push(e.message));
    await tab.addInitScript({
      content:
        'window.__posted = []; window.__pwned = 0; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });',
    });
    await tab.goto(pathToFileURL(page).href);
    await tab.waitForFunction('window.__posted.length > 0', undefined, { timeout: 20_000 });
    await use(tab, problems);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the built panel runs under its CSP in Chromium without violations, and device text stays text', { skip, timeout: 60_000 }, async () => {
  await withPanelInChromium({ recordsConsole: true }, async (tab, problems) => {
    assert.deepEqual(await tab.evaluate('window.__posted'), [{ type: 'ready' }]);
    const replay: HostToPanel = {
      type: 'replay',
      messages: [
        { type: 'session', sessionId: 's1', title: 'Upgrade', portPath: '/dev/ttyACM0', startedAtMs: 0 },
        { type: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: 0 },
        { type: 'progress', step: 'transfer', fileIndex: 1, fileName: 'CATM1-41065.dup', bytesDone: 1000, bytesTotal: 4000, bytesPerSecond: 500, etaMs: 6000, atMs: 1 },
        { type: 'progress', step: 'transfer', fileIndex: 1, fileName: 'CATM1-41065.dup', bytesDone: 2000, bytesTotal: 4000, bytesPerSecond: 500, etaMs: 4000, atMs: 2000 },
        {
          type: 'crashDump',
          dump: { file: 'l1DspReset.c', line: 96, message: '<img src=x onerror="window.__pwned=1">', isTruncated: true, rawHex: '0000', warnings: [] },
        },
      ],
    };
    await tab.evaluate(`window.postMessage(${JSON.stringify(replay)}, '*')`);
    await tab.waitForSelector('svg.chart', { timeout: 10_000 });
    await tab.getByText('Cancel').click();
    assert.deepEqual(await tab.evaluate('window.__posted.at(-1)'), { type: 'cancel' });
    assert.equal(await tab.locator('img').count(), 0);
    assert.equal(await tab.evaluate('window.__pwned'), 0);
    assert.match((await tab.textContent('.crash .message')) ?? '', /<img src=x onerror=/);
    assert.deepEqual(problems, []);
  });
});


test('in Chromium, progress frames keep focus on Cancel, a selection in the log and the step rows; controls have names; high contrast uses contrastBorder', { skip, timeout: 60_000 }, async () => {
  await withPanelInChromium({ recordsConsole: false }, async (tab, problems) => {
    const post = (messages: HostToPanel[]) => tab.evaluate(`for (const m of ${JSON.stringify(messages)}) window.postMessage(m, '*')`);
    /** Posts the frames, then waits until the page drew the last one (it draws once an animation frame). */
    const postProgress = async (from: number, count: number) => {
      const frames = Array.from({ length: count }, (_, i) => progressAt((from + i) * 1000));
      await post(frames);
      const last = (from + count - 1) * 1000;
      // A function, not a string: a string predicate is eval'd in the page, which its CSP forbids.
      await tab.waitForFunction((value) => document.querySelector('progress')?.getAttribute('value') === value, String(last), { timeout: 10_000 });
    };
    await post([
      {
        type: 'replay',
        messages: [
          { type: 'session', sessionId: 's1', title: 'Upgrade', portPath: '/dev/ttyACM0', startedAtMs: 0 },
          { type: 'step', step: 'detect', title: 'Wake the modem', phase: 'done', atMs: 0 },
          { type: 'step', step: 'transfer', title: 'Send the firmware', phase: 'start', atMs: 1 },
          { type: 'log', level: 'info', message: 'STP data phase: CATM1-41065.dup, 100000 bytes', atMs: 2 },
          { type: 'crashDump', dump: { file: 'l1DspReset.c', line: 96, message: 'assert', isTruncated: false, rawHex: '0000', warnings: [] } },
        ],
      },
    ]);
    await postProgress(1, 1);

    // Focus on Cancel, by keyboard as a user would reach it, survives 20 frames.
    const cancel = tab.locator('vscode-button[data-key="cancel"]');
    await cancel.focus();
    await tab.evaluate(`window.__cancel = document.activeElement; window.__step = document.querySelector('li[data-key="step-transfer"]')`);
    assert.equal(await tab.evaluate('window.__cancel?.getAttribute("data-key")'), 'cancel');
    await postProgress(2, 20);
    assert.equal(await tab.evaluate('document.activeElement === window.__cancel && window.__cancel.isConnected'), true, 'focus stays on the same Cancel');
    assert.equal(await tab.evaluate('document.querySelector(\'li[data-key="step-transfer"]\') === window.__step'), true, 'the step row is the same element');
    await tab.keyboard.press('Enter');
    assert.deepEqual(await tab.evaluate('window.__posted.at(-1)'), { type: 'cancel' }, 'the kept Cancel still cancels');

    // A selection in the log survives frames.
    await tab.evaluate(`{
      const line = document.querySelector('.log > div');
      const range = document.createRange();
      range.setStart(line.firstChild, 4);
      range.setEnd(line.firstChild, 14);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }`);
    assert.equal(await tab.evaluate('getSelection().toString()'), 'data phase');
    await postProgress(22, 20);
    assert.equal(await tab.evaluate('getSelection().toString()'), 'data phase');
    assert.equal(await tab.evaluate("getSelection().anchorNode.isConnected && getSelection().anchorNode.parentElement.closest('.log') !== null"), true);

    // The hex toggle reports its state to assistive technology, and toggles by keyboard.
    const toggle = tab.locator('vscode-button[data-key="toggle-hex"]');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.focus();
    await tab.keyboard.press('Enter');
    await tab.waitForSelector('pre.hex#crash-dump-hex');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.equal(await tab.evaluate('document.activeElement?.getAttribute("data-key")'), 'toggle-hex', 'the toggle keeps focus as its label changes');

    // What a screen reader gets, from Chromium's accessibility tree.
    const cdp = await tab.context().newCDPSession(tab);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as unknown as { nodes: AxNode[] };
    const shown = nodes.filter((n) => !n.ignored);
    const buttons = shown.filter((n) => n.role?.value === 'button');
    assert.ok(buttons.length >= 3, 'the buttons are in the tree');
    assert.deepEqual(buttons.filter((n) => !String(n.name?.value ?? '').trim()), [], 'every button has a name');
    assert.ok(buttons.some((n) => n.name?.value === 'Cancel'));
    const bar = shown.find((n) => n.role?.value === 'progressbar' && n.name?.value === 'Bytes sent');
    assert.ok(bar, 'the transfer bar is named');
    const property = (node: AxNode, name: string) => node.properties?.find((p) => p.name === name)?.value.value;
    assert.equal(property(bar, 'valuemax'), 100_000);
    assert.equal(bar.value?.value, 41_000, 'the bar reports how far it is');
    assert.ok(shown.some((n) => n.role?.value === 'log'), 'the messages are a log region');
    // Chromium keeps aria-current out of this tree; the attribute is what screen readers read.
    assert.deepEqual(await tab.evaluate(() => Array.from(document.querySelectorAll('[aria-current]')).map((e) => [e.getAttribute('data-key'), e.getAttribute('aria-current')])), [
      ['step-transfer', 'step'],
    ]);

    // The result arrives as a live region: an alert for a failure.
    await post([{ type: 'result', outcome: 'failed', message: 'The modem did not answer' }]);
    await tab.waitForSelector('.card.result-failed[role="alert"]');
    assert.equal(await tab.locator('vscode-button[data-key="cancel"]').count(), 0);

    // High contrast: VS Code puts the class on body and sets the variables; cards take contrastBorder.
    const borderOfCard = async () => tab.evaluate("getComputedStyle(document.querySelector('.card:not(.result-failed)')).borderTopColor");
    await tab.evaluate(`document.body.style.setProperty('--vscode-contrastBorder', 'rgb(111, 195, 223)'); document.body.classList.add('vscode-high-contrast')`);
    assert.equal(await borderOfCard(), 'rgb(111, 195, 223)');
    await tab.evaluate(`document.body.classList.replace('vscode-high-contrast', 'vscode-high-contrast-light'); document.body.style.setProperty('--vscode-contrastBorder', 'rgb(0, 15, 30)')`);
    assert.equal(await borderOfCard(), 'rgb(0, 15, 30)');
    assert.deepEqual(problems, []);
  });
});

interface AxNode {
  ignored?: boolean;
  role?: { value: string };
  name?: { value: string };
  value?: { value: unknown };
  properties?: { name: string; value: { value: unknown } }[];
}
