import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { pngStats, type PngStats } from './pngStats';
import { Deadline, pollUntil } from './waits';

/** Flags for Debian's Chromium in a container: no sandbox (root), no GPU, nothing that calls home. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** A screenshot with fewer distinct colours or less contrast than this is treated as blank. */
const MIN_LUMA_STDDEV = 6;
const MIN_DISTINCT_COLOURS = 16;

export interface Screenshot {
  path: string;
  stats: PngStats;
  sizeBytes: number;
}

/** One Chromium page on the code-server workbench, with the few gestures the scenarios need. */
export class Workbench {
  private constructor(
    readonly browser: Browser,
    readonly page: Page,
    private readonly screenshotDir: string,
  ) {}

  static async open(options: { chromiumPath: string; url: string; screenshotDir: string; deadline: Deadline }): Promise<Workbench> {
    const browser = await chromium.launch({ executablePath: options.chromiumPath, args: CHROMIUM_ARGS, timeout: options.deadline.remainingMs() });
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      await page.goto(options.url, { timeout: options.deadline.remainingMs() });
      await page.waitForSelector('.monaco-workbench', { timeout: options.deadline.remainingMs() });
      mkdirSync(options.screenshotDir, { recursive: true });
      return new Workbench(browser, page, options.screenshotDir);
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }

  /** Opens the command palette with `query` typed in; returns the labels of the rows it shows. */
  async paletteRows(query: string, deadline: Deadline): Promise<string[]> {
    await this.openPalette(query, deadline);
    await this.page.waitForSelector('.quick-input-widget .quick-input-list .monaco-list-row', { timeout: deadline.remainingMs() });
    return this.page.$$eval('.quick-input-widget .quick-input-list .monaco-list-row .label-name', (nodes) =>
      nodes.map((n) => (n.textContent ?? '').trim()),
    );
  }

  async openPalette(query: string, deadline: Deadline): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    for (;;) {
      await this.closeQuickInput();
      await this.page.keyboard.press('F1');
      try {
        await input.waitFor({ state: 'visible', timeout: Math.max(1, Math.min(5_000, deadline.remainingMs())) });
        await input.fill(`>${query}`, { timeout: Math.max(1, Math.min(2_000, deadline.remainingMs())) });
        return;
      } catch (error) {
        // A quick input still closing (the previous command's) can take the new palette down
        // with it, or swallow the F1: open it again while the deadline allows.
        if (deadline.isExpired()) throw error;
      }
    }
  }

  /** Runs a palette command by its full title ("Pycom: Open REPL Terminal"). */
  async runCommand(title: string, deadline: Deadline): Promise<void> {
    await this.openPalette(title, deadline);
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`) }),
    });
    await row.first().waitFor({ state: 'visible', timeout: deadline.remainingMs() });
    await row.first().click();
  }

  async closeQuickInput(): Promise<void> {
    if (await this.page.locator('.quick-input-widget').isVisible()) await this.page.keyboard.press('Escape');
  }

  /** Labels of the rows the open quick pick shows (port picker, file dialog…). */
  async quickPickRows(deadline: Deadline): Promise<string[]> {
    await this.page.waitForSelector('.quick-input-widget .quick-input-list .monaco-list-row', { timeout: deadline.remainingMs() });
    return this.page.$$eval('.quick-input-widget .quick-input-list .monaco-list-row', (nodes) =>
      nodes.map((n) => (n.querySelector('.label-name')?.textContent ?? n.textContent ?? '').trim()),
    );
  }

  /** Clicks the quick pick row whose label matches. */
  async pickRow(label: RegExp, deadline: Deadline): Promise<void> {
    const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
      has: this.page.locator('.label-name', { hasText: label }),
    });
    await row.first().waitFor({ state: 'visible', timeout: deadline.remainingMs() });
    await row.first().click();
  }

  /**
   * Ticks the rows of a multi-select quick pick whose labels match (a click on a row
   * toggles its checkbox), checks they are ticked, then accepts with Enter.
   */
  async tickRowsAndAccept(labels: RegExp[], deadline: Deadline): Promise<void> {
    for (const label of labels) {
      const row = this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
        has: this.page.locator('.label-name', { hasText: label }),
      });
      await row.first().waitFor({ state: 'visible', timeout: deadline.remainingMs() });
      await row.first().click();
      await pollUntil(
        async () => ((await row.first().getAttribute('aria-checked')) === 'true' ? true : undefined),
        deadline,
        () => `the row ${label} is not ticked`,
      );
    }
    await this.page.locator('.quick-input-widget .quick-input-box input').press('Enter');
  }

  /** Types into the open quick input (input box, simple file dialog) and accepts with Enter. */
  async answerQuickInput(text: string, deadline: Deadline): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: deadline.remainingMs() });
    // The simple file dialog writes its starting folder into the box once it has listed
    // it, which can land after (or into) what was typed: the text must still be there one
    // poll later, else it is typed again.
    let hasHeld = false;
    await pollUntil(
      async () => {
        if ((await input.inputValue()) === text) {
          if (hasHeld) return true;
          hasHeld = true;
          return undefined;
        }
        hasHeld = false;
        await input.fill(text);
        return undefined;
      },
      deadline,
      () => `the quick input does not keep "${text}"`,
    );
    await input.press('Enter');
  }

  /** The text of this extension's status bar item. */
  statusItem(extensionId: string) {
    return this.page.locator(`.part.statusbar .statusbar-item[id^="${extensionId}"]`).first();
  }

  async waitForStatusText(extensionId: string, pattern: RegExp, deadline: Deadline): Promise<string> {
    return pollUntil(
      async () => {
        const text = (await this.statusItem(extensionId).innerText().catch(() => '')).trim();
        return pattern.test(text) ? text : undefined;
      },
      deadline,
      () => `status bar item does not match ${pattern}`,
    );
  }

  /** Clicks the button of the modal dialog (the upgrade's confirmation). */
  async answerDialog(button: string, deadline: Deadline): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: deadline.remainingMs() });
    const text = await dialog.innerText();
    await dialog.locator('.monaco-button', { hasText: new RegExp(`^\\s*${escapeRegExp(button)}\\s*$`) }).first().click();
    return text;
  }

  /** Waits for a notification whose message (not its source or buttons) matches; returns the message. */
  async waitForNotification(pattern: RegExp, deadline: Deadline): Promise<string> {
    let seen: string[] = [];
    return pollUntil(
      async () => {
        seen = await this.page.$$eval('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message', (nodes) =>
          nodes.map((n) => (n as HTMLElement).innerText.trim()),
        );
        return seen.find((t) => pattern.test(t));
      },
      deadline,
      () => `no notification matching ${pattern}; showing: ${seen.join(' | ') || 'none'}`,
    );
  }

  /** Hides the bottom panel (terminal, output) so a screenshot shows the editor area whole. */
  async hideBottomPanel(deadline: Deadline): Promise<void> {
    const panel = this.page.locator('.part.panel.bottom');
    if (!(await panel.isVisible())) return;
    await this.runCommand('View: Hide Panel', deadline);
    await panel.waitFor({ state: 'hidden', timeout: deadline.remainingMs() });
  }

  /** Dismisses every notification toast (after the test has read them) for a clean picture. */
  async clearNotifications(deadline: Deadline): Promise<void> {
    if ((await this.page.locator('.notifications-toasts .notification-toast').count()) === 0) return;
    await this.runCommand('Notifications: Clear All Notifications', deadline);
    await this.page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'detached', timeout: deadline.remainingMs() });
  }

  /** Scrolls the first element showing `text` inside `frame` into view (a card low in the panel). */
  async scrollTextIntoView(frame: Frame, text: RegExp): Promise<void> {
    await frame.getByText(text).first().scrollIntoViewIfNeeded();
  }

  /** Text of the visible terminal (the DOM renderer keeps it in .xterm-rows). */
  async terminalText(): Promise<string> {
    return this.page.$$eval('.terminal-wrapper.active .xterm-rows, .terminal-wrapper .xterm-rows', (nodes) =>
      nodes.map((n) => (n as HTMLElement).innerText).join('\n'),
    );
  }

  async waitForTerminalText(pattern: RegExp, deadline: Deadline): Promise<string> {
    let last = '';
    return pollUntil(
      async () => {
        last = await this.terminalText();
        return pattern.test(last) ? last : undefined;
      },
      deadline,
      () => `terminal shows:\n${last.slice(-2000)}`,
    );
  }

  /** Focuses the active terminal and types a line into it. */
  async typeInTerminal(line: string): Promise<void> {
    await this.page.locator('.terminal-wrapper.active .xterm, .terminal-wrapper .xterm').first().click();
    await this.page.keyboard.type(line);
    await this.page.keyboard.press('Enter');
  }

  /** The first frame (page, webview iframe, or its nested content frame) whose body text matches. */
  async frameWithText(pattern: RegExp, deadline: Deadline): Promise<Frame> {
    return pollUntil(
      async () => {
        for (const frame of this.page.frames()) {
          const text = await frameText(frame);
          if (pattern.test(text)) return frame;
        }
        return undefined;
      },
      deadline,
      () => `no frame shows ${pattern} (${this.page.frames().length} frames)`,
    );
  }

  /** Waits until some frame's text matches `pattern`; returns the matching text. */
  async waitForText(pattern: RegExp, deadline: Deadline): Promise<string> {
    const frame = await this.frameWithText(pattern, deadline);
    return frame.evaluate(() => document.body?.innerText ?? '');
  }

  /** Runs the palette command whose title matches (titles that vary between VS Code versions). */
  async runCommandMatching(query: string, title: RegExp, deadline: Deadline): Promise<void> {
    await this.openPalette(query, deadline);
    await this.pickRow(title, deadline);
  }

  /** Whether this extension's status bar item is on screen now. */
  async isStatusItemShown(extensionId: string): Promise<boolean> {
    return (await this.page.locator(`.part.statusbar .statusbar-item[id^="${extensionId}"]`).count()) > 0 && (await this.statusItem(extensionId).isVisible());
  }

  /** Picks a colour theme the way a user does (Preferences: Color Theme) and waits until the workbench wears it. */
  async setColorTheme(label: string, workbenchClass: 'vs' | 'vs-dark' | 'hc-black' | 'hc-light', deadline: Deadline): Promise<void> {
    await this.runCommand('Preferences: Color Theme', deadline);
    // Typed first: the list is virtualised, a theme far down has no row until filtered in.
    await this.page.locator('.quick-input-widget .quick-input-box input').fill(label);
    await this.pickRow(new RegExp(`^\\s*(Default )?${escapeRegExp(label)}\\s*$`), deadline);
    await pollUntil(
      async () => ((await this.page.locator(`.monaco-workbench.${workbenchClass}`).count()) > 0 ? true : undefined),
      deadline,
      () => `the workbench did not switch to ${label}`,
    );
  }

  /**
   * The steps of the open walkthrough: id (the part after the last '#') and whether VS Code
   * shows it done (the step button's aria-checked).
   */
  async walkthroughSteps(): Promise<{ id: string; isDone: boolean; text: string }[]> {
    return this.page.$$eval('button.getting-started-step[data-step-id]', (nodes) =>
      nodes.map((n) => ({
        id: (n.getAttribute('data-step-id') ?? '').split('#').pop() ?? '',
        isDone: n.getAttribute('aria-checked') === 'true',
        text: (n as HTMLElement).innerText.trim(),
      })),
    );
  }

  async waitForWalkthroughStep(stepId: string, isDone: boolean, deadline: Deadline): Promise<void> {
    let seen: { id: string; isDone: boolean }[] = [];
    await pollUntil(
      async () => {
        seen = await this.walkthroughSteps();
        return seen.some((s) => s.id === stepId && s.isDone === isDone) ? true : undefined;
      },
      deadline,
      () => `walkthrough steps: ${seen.map((s) => `${s.id}=${s.isDone ? 'done' : 'open'}`).join(', ') || 'none shown'}`,
    );
  }

  /** Captures the window, checks it is not blank, and returns where it went. */
  async screenshot(name: string): Promise<Screenshot> {
    // A pointer left on the status bar or a button would leave its hover card in the picture.
    await this.page.mouse.move(700, 5);
    const path = join(this.screenshotDir, `${name}.png`);
    await this.page.screenshot({ path });
    const png = readFileSync(path);
    return { path, stats: assertNotBlank(png, name), sizeBytes: png.length };
  }
}

/** Throws when a capture is blank or nearly one colour (a page that did not render). */
export function assertNotBlank(png: Uint8Array, name: string): PngStats {
  const stats = pngStats(png);
  if (stats.lumaStdDev < MIN_LUMA_STDDEV || stats.distinctColours < MIN_DISTINCT_COLOURS) {
    throw new Error(`screenshot ${name} looks blank (luma spread ${stats.lumaStdDev.toFixed(1)}, ${stats.distinctColours} colours)`);
  }
  return stats;
}

/** Copies a checked screenshot next to the README's images. */
export function publishScreenshot(shot: Screenshot, mediaDir: string, name: string): string {
  mkdirSync(mediaDir, { recursive: true });
  const target = join(mediaDir, `${name}.png`);
  copyFileSync(shot.path, target);
  return target;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How long one frame may take to give its text: a webview frame still loading can hold an evaluate for good. */
const FRAME_TEXT_MS = 2_000;

/** A frame's text, or '' when it cannot give it soon (loading, detached): the poll then moves on to the next frame. */
async function frameText(frame: Frame): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(''), FRAME_TEXT_MS)));
  try {
    return await Promise.race([frame.evaluate(() => document.body?.innerText ?? '').catch(() => ''), late]);
  } finally {
    clearTimeout(timer);
  }
}
