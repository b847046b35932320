// The extension as a good VS Code citizen, in a real workbench (code-server + Chromium,
// the harness of run.test.ts): the status bar item stays away until it is asked for, the
// REPL is in the terminal's "+" menu, the walkthrough opens and its steps complete, and the
// upgrade panel follows the colour theme (light, dark, high contrast; the README's pictures).
//
// Environment: as run.test.ts (PYCOM_E2E_VSIX, PYCOM_E2E_KEEP).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Frame } from 'playwright-core';
import { ProcessGroup } from './harness/processes';
import { createProfile, installExtension, removeProfile, startCodeServer, waitForExtensionHostLog, type WorkbenchProfile } from './harness/codeServer';
import { extensionId, readManifest } from './harness/manifest';
import { Deadline, pollUntil } from './harness/waits';
import { Workbench, escapeRegExp, publishScreenshot } from './harness/workbench';
import { TimingLog } from './harness/timingLog';

const repoRoot = resolve(__dirname, '..', '..');
const screenshotDir = join(repoRoot, 'test-results', 'e2e-citizen');
const readmeImageDir = join(repoRoot, 'media', 'screenshots');
const manifest = readManifest(repoRoot);
const extId = extensionId(manifest);

const timings = new TimingLog();
const processes = new ProcessGroup();
processes.killOnExit();
let profile: WorkbenchProfile | undefined;
let workbench: Workbench | undefined;

/** The status bar as a user who never touched the extension has it; the simulator runs fast. */
const EXTENSION_SETTINGS = {
  'pycomModem.statusBar': 'auto',
  'pycomModem.simulator.speedUp': 200,
};

describe('a good VS Code citizen, in a real VS Code (code-server + Chromium)', { concurrency: false }, () => {
  before(async () => {
    const { ensureE2eEnvironment } = await import('../../scripts/e2e/setup.mjs');
    const env = await timings.measure('setup', async () => ensureE2eEnvironment());
    let vsixPath: string;
    if (process.env.PYCOM_E2E_VSIX) {
      vsixPath = resolve(process.env.PYCOM_E2E_VSIX);
    } else {
      const { packageVsix } = await import('../../scripts/package.mjs');
      vsixPath = (await timings.measure('package', async () => packageVsix({ target: 'linux-x64' }))).vsixPath;
    }
    await timings.measure('start', async () => {
      profile = createProfile(EXTENSION_SETTINGS);
      await installExtension(processes, env.codeServerEntry, profile, vsixPath, Deadline.in(120_000, 'extension install'));
      const server = await startCodeServer(processes, env.codeServerEntry, profile, Deadline.in(60_000, 'code-server to listen'));
      workbench = await Workbench.open({ chromiumPath: env.chromiumPath, url: server.url, screenshotDir, deadline: Deadline.in(90_000, 'the workbench to load') });
    });
  });

  after(async () => {
    await workbench?.close();
    await processes.killAll();
    if (profile && !process.env.PYCOM_E2E_KEEP) removeProfile(profile);
    else if (profile) console.log(`kept the e2e profile in ${profile.rootDir}`);
    console.log(timings.summary());
  });

  test('quiet until needed: no status bar item in a window with no board and no port picked', async () => {
    await scenario('status bar', async () => {
      const wb = requireWorkbench();
      // Activated at startup (onStartupFinished), with no Pycom board on this machine.
      await waitForExtensionHostLog(requireProfile(), new RegExp(`_doActivateExtension ${escapeRegExp(extId)}`), Deadline.in(60_000, 'activation'));
      // The palette lists the commands once activation registered them: the item exists by then.
      await wb.paletteRows('Pycom: Select Port', Deadline.in(10_000, 'the Select Port command'));
      await wb.closeQuickInput();
      assert.equal(await wb.isStatusItemShown(extId), false, 'the port item shows in a window with no board and no port picked');
      await wb.screenshot('status-bar-quiet');
    });
  });

  test('walkthrough: opens from "Pycom: Get Started"; its Select Port button and the simulated upgrade complete their steps', async () => {
    await scenario('walkthrough', async () => {
      const wb = requireWorkbench();
      await wb.runCommand('Pycom: Get Started', Deadline.in(10_000, 'the Get Started command'));
      await wb.waitForText(/Upgrade a Pycom LTE modem/, Deadline.in(20_000, 'the walkthrough page'));
      const steps = await pollUntil(
        async () => {
          const shown = await wb.walkthroughSteps();
          return shown.length >= 7 ? shown : undefined;
        },
        Deadline.in(10_000, 'the walkthrough steps'),
      );
      assert.deepEqual(
        steps.map((s) => s.id),
        ['serialAccess', 'firmware', 'freePort', 'simulator', 'upgrade', 'powerCycle', 'sessions'],
      );
      assert.deepEqual(steps.filter((s) => s.isDone).map((s) => s.id), [], 'nothing done in a fresh profile');
      await wb.screenshot('walkthrough');

      // The first step's button runs Pycom: Select Port; picking a port shows the status bar item.
      await wb.page.locator('.getting-started-step[data-step-id$="#serialAccess"]').getByText('Select Port', { exact: true }).click();
      await wb.pickRow(/Simulated GPy/, Deadline.in(20_000, 'the port picker'));
      await wb.waitForWalkthroughStep('serialAccess', true, Deadline.in(10_000, 'the serial access step to be done'));
      const text = await wb.waitForStatusText(extId, /sim:GPy/, Deadline.in(10_000, 'the status bar to show sim:GPy once a port is picked'));
      assert.match(text, /sim:GPy/);

      await wb.runCommand('Pycom: Try Upgrade on Simulated GPy', Deadline.in(10_000, 'the simulator command'));
      await wb.answerDialog('Upgrade', Deadline.in(60_000, 'the upgrade confirmation'));
      // The walkthrough tab stays open behind the panel; onCommand marks the step at once.
      await wb.waitForWalkthroughStep('simulator', true, Deadline.in(20_000, 'the simulator step to be done'));
      const done = await wb.waitForNotification(/^Modem upgraded/, Deadline.in(240_000, 'the upgrade to finish'));
      assert.match(done, /build \d+/);
      const after = await wb.walkthroughSteps();
      assert.equal(after.find((s) => s.id === 'upgrade')?.isDone, false, 'the simulator does not tick the real upgrade');
    });
  });

  test('terminal profile: "Pycom REPL" among the new-terminal profiles opens the REPL terminal of the picked port', async () => {
    await scenario('terminal profile', async () => {
      const wb = requireWorkbench();
      // The workbench lists contributed profiles once its terminal backend is up, which the
      // first terminal brings.
      await wb.runCommand('Terminal: Create New Terminal', Deadline.in(10_000, 'a first terminal'));
      await wb.page.locator('.part.panel .terminal-wrapper').first().waitFor({ state: 'visible', timeout: 10_000 });
      await pollUntil(
        async () => {
          await wb.runCommandMatching('Create New Terminal (With Profile)', /Create New Terminal \(With Profile\)/, Deadline.in(10_000, 'the new-terminal-with-profile command'));
          // The palette's box turns into the profile picker's: type once it has.
          const input = wb.page.locator('.quick-input-widget .quick-input-box input[placeholder*="profile" i]');
          await input.waitFor({ state: 'visible', timeout: 5_000 });
          await input.fill('Pycom REPL');
          const rows = await wb.quickPickRows(Deadline.in(3_000, 'the profile rows')).catch(() => []);
          if (rows.some((r) => /Pycom REPL/.test(r))) return true;
          await wb.closeQuickInput();
          return undefined;
        },
        Deadline.in(30_000, 'the Pycom REPL profile among the terminal profiles'),
        undefined,
        1_000,
      );
      await wb.pickRow(/Pycom REPL/, Deadline.in(5_000, 'the Pycom REPL profile'));
      // The profile's terminal joins the first one, named as "Pycom: Open REPL Terminal" names
      // its terminal (the REPL's own output is read in run.test.ts; the same pseudoterminal).
      await pollUntil(
        async () => ((await wb.page.locator('.part.panel').innerText()).includes('Pycom REPL (sim:GPy)') ? true : undefined),
        Deadline.in(10_000, 'the Pycom REPL (sim:GPy) terminal in the panel'),
      );
      await wb.screenshot('repl-terminal-profile');
      await wb.runCommand('Terminal: Kill All Terminals', Deadline.in(10_000, 'closing the terminals'));
      await wb.hideBottomPanel(Deadline.in(10_000, 'the bottom panel to hide'));
    });
  });

  test('the upgrade panel follows the colour theme: light, dark and high contrast', async () => {
    await scenario('themes', async () => {
      const wb = requireWorkbench();
      await wb.runCommand('Pycom: Open Upgrade Panel', Deadline.in(10_000, 'the panel command'));
      await wb.frameWithText(/100 %/, Deadline.in(30_000, 'the finished upgrade in the panel'));
      await wb.hideBottomPanel(Deadline.in(10_000, 'the bottom panel to hide'));
      await wb.clearNotifications(Deadline.in(10_000, 'the notifications to clear'));
      const themes = [
        { label: 'Light Modern', workbenchClass: 'vs', bodyClass: 'vscode-light', picture: 'upgrade-panel-light' },
        { label: 'Dark Modern', workbenchClass: 'vs-dark', bodyClass: 'vscode-dark', picture: 'upgrade-panel-dark' },
        { label: 'Dark High Contrast', workbenchClass: 'hc-black', bodyClass: 'vscode-high-contrast', picture: 'upgrade-panel-high-contrast' },
      ] as const;
      const backgrounds: Record<string, number> = {};
      for (const theme of themes) {
        await wb.setColorTheme(theme.label, theme.workbenchClass, Deadline.in(20_000, `the ${theme.label} theme`));
        const panel = await panelWearing(wb, theme.bodyClass, Deadline.in(20_000, `the panel in ${theme.label}`));
        backgrounds[theme.label] = await panel.evaluate(() => {
          const [r, g, b] = (getComputedStyle(document.body).backgroundColor.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).map(Number);
          return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
        });
        await wb.closeQuickInput();
        publishScreenshot(await wb.screenshot(theme.picture), readmeImageDir, theme.picture);
      }
      // The page takes its colours from the theme (panel.css uses --vscode-* variables).
      assert.ok(backgrounds['Light Modern']! > 180, `light background luma ${backgrounds['Light Modern']}`);
      assert.ok(backgrounds['Dark Modern']! < 80, `dark background luma ${backgrounds['Dark Modern']}`);
      assert.ok(backgrounds['Dark High Contrast']! < 40, `high-contrast background luma ${backgrounds['Dark High Contrast']}`);
      await wb.setColorTheme('Dark Modern', 'vs-dark', Deadline.in(20_000, 'the dark theme again'));
    });
  });
});

/** The panel's content frame once VS Code has told it the theme (the body's vscode-* class). */
async function panelWearing(wb: Workbench, bodyClass: string, deadline: Deadline): Promise<Frame> {
  return pollUntil(
    async () => {
      for (const frame of wb.page.frames()) {
        const matches = await frame
          .evaluate((cls) => document.body?.classList.contains(cls) === true && /Modem version|100 %/.test(document.body.innerText), bodyClass)
          .catch(() => false);
        if (matches) return frame;
      }
      return undefined;
    },
    deadline,
    () => `no panel frame has the class ${bodyClass}`,
  );
}

async function scenario(name: string, work: () => Promise<void>): Promise<void> {
  try {
    await timings.measure(name, work);
  } catch (error) {
    mkdirSync(screenshotDir, { recursive: true });
    await workbench?.page.screenshot({ path: join(screenshotDir, `failed-${name.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
    throw error;
  }
}

function requireWorkbench(): Workbench {
  if (!workbench) throw new Error('the workbench did not start (see the before hook)');
  return workbench;
}

function requireProfile(): WorkbenchProfile {
  if (!profile) throw new Error('no profile (see the before hook)');
  return profile;
}
