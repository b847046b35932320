import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderPanelHtml } from '../../src/views/panelHtml';
import type { HostToPanel } from '../../src/shared/panelMessages';

// The built panel script in a real browser under the real CSP: the page must load,
// handshake, render a session, and cause no CSP violation (the toolkit included).
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(existsSync);
const SCRIPT = resolve('dist/webview.js');
const skip = !CHROMIUM ? 'no Chromium installed' : !existsSync(SCRIPT) ? 'dist/webview.js not built (npm run build)' : false;

test('the built panel runs under its CSP in Chromium without violations, and device text stays text', { skip, timeout: 60_000 }, async () => {
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
    tab.on('console', (m) => void (m.type() === 'error' || m.type() === 'warning' ? problems.push(m.text()) : undefined));
    tab.on('pageerror', (e) => void problems.push(e.message));
    await tab.addInitScript({
      content:
        'window.__posted = []; window.__pwned = 0; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => {} });',
    });
    await tab.goto(pathToFileURL(page).href);
    await tab.waitForFunction('window.__posted.length > 0', undefined, { timeout: 20_000 });
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
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
