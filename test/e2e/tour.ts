// A new user's tour of every "Pycom" command in a real VS Code (code-server + Chromium),
// on the simulated GPy. Not part of the test suite: it does not assert, it records what a
// user sees (screenshots, notification/dialog/panel/terminal/editor text) and writes
// test-results/tour/tour.md, a table of command | what the user did | what happened | verdict.
//
//   node --import tsx test/e2e/tour.ts
//
// Environment: TOUR_VSIX=<file> uses that VSIX instead of packaging one (packaging builds dist/);
// TOUR_KEEP=1 keeps the temporary profile for a post-mortem.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProcessGroup } from './harness/processes';
import { createProfile, installExtension, readExtensionHostLog, removeProfile, startCodeServer, waitForExtensionHostLog, type WorkbenchProfile } from './harness/codeServer';
import { extensionId, readManifest } from './harness/manifest';
import { Deadline, pollUntil } from './harness/waits';
import { Workbench, escapeRegExp } from './harness/workbench';
import { installedCliPath, startPtyPair, startSimulatedGpy } from './harness/simulatedGpy';
import { writeSyntheticFirmware } from '../../src/sim/firmwareImage';

const repoRoot = resolve(__dirname, '..', '..');
const outDir = join(repoRoot, 'test-results', 'tour');
const manifest = readManifest(repoRoot);
const extId = extensionId(manifest);
const processes = new ProcessGroup();
processes.killOnExit();

/**
 * A new user's settings: none. (The e2e suite speeds the simulator up 200×; the tour keeps
 * the default 20× a user gets, so what it sees is what a user sees.)
 */
const EXTENSION_SETTINGS = {};

type Verdict = 'works' | 'confusing' | 'broken';
interface Row {
  n: number;
  command: string;
  did: string;
  happened: string[];
  verdict: Verdict;
  screenshot: string;
  detail: Record<string, unknown>;
}

const rows: Row[] = [];
let wb: Workbench;
let profile: WorkbenchProfile;
let shotCounter = 0;
const ptyDirs: string[] = [];

function clip(text: string, max = 600): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** Every visible notification: its message, its source and its buttons. */
async function notifications(): Promise<string[]> {
  return wb.page
    .$$eval('.notifications-toasts .notification-list-item, .notifications-center .notification-list-item', (items) =>
      items.map((item) => {
        const message = (item.querySelector('.notification-list-item-message') as HTMLElement | null)?.innerText.trim() ?? '';
        const buttons = Array.from(item.querySelectorAll('.notification-list-item-buttons-container .monaco-button'))
          .map((b) => (b as HTMLElement).innerText.trim())
          .filter(Boolean);
        const severity = item.querySelector('.codicon-error') ? 'error' : item.querySelector('.codicon-warning') ? 'warning' : 'info';
        return `[${severity}] ${message}${buttons.length ? ` [buttons: ${buttons.join(', ')}]` : ''}`;
      }),
    )
    .catch(() => []);
}

/** The message part of a notifications() entry: without the severity tag and the buttons. */
function messageOf(entry: string): string {
  return entry.replace(/^\[\w+\] /, '').replace(/ \[buttons: [^\]]*\]$/, '');
}

async function waitForNotificationMatching(pattern: RegExp, deadline: Deadline): Promise<string | undefined> {
  try {
    return await pollUntil(async () => (await notifications()).find((n) => pattern.test(messageOf(n))), deadline);
  } catch {
    return undefined;
  }
}

async function dialogText(): Promise<string | undefined> {
  const dialog = wb.page.locator('.monaco-dialog-box');
  if (!(await dialog.isVisible().catch(() => false))) return undefined;
  return (await dialog.innerText()).trim();
}

/** Text of every webview (the panel), read from the nested iframes. */
async function webviewTexts(): Promise<string[]> {
  const texts: string[] = [];
  for (const frame of wb.page.frames()) {
    if (frame === wb.page.mainFrame()) continue;
    const text = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    // The outer webview frame's body is its bootstrap script; the content frame is what a user sees.
    if (text.trim() && !text.includes('vscodeWebWorkerExtHostId')) texts.push(text.trim());
  }
  return texts;
}

async function activeEditorText(): Promise<{ tab: string; text: string }> {
  const tab = (await wb.page.locator('.part.editor .editor-group-container.active .tab.active').first().innerText().catch(() => '')).trim();
  const text = await wb.page
    .locator('.part.editor .editor-group-container.active .monaco-editor .view-lines')
    .first()
    .innerText()
    .catch(() => '');
  return { tab, text };
}

async function quickInputText(): Promise<string | undefined> {
  const widget = wb.page.locator('.quick-input-widget');
  if (!(await widget.isVisible().catch(() => false))) return undefined;
  const title = (await widget.locator('.quick-input-title').innerText().catch(() => '')).trim();
  const value = await widget.locator('.quick-input-box input').inputValue().catch(() => '');
  const placeholder = (await widget.locator('.quick-input-box input').getAttribute('placeholder').catch(() => null)) ?? '';
  const message = (await widget.locator('.quick-input-message').innerText().catch(() => '')).trim();
  const rows = await wb.page
    .$$eval('.quick-input-widget .quick-input-list .monaco-list-row', (nodes) => nodes.map((n) => (n as HTMLElement).innerText.replace(/\s+/g, ' ').trim()))
    .catch(() => [] as string[]);
  return [title && `title "${title}"`, placeholder && `placeholder "${placeholder}"`, value && `value "${value}"`, message && `message "${message}"`, rows.length ? `rows: ${rows.join(' | ')}` : '']
    .filter(Boolean)
    .join('; ');
}

async function shot(name: string): Promise<string> {
  shotCounter += 1;
  const file = `${String(shotCounter).padStart(2, '0')}-${name}.png`;
  await wb.page.mouse.move(700, 5);
  await wb.page.screenshot({ path: join(outDir, file) });
  return file;
}

async function resetUi(): Promise<void> {
  await wb.closeQuickInput().catch(() => undefined);
  if (await dialogText()) await wb.page.keyboard.press('Escape');
  await wb.clearNotifications(Deadline.in(5_000, 'clear notifications')).catch(() => undefined);
}

/** Runs one step of the tour; a step that throws is recorded as broken with the error and a screenshot. */
async function step(
  command: string,
  did: string,
  name: string,
  work: (r: Row) => Promise<void>,
  options: { keepNotifications?: boolean } = {},
): Promise<void> {
  const row: Row = { n: rows.length + 1, command, did, happened: [], verdict: 'works', screenshot: '', detail: {} };
  rows.push(row);
  console.log(`--- ${command}`);
  if (!options.keepNotifications) await resetUi();
  try {
    await work(row);
  } catch (error) {
    row.verdict = 'broken';
    row.happened.push(`TOUR STEP FAILED: ${clip(error instanceof Error ? error.message : String(error), 400)}`);
    const notes = await notifications();
    if (notes.length) row.happened.push(`notifications: ${notes.join(' || ')}`);
    const dialog = await dialogText();
    if (dialog) row.happened.push(`dialog: ${clip(dialog)}`);
    const quick = await quickInputText();
    if (quick) row.happened.push(`quick input: ${clip(quick)}`);
  }
  if (!row.screenshot) row.screenshot = await shot(name).catch(() => '');
  console.log(`    ${row.verdict}: ${row.happened.join(' / ').slice(0, 400)}`);
}

async function note(row: Row, label: string, text: string | undefined, max = 600): Promise<void> {
  if (text && text.trim()) row.happened.push(`${label}: ${clip(text, max)}`);
}

async function recordNotifications(row: Row): Promise<string[]> {
  const notes = await notifications();
  if (notes.length) row.happened.push(`notifications: ${notes.map((n) => `"${n}"`).join(' || ')}`);
  return notes;
}

/** Picks a port by typing its path in the picker ("Enter a port path…"). */
async function selectPortPath(path: string): Promise<void> {
  await wb.runCommand('Pycom: Select Port', Deadline.in(10_000, 'select port'));
  await wb.pickRow(/Enter a port path/, Deadline.in(20_000, 'the port picker'));
  await wb.answerQuickInput(path, Deadline.in(10_000, 'the port path box'));
  await wb.waitForStatusText(extId, new RegExp(escapeRegExp(path)), Deadline.in(10_000, `the status bar to show ${path}`));
}

/** After a palette command that may ask "resume?" first: picks "Choose firmware files…" when asked. */
async function answerFirmwarePicker(firmware: string, row: Row): Promise<void> {
  const input = wb.page.locator('.quick-input-widget');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  const first = await quickInputText();
  if (first && /Choose firmware files/.test(first)) {
    await note(row, 'resume offer', first);
    await wb.pickRow(/Choose firmware files/, Deadline.in(5_000, 'choose files row'));
    await pollUntil(async () => ((await quickInputText()) ?? '').includes('firmware') ? true : undefined, Deadline.in(10_000, 'file dialog'));
  }
  await note(row, 'file dialog', await quickInputText(), 200);
  await acceptFileDialog(firmware);
}

/**
 * Types a path into the simple file dialog and accepts it. The dialog may still be listing
 * the folder it opened on when Enter arrives, and then keeps the dialog open: Enter again.
 */
async function acceptFileDialog(path: string): Promise<void> {
  const widget = wb.page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  const title = (await widget.locator('.quick-input-title').innerText().catch(() => '')).trim();
  await input.fill(path);
  await input.press('Enter');
  const accepted = async () => {
    if (!(await widget.isVisible().catch(() => false))) return true;
    return (await widget.locator('.quick-input-title').innerText().catch(() => '')).trim() !== title ? true : undefined;
  };
  if (await pollUntil(accepted, Deadline.in(3_000, 'the file dialog to close')).catch(() => false)) return;
  // Still the file dialog with our path in it: it was busy listing the folder. Enter once more.
  if ((await input.inputValue().catch(() => '')) !== path) await input.fill(path);
  await input.press('Enter');
  await pollUntil(accepted, Deadline.in(10_000, `the file dialog to accept ${path}`));
}

/** Waits for whichever comes first: a modal dialog, or a notification matching `pattern`. */
async function dialogOrNotification(pattern: RegExp, deadline: Deadline): Promise<{ dialog?: string; notification?: string }> {
  return pollUntil(async () => {
    const dialog = await dialogText();
    if (dialog) return { dialog };
    const n = (await notifications()).find((t) => pattern.test(messageOf(t)));
    return n ? { notification: n } : undefined;
  }, deadline);
}

async function main(): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const { ensureE2eEnvironment } = await import('../../scripts/e2e/setup.mjs');
  const env = ensureE2eEnvironment();
  let vsixPath = process.env.TOUR_VSIX ? resolve(process.env.TOUR_VSIX) : '';
  if (!vsixPath) {
    const { packageVsix } = await import('../../scripts/package.mjs');
    const vsixDir = join(outDir, 'vsix');
    vsixPath = packageVsix({ target: 'linux-x64', outDir: vsixDir }).vsixPath;
  }
  console.log(`VSIX: ${vsixPath}`);
  profile = createProfile(EXTENSION_SETTINGS);
  await installExtension(processes, env.codeServerEntry, profile, vsixPath, Deadline.in(120_000, 'extension install'));
  const server = await startCodeServer(processes, env.codeServerEntry, profile, Deadline.in(60_000, 'code-server to listen'));
  wb = await Workbench.open({ chromiumPath: env.chromiumPath, url: server.url, screenshotDir: outDir, deadline: Deadline.in(90_000, 'the workbench to load') });
  await wb.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
  await waitForExtensionHostLog(profile, new RegExp(`_doActivateExtension ${escapeRegExp(extId)}`), Deadline.in(60_000, 'activation'));

  const cliPath = installedCliPath(profile.extensionsDir, extId);
  const workspace = profile.workspaceDir;
  const smallFile = join(workspace, 'tour_hello.py');
  writeFileSync(smallFile, 'print("hello from the tour")\n');
  const firmware = join(workspace, 'CATM1-41065.dup');
  await writeSyntheticFirmware(firmware, { kind: 'full', network: 'CAT-M1', build: 41065, size: 5_000_000 });
  const bigFirmware = join(workspace, 'CATM1-41065-big.dup');
  await writeSyntheticFirmware(bigFirmware, { kind: 'full', network: 'CAT-M1', build: 41065, size: 3_000_000 });

  // What the palette offers before anything runs.
  const paletteRows = await wb.paletteRows('Pycom:', Deadline.in(10_000, 'palette'));
  await shot('palette');
  await wb.closeQuickInput();
  console.log(`palette: ${paletteRows.join(' | ')}`);

  await step('Pycom: Select Port', 'Palette → Select Port → looked at the list → clicked "Simulated GPy"', 'select-port', async (r) => {
    await wb.runCommand('Pycom: Select Port', Deadline.in(10_000, 'select port'));
    await wb.quickPickRows(Deadline.in(20_000, 'the port picker'));
    await note(r, 'picker', await quickInputText(), 800);
    r.screenshot = await shot('select-port');
    await wb.pickRow(/Simulated GPy/, Deadline.in(5_000, 'the Simulated GPy row'));
    const status = await wb.waitForStatusText(extId, /sim:GPy/, Deadline.in(10_000, 'status bar sim:GPy'));
    await note(r, 'status bar after the pick', status);
    await recordNotifications(r);
  });

  await step('Pycom: Open REPL Terminal', 'Palette → Open REPL Terminal → typed `1+1` Enter', 'repl', async (r) => {
    await wb.runCommand('Pycom: Open REPL Terminal', Deadline.in(10_000, 'the REPL command'));
    const banner = await wb.waitForTerminalText(/>>>\s*$/m, Deadline.in(30_000, 'the REPL prompt')).catch(async () => wb.terminalText());
    if (!/>>>/.test(banner)) {
      r.verdict = 'broken';
      await note(r, 'terminal (no prompt)', banner);
      await recordNotifications(r);
      return;
    }
    await wb.typeInTerminal('1+1');
    const text = await wb.waitForTerminalText(/>>> 1\+1\s*\n\s*2\s*\n/, Deadline.in(15_000, '1+1')).catch(async () => {
      r.verdict = 'broken';
      return wb.terminalText();
    });
    await note(r, 'terminal', text, 800);
    await recordNotifications(r);
  });

  await step('Pycom: Push File to Board', 'Palette → Push File to Board → typed the path of tour_hello.py in the file dialog → accepted the proposed board path → then `import os; os.listdir("/flash")` in the REPL', 'push-file', async (r) => {
    await wb.runCommand('Pycom: Push File to Board', Deadline.in(10_000, 'push command'));
    await wb.page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 20_000 });
    await note(r, 'file dialog', await quickInputText(), 200);
    await acceptFileDialog(smallFile);
    await pollUntil(async () => ((await quickInputText()) ?? '').includes('/flash/') ? true : undefined, Deadline.in(10_000, 'board path box'));
    await note(r, 'board path box', await quickInputText());
    await wb.page.locator('.quick-input-widget .quick-input-box input').press('Enter');
    const n = await waitForNotificationMatching(/copied|failed|error/i, Deadline.in(60_000, 'push outcome'));
    if (!n || !/copied/i.test(n)) r.verdict = 'broken';
    await recordNotifications(r);
    r.screenshot = await shot('push-file');
    // Check on the board, from the REPL (if it is still there).
    const terminalVisible = await wb.page.locator('.terminal-wrapper .xterm').first().isVisible().catch(() => false);
    if (terminalVisible) {
      await wb.typeInTerminal('import os; os.listdir("/flash")');
      const t = await wb.waitForTerminalText(/listdir[^\n]*\n[^\n]*\]/, Deadline.in(10_000, 'listdir')).catch(async () => wb.terminalText());
      await note(r, 'REPL listdir afterwards', t.split('\n').slice(-6).join(' ⏎ '));
    }
  });

  const modemInfo = (suffix: string, did: string) =>
    step(`Pycom: Read Modem Info${suffix}`, did, `modem-info${suffix ? '-after-upgrade' : ''}`, async (r) => {
      await wb.runCommand('Pycom: Read Modem Info', Deadline.in(10_000, 'info command'));
      const first = await dialogOrNotification(/^Modem:|failed|cancelled/i, Deadline.in(90_000, 'modem info outcome'));
      // A board at its REPL gets a modal offer (mirror mode, upgrade, REPL): noted, then declined so the tour goes on.
      if (first?.dialog) {
        await note(r, 'dialog', first.dialog);
        r.screenshot = await shot('modem-info-board-at-repl');
        await wb.page.keyboard.press('Escape');
        return;
      }
      const n = first?.notification;
      if (!n) r.verdict = 'broken';
      else if (/failed/i.test(n)) r.verdict = 'confusing';
      await recordNotifications(r);
    });
  const crashDump = (suffix: string, did: string) =>
    step(`Pycom: Read Crash Dump${suffix}`, did, `crash-dump${suffix ? '-after-upgrade' : ''}`, async (r) => {
      await wb.runCommand('Pycom: Read Crash Dump', Deadline.in(10_000, 'crash command'));
      const first = await dialogOrNotification(/^Modem crash|no crash dump|failed|cancelled/i, Deadline.in(90_000, 'crash dump outcome'));
      if (first?.dialog) {
        await note(r, 'dialog', first.dialog);
        r.screenshot = await shot('crash-dump-board-at-repl');
        await wb.page.keyboard.press('Escape');
        return;
      }
      const n = first?.notification;
      if (!n) r.verdict = 'broken';
      else if (/failed/i.test(n)) r.verdict = 'confusing';
      await recordNotifications(r);
      const views = await webviewTexts();
      if (views.length) await note(r, 'panel', views.join(' ¦ '), 700);
    });

  await wb.runCommand('Terminal: Kill All Terminals', Deadline.in(10_000, 'kill terminals')).catch(() => undefined);
  await modemInfo('', 'Closed the REPL terminal; Palette → Read Modem Info (board at its REPL, never upgraded)');
  await crashDump('', 'Palette → Read Crash Dump (board at its REPL)');

  await step('Pycom: Upgrade Modem', 'Palette → Upgrade Modem (port sim:GPy) → typed the path of CATM1-41065.dup (synthetic 5 MB CAT-M1 full image) in the file dialog → read the confirmation → clicked "Upgrade"', 'upgrade-modem', async (r) => {
    await wb.runCommand('Pycom: Upgrade Modem', Deadline.in(10_000, 'upgrade command'));
    await answerFirmwarePicker(firmware, r);
    const first = await dialogOrNotification(/failed|cannot|error/i, Deadline.in(60_000, 'confirmation'));
    if (first.notification) {
      r.verdict = 'broken';
      await recordNotifications(r);
      return;
    }
    await note(r, 'confirmation dialog', first.dialog, 900);
    r.detail.confirmation = first.dialog;
    if (!/Upgrade\s*$/m.test(first.dialog ?? '') && !(await wb.page.locator('.monaco-dialog-box .monaco-button', { hasText: /^\s*Upgrade\s*$/ }).count())) {
      r.verdict = 'broken';
      return;
    }
    await wb.answerDialog('Upgrade', Deadline.in(5_000, 'Upgrade button'));
    const n = await waitForNotificationMatching(/Modem upgraded|Upgrade failed|cancelled/i, Deadline.in(240_000, 'upgrade outcome'));
    if (!n || !/Modem upgraded/.test(n)) r.verdict = 'broken';
    await recordNotifications(r);
    const views = await webviewTexts();
    if (views.length) await note(r, 'panel', views.join(' ¦ '), 700);
  });

  await modemInfo(' (after upgrade)', 'Palette → Read Modem Info right after the successful upgrade (the board stays in mirror mode)');
  await crashDump(' (after upgrade)', 'Palette → Read Crash Dump (board in mirror mode)');

  await step('Pycom: Try Upgrade on Simulated GPy', 'Palette → Try Upgrade on Simulated GPy (after the upgrade above, without a way to power-cycle the simulated board) → read the confirmation → clicked "Upgrade"', 'try-on-simulator', async (r) => {
    await wb.runCommand('Pycom: Try Upgrade on Simulated GPy', Deadline.in(10_000, 'simulator command'));
    const first = await dialogOrNotification(/failed|cannot|error/i, Deadline.in(60_000, 'confirmation'));
    if (first.notification) {
      r.verdict = 'broken';
      await recordNotifications(r);
      return;
    }
    await note(r, 'confirmation dialog', first.dialog, 900);
    await wb.answerDialog('Upgrade', Deadline.in(5_000, 'Upgrade button'));
    const n = await waitForNotificationMatching(/Modem upgraded|Upgrade failed|cancelled/i, Deadline.in(240_000, 'upgrade outcome'));
    if (!n || !/Modem upgraded/.test(n)) r.verdict = 'broken';
    await recordNotifications(r);
    const views = await webviewTexts();
    if (views.length) await note(r, 'panel', views.join(' ¦ '), 900);
  });

  if (rows.at(-1)?.verdict !== 'works') await step('Pycom: Try Upgrade on Simulated GPy (again)', 'Looking for a way to "power-cycle" the simulated board: Palette → Select Port → Simulated GPy again; then Palette → Try Upgrade on Simulated GPy → "Upgrade"', 'try-on-simulator-again', async (r) => {
    await wb.runCommand('Pycom: Select Port', Deadline.in(10_000, 'select port'));
    await wb.pickRow(/Simulated GPy/, Deadline.in(20_000, 'the Simulated GPy row'));
    await wb.runCommand('Pycom: Try Upgrade on Simulated GPy', Deadline.in(10_000, 'simulator command'));
    const first = await dialogOrNotification(/failed|cannot|error/i, Deadline.in(60_000, 'confirmation'));
    if (first.notification) {
      r.verdict = 'broken';
      await recordNotifications(r);
      return;
    }
    await note(r, 'confirmation dialog', first.dialog, 900);
    await wb.answerDialog('Upgrade', Deadline.in(5_000, 'Upgrade button'));
    const n = await waitForNotificationMatching(/Modem upgraded|Upgrade failed|cancelled/i, Deadline.in(240_000, 'upgrade outcome'));
    if (!n || !/Modem upgraded/.test(n)) r.verdict = 'broken';
    await recordNotifications(r);
    const views = await webviewTexts();
    if (views.length) await note(r, 'panel', views.join(' ¦ '), 900);
  });

  await step('Pycom: Open Upgrade Panel', 'Palette → Open Upgrade Panel', 'open-panel', async (r) => {
    await wb.hideBottomPanel(Deadline.in(10_000, 'hide panel')).catch(() => undefined);
    await wb.runCommand('Pycom: Open Upgrade Panel', Deadline.in(10_000, 'panel command'));
    const text = await pollUntil(async () => {
      const t = (await webviewTexts()).join(' ¦ ');
      return /Upgrade|Modem/i.test(t) ? t : undefined;
    }, Deadline.in(20_000, 'panel text')).catch(() => '');
    if (!text) r.verdict = 'broken';
    await note(r, 'panel', text, 1200);
    await recordNotifications(r);
  });

  await step('Pycom: Show Transcript', 'Palette → Show Transcript', 'show-transcript', async (r) => {
    await wb.runCommand('Pycom: Show Transcript', Deadline.in(10_000, 'transcript command'));
    const editor = await pollUntil(async () => {
      const e = await activeEditorText();
      return e.tab && e.text ? e : undefined;
    }, Deadline.in(15_000, 'an editor')).catch(() => undefined);
    if (!editor) r.verdict = 'broken';
    else {
      await note(r, 'editor tab', editor.tab);
      await note(r, 'editor text (top)', editor.text, 700);
    }
    await recordNotifications(r);
  });

  await step('Pycom: Copy Diagnostic Report', 'Palette → Copy Diagnostic Report → read the clipboard', 'copy-report', async (r) => {
    await wb.page.evaluate(() => navigator.clipboard.writeText('(clipboard before)')).catch(() => undefined);
    await wb.runCommand('Pycom: Copy Diagnostic Report', Deadline.in(10_000, 'report command'));
    const n = await waitForNotificationMatching(/copied|No modem session|failed/i, Deadline.in(20_000, 'report outcome'));
    if (!n || !/copied/i.test(n)) r.verdict = 'broken';
    await recordNotifications(r);
    const clipboard = await wb.page.evaluate(() => navigator.clipboard.readText()).catch((e: unknown) => `(clipboard unreadable: ${String(e)})`);
    r.detail.clipboard = clipboard;
    writeFileSync(join(outDir, 'diagnostic-report.md'), clipboard);
    await note(r, `clipboard (${clipboard.length} chars, saved to diagnostic-report.md)`, clipboard, 500);
  });

  await step('Pycom: Open Full Transcript', 'Looked for it in the palette; then Pycom Modem side bar → hovered each session row → clicked the "Open Full Transcript" inline icon of the first upgrade row offering it', 'open-full-transcript', async (r) => {
    const palette = await wb.paletteRows('Pycom: Open Full Transcript', Deadline.in(10_000, 'palette'));
    await wb.closeQuickInput();
    await note(r, 'palette rows for "Pycom: Open Full Transcript"', palette.join(' | ') || '(none)');
    await wb.runCommand('View: Show Pycom Modem', Deadline.in(10_000, 'the Pycom Modem view'));
    const sidebar = wb.page.locator('.part.sidebar');
    await pollUntil(async () => (/Upgrade/.test(await sidebar.innerText().catch(() => '')) ? true : undefined), Deadline.in(15_000, 'sessions'));
    await note(r, 'side bar', await sidebar.innerText(), 500);
    const sessionRows = sidebar.locator('.monaco-list-row');
    const offered: string[] = [];
    let clicked = false;
    for (let i = 0; i < (await sessionRows.count()) && !clicked; i++) {
      const row = sessionRows.nth(i);
      await row.hover();
      const labels = await row.locator('.action-label').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? n.getAttribute('title') ?? ''));
      offered.push(`${(await row.innerText()).replace(/\s+/g, ' ').trim()} → [${labels.join(', ')}]`);
      const action = row.locator('.action-label[aria-label*="Open Full Transcript"]');
      if ((await action.count()) > 0 && /Upgrade/.test(await row.innerText())) {
        await action.first().click();
        clicked = true;
      }
    }
    await note(r, 'inline actions per session row (hovered)', offered.join(' ; '), 900);
    if (!clicked) {
      r.verdict = 'broken';
      r.happened.push('no upgrade session row offers an "Open Full Transcript" action');
      return;
    }
    const editor = await pollUntil(async () => {
      const e = await activeEditorText();
      return e.tab && /transcript|\.log|\.txt|\.md/i.test(e.tab) ? e : undefined;
    }, Deadline.in(15_000, 'the transcript editor')).catch(async () => activeEditorText());
    await note(r, 'editor tab', editor.tab);
    await note(r, 'editor text (top)', editor.text, 500);
    await recordNotifications(r);
    r.screenshot = await shot('open-full-transcript');
  });

  await step('Pycom: Cancel Modem Operation', 'Looked for it in the palette while idle; started Upgrade Modem on a socat pty served by `sim --board` with a 3 MB image; during the transfer: Palette → Cancel Modem Operation', 'cancel', async (r) => {
    const idle = await wb.paletteRows('Pycom: Cancel', Deadline.in(10_000, 'palette'));
    await wb.closeQuickInput();
    await note(r, 'palette while idle', idle.join(' | ') || '(none)');
    await wb.runCommand('Terminal: Kill All Terminals', Deadline.in(10_000, 'kill terminals')).catch(() => undefined);
    const pair = await startPtyPair(processes, 'tour', Deadline.in(10_000, 'socat'));
    ptyDirs.push(pair.dir);
    await startSimulatedGpy(processes, { cliPath, devicePath: pair.devicePath, timeScale: 0.05, deadline: Deadline.in(30_000, 'sim ready') });
    await selectPortPath(pair.hostPath);
    await wb.runCommand('Pycom: Upgrade Modem', Deadline.in(10_000, 'upgrade command'));
    await answerFirmwarePicker(bigFirmware, r);
    const first = await dialogOrNotification(/failed|cannot|error/i, Deadline.in(60_000, 'confirmation'));
    if (first.notification) {
      r.verdict = 'broken';
      await recordNotifications(r);
      return;
    }
    await wb.answerDialog('Upgrade', Deadline.in(5_000, 'Upgrade button'));
    // Wait for the transfer to be under way (the panel shows a percentage above 0).
    await wb.waitForText(/Transfer[\s\S]*\b([1-9]\d?) %/i, Deadline.in(120_000, 'the transfer to start')).catch(() => undefined);
    const busy = await wb.paletteRows('Pycom: Cancel', Deadline.in(10_000, 'palette'));
    await note(r, 'palette while busy', busy.join(' | ') || '(none)');
    await wb.closeQuickInput();
    await wb.runCommand('Pycom: Cancel Modem Operation', Deadline.in(10_000, 'cancel command'));
    const n = await waitForNotificationMatching(/cancelled|failed|upgraded/i, Deadline.in(60_000, 'cancel outcome'));
    if (!n || !/cancel/i.test(n)) r.verdict = 'broken';
    await recordNotifications(r);
    const views = await webviewTexts();
    if (views.length) await note(r, 'panel', views.join(' ¦ '), 700);
    r.screenshot = await shot('cancel');
  });

  await step('Pycom: Show Log', 'Palette → Show Log', 'show-log', async (r) => {
    await wb.runCommand('Pycom: Show Log', Deadline.in(10_000, 'log command'));
    const text = await pollUntil(async () => {
      const t = await wb.page.locator('.part.panel.bottom .monaco-editor .view-lines').first().innerText().catch(() => '');
      const channel = await wb.page.locator('.part.panel.bottom select.monaco-select-box').first().evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.text ?? '').catch(() => '');
      return t.trim() ? `channel "${channel}": ${t}` : undefined;
    }, Deadline.in(10_000, 'the output panel')).catch(() => '');
    if (!text) r.verdict = 'broken';
    await note(r, 'bottom panel', text.split('\n').slice(-25).join(' ⏎ '), 1200);
    await recordNotifications(r);
  });

  // Any error the extension host logged for this extension.
  const hostLog = readExtensionHostLog(profile);
  const errors = hostLog.split('\n').filter((l) => /\[error\]/i.test(l));
  writeFileSync(join(outDir, 'exthost-errors.log'), errors.join('\n'));
  writeFileSync(join(outDir, 'palette.txt'), paletteRows.join('\n'));
}

function writeReport(): void {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# Tour of the Pycom commands (code-server + Chromium, simulated GPy)',
    '',
    `Generated by \`node --import tsx test/e2e/tour.ts\` on ${new Date().toISOString()}. Verdicts here are the script's first guess (broken = the expected outcome never showed); the report's reviewer adjusts them after looking at the screenshots.`,
    '',
    '| # | command | what the user did | what happened | verdict | screenshot |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.n} | ${cell(r.command)} | ${cell(r.did)} | ${cell(r.happened.join(' — ') || '(nothing visible)')} | ${r.verdict} | ${r.screenshot ? `[${r.screenshot}](${r.screenshot})` : ''} |`),
    '',
  ];
  writeFileSync(join(outDir, 'tour.md'), lines.join('\n'));
  writeFileSync(join(outDir, 'tour.json'), JSON.stringify(rows, null, 2));
}

main()
  .catch((error) => {
    console.error(`tour stopped: ${error instanceof Error ? error.stack : String(error)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    writeReport();
    await wb?.close();
    await processes.killAll();
    for (const dir of ptyDirs) rmSync(dir, { recursive: true, force: true });
    if (profile && !process.env.TOUR_KEEP) removeProfile(profile);
    else if (profile) console.log(`kept the profile in ${profile.rootDir}`);
    console.log(`wrote ${join(outDir, 'tour.md')}`);
  });
