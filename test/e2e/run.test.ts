// The extension in a real VS Code workbench: code-server (VS Code's server build) in
// Debian's Chromium, driven with playwright-core. `npm run test:e2e` runs this file:
// it installs what is missing (scripts/e2e/setup.mjs), builds and packages the VSIX,
// installs it the way a user would, and drives the workbench like a user.
//
// Environment: PYCOM_E2E_VSIX=<file> uses that VSIX instead of building one;
// PYCOM_E2E_KEEP=1 keeps the temporary profile (logs, settings) for a post-mortem;
// PYCOM_E2E_TRACE=1 logs the bytes on each simulated board's pty.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProcessGroup } from './harness/processes';
import { createProfile, installExtension, readExtensionHostLog, removeProfile, startCodeServer, waitForExtensionHostLog, type WorkbenchProfile } from './harness/codeServer';
import { commandsVisibleAtStart, extensionId, readManifest } from './harness/manifest';
import { listVsix } from './harness/vsixContents';
import { Deadline, pollUntil } from './harness/waits';
import { Workbench, assertNotBlank, escapeRegExp, publishScreenshot } from './harness/workbench';
import { TimingLog } from './harness/timingLog';
import { installedCliPath, startPtyPair, startSimulatedGpy } from './harness/simulatedGpy';
import { makeSyntheticFirmware, makeSyntheticUpdaterElf, writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { makeZip } from '../support/zipWriter';
import { STEP_TITLES } from '../../src/core/engine/upgradeEvents';

const repoRoot = resolve(__dirname, '..', '..');
const screenshotDir = join(repoRoot, 'test-results', 'e2e');
const readmeImageDir = join(repoRoot, 'media', 'screenshots');
const manifest = readManifest(repoRoot);
const extId = extensionId(manifest);

const timings = new TimingLog();
const processes = new ProcessGroup();
processes.killOnExit();
let profile: WorkbenchProfile | undefined;
let workbench: Workbench | undefined;
let vsixPath = '';
let vsixSizeBytes = 0;
const ptyDirs: string[] = [];

/**
 * Settings the scenarios rely on: the simulated modem's waits run fast, and a silent
 * modem (the crash scenario) is given up on after seconds, not the two minutes a real
 * firmware block may take.
 */
const EXTENSION_SETTINGS = {
  'pycomModem.simulator.timeScale': 200,
  'pycomModem.timeouts': { stpRequestSeconds: 4 },
};

describe('Pycom Modem Upgrader in a real VS Code (code-server + Chromium)', { concurrency: false }, () => {
  before(async () => {
    const { ensureE2eEnvironment } = await import('../../scripts/e2e/setup.mjs');
    const env = await timings.measure('setup', async () => ensureE2eEnvironment());
    if (process.env.PYCOM_E2E_VSIX) {
      vsixPath = resolve(process.env.PYCOM_E2E_VSIX);
      vsixSizeBytes = statSync(vsixPath).size;
    } else {
      const { packageVsix } = await import('../../scripts/package.mjs');
      const packaged = await timings.measure('package', async () => packageVsix({ target: 'linux-x64' }));
      vsixPath = packaged.vsixPath;
      vsixSizeBytes = packaged.sizeBytes;
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
    for (const dir of ptyDirs) rmSync(dir, { recursive: true, force: true });
    if (profile && !process.env.PYCOM_E2E_KEEP) removeProfile(profile);
    else if (profile) console.log(`kept the e2e profile in ${profile.rootDir}`);
    console.log(timings.summary());
  });

  test('the VSIX holds the bundle, the docs and the linux-x64 runtime, nothing else', () => {
    const names = listVsix(vsixPath).map((e) => e.name);
    const inExtension = names.filter((n) => n.startsWith('extension/')).map((n) => n.slice('extension/'.length));
    for (const required of ['dist/extension.js', 'dist/cli.js', 'package.json', 'readme.md', 'changelog.md', 'LICENSE.txt']) {
      assert.ok(inExtension.includes(required), `${required} missing from the VSIX`);
    }
    assert.ok(inExtension.includes('node_modules/serialport/package.json'), 'serialport missing');
    assert.ok(inExtension.some((n) => /^node_modules\/@micropython\/micropython-webassembly-pyscript\/.*\.wasm$/.test(n)), 'MicroPython wasm missing');
    const prebuilds = inExtension.filter((n) => n.endsWith('.node'));
    assert.deepEqual(prebuilds, ['node_modules/@serialport/bindings-cpp/prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node']);
    const strays = inExtension.filter((n) => /^(src|test|webview|scripts|\.e2e-cache|test-results)\//.test(n) || /\.(map|ts)$/.test(n) || n.startsWith('media/screenshots/'));
    assert.deepEqual(strays, [], 'sources, tests, maps or screenshots in the VSIX');
    assert.ok(vsixSizeBytes < 5 * 1024 * 1024, `VSIX is ${vsixSizeBytes} bytes, over 5 MB`);
  });

  test('the blank-screenshot check rejects a capture of an empty page', async () => {
    const page = await requireWorkbench().browser.newPage();
    try {
      const png = await page.screenshot();
      assert.throws(() => assertNotBlank(png, 'about:blank'), /looks blank/);
    } finally {
      await page.close();
    }
  });

  test('smoke: the extension activates, its commands are in the palette, its status bar item shows', async () => {
    await timings.measure('smoke', async () => {
      const wb = requireWorkbench();
      await waitForExtensionHostLog(requireProfile(), new RegExp(`_doActivateExtension ${escapeRegExp(extId)}`), Deadline.in(60_000, 'activation'));
      const activationFailure = new RegExp(`Activating extension ${escapeRegExp(extId)} failed[^\\n]*`, 'i').exec(readExtensionHostLog(requireProfile()));
      assert.equal(activationFailure, null, activationFailure?.[0]);

      const expected = commandsVisibleAtStart(manifest);
      assert.ok(expected.length >= 5, 'the manifest contributes the Pycom commands');
      const missing: string[] = [];
      for (const command of expected) {
        const rows = await wb.paletteRows(command.title, Deadline.in(10_000, `palette rows for ${command.title}`));
        if (!rows.includes(command.title)) missing.push(`${command.title} (palette showed: ${rows.slice(0, 5).join(' | ')})`);
      }
      const rows = await wb.paletteRows('Pycom:', Deadline.in(10_000, 'palette rows for Pycom:'));
      publishScreenshot(await wb.screenshot('palette-commands'), readmeImageDir, 'commands');
      await wb.closeQuickInput();
      assert.deepEqual(missing, [], 'commands missing from the palette');
      // "Pycom:" alone fits every command in one list: the screenshot shows them all.
      assert.deepEqual(expected.map((c) => c.title).filter((t) => !rows.includes(t)), [], `"Pycom:" rows: ${rows.join(' | ')}`);

      const statusItem = wb.page.locator(`.part.statusbar .statusbar-item[id^="${extId}"]`);
      await statusItem.first().waitFor({ state: 'visible', timeout: 20_000 });
      const statusText = (await statusItem.first().innerText()).trim();
      assert.match(statusText, /pycom|port|sim:|\/dev\//i, `status bar item says "${statusText}"`);
      await wb.screenshot('workbench-status-bar');
    });
  });

  scenarioTest('port picker: lists the simulated GPy and a typed pty path, a click selects', 'port picker', 'pycomModem.selectPort', async () => {
    const wb = requireWorkbench();
    const gpy = await simulatedGpyOnPty('picker');
    await wb.statusItem(extId).click();
    const rows = await wb.quickPickRows(Deadline.in(20_000, 'the port picker'));
    assert.ok(rows.some((r) => /Simulated GPy/.test(r)), `picker rows: ${rows.join(' | ')}`);
    assert.ok(rows.some((r) => /Enter a port path/.test(r)), `picker rows: ${rows.join(' | ')}`);
    publishScreenshot(await wb.screenshot('port-picker'), readmeImageDir, 'port-picker');
    await wb.pickRow(/Simulated GPy/, Deadline.in(5_000, 'the Simulated GPy row'));
    await wb.waitForStatusText(extId, /sim:GPy/, Deadline.in(10_000, 'the status bar to show sim:GPy'));

    await selectPortPath(gpy.hostPath);
  });

  scenarioTest('REPL terminal: the MicroPython banner, and 1+1 gives 2', 'repl', 'pycomModem.openRepl', async () => {
    const wb = requireWorkbench();
    const gpy = await simulatedGpyOnPty('repl');
    await selectPortPath(gpy.hostPath);
    await wb.runCommand('Pycom: Open REPL Terminal', Deadline.in(10_000, 'the REPL command'));
    await wb.waitForTerminalText(/MicroPython/, Deadline.in(30_000, 'the MicroPython banner'));
    await wb.waitForTerminalText(/>>>\s*$/m, Deadline.in(10_000, 'the REPL prompt'));
    await wb.typeInTerminal('1+1');
    const text = await wb.waitForTerminalText(/>>> 1\+1\s*\n\s*2\s*\n/, Deadline.in(15_000, '1+1 to print 2'));
    assert.match(text, /MicroPython/);
    publishScreenshot(await wb.screenshot('repl-terminal'), readmeImageDir, 'repl-terminal');
    await wb.runCommand('Terminal: Kill All Terminals', Deadline.in(10_000, 'closing the terminals'));
  });

  scenarioTest('upgrade on the simulated GPy: the panel shows every step, 100 % and the new version', 'upgrade', 'pycomModem.tryOnSimulator', async () => {
    const wb = requireWorkbench();
    await wb.runCommand('Pycom: Try Upgrade on Simulated GPy', Deadline.in(10_000, 'the simulator command'));
    const question = await wb.answerDialog('Upgrade', Deadline.in(60_000, 'the upgrade confirmation'));
    assert.match(question, /sim:GPy/);
    const done = await wb.waitForNotification(/^Modem upgraded/, Deadline.in(240_000, 'the upgrade to finish'));
    const build = /build (\d+)/.exec(done)?.[1];
    assert.ok(build, `the success message names the new build: ${done}`);
    const panelText = await wb.waitForText(new RegExp(`100 %[\\s\\S]*${build}|${build}[\\s\\S]*100 %`), Deadline.in(30_000, 'the panel to show 100 % and the new build'));
    assert.match(panelText, /Modem version/);
    await wb.hideBottomPanel(Deadline.in(10_000, 'the bottom panel to hide'));
    await wb.clearNotifications(Deadline.in(10_000, 'the notifications to clear'));
    for (const step of ['detect', 'prepare', 'transfer', 'report'] as const) {
      assert.ok(panelText.includes(STEP_TITLES[step]), `the panel lists the step "${STEP_TITLES[step]}"`);
    }
    publishScreenshot(await wb.screenshot('upgrade-panel'), readmeImageDir, 'upgrade-panel');
  });

  scenarioTest('Sessions view lists the upgrade', 'sessions view', 'pycomModem.showLog', async () => {
    const wb = requireWorkbench();
    await wb.runCommand('View: Show Pycom Modem', Deadline.in(10_000, 'the Pycom Modem view'));
    const rowsText = await pollSidebarRows(wb, /Upgrade/, Deadline.in(20_000, 'the Sessions view to list the upgrade'));
    assert.match(rowsText, /Upgrade/);
    publishScreenshot(await wb.screenshot('sessions-view'), readmeImageDir, 'sessions-view');
  });

  scenarioTest('a modem crash mid-transfer: the panel shows the crash card and the error says what to do', 'crash', 'pycomModem.upgradeModem', async () => {
    const wb = requireWorkbench();
    const gpy = await simulatedGpyOnPty('crash', ['crash-mid-transfer']);
    const firmware = join(requireProfile().workspaceDir, 'CATM1-38638-to-41065.dup');
    // A diff image: staged with FFF, small enough that the crash comes within seconds over the pty.
    await writeSyntheticFirmware(firmware, { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 400_000 });
    await selectPortPath(gpy.hostPath);
    await wb.runCommand('Pycom: Upgrade Modem', Deadline.in(10_000, 'the upgrade command'));
    await wb.pickRow(/Choose firmware files…/, Deadline.in(20_000, 'the firmware source picker'));
    await wb.answerQuickInput(firmware, Deadline.in(20_000, 'the firmware file dialog'));
    await wb.answerDialog('Upgrade', Deadline.in(60_000, 'the upgrade confirmation'));
    const failure = await wb.waitForNotification(/^Upgrade failed:/, Deadline.in(180_000, 'the upgrade to fail'));
    const panel = await wb.frameWithText(/Modem crash dump/, Deadline.in(30_000, 'the crash card in the panel'));
    assert.match(failure, /crash/i, `the error names the crash: ${failure}`);
    assert.match(failure, /\b(power-cycle|run|try|check|send|copy|report|upgrade again|use)\b/i, `the error tells what to do: ${failure}`);
    await wb.screenshot('crash-failed-notification');
    await wb.hideBottomPanel(Deadline.in(10_000, 'the bottom panel to hide'));
    await wb.clearNotifications(Deadline.in(10_000, 'the notifications to clear'));
    await wb.scrollTextIntoView(panel, /Modem crash dump/);
    publishScreenshot(await wb.screenshot('crash-card'), readmeImageDir, 'crash-card');
  });

  scenarioTest('several boards: two simulated GPys upgraded side by side, a row per board in the panel', 'several boards', 'pycomModem.upgradeSeveralBoards', async () => {
    const wb = requireWorkbench();
    const firmware = join(requireProfile().workspaceDir, 'CATM1-41065.dup');
    await writeSyntheticFirmware(firmware, { kind: 'full', network: 'CAT-M1', build: 41065, size: 1_500_000 });
    await wb.runCommand('Pycom: Upgrade Modems on Several Boards', Deadline.in(10_000, 'the several-boards command'));
    await wb.tickRowsAndAccept([/Simulated GPy #1/, /Simulated GPy #2/], Deadline.in(20_000, 'the board picker'));
    await wb.pickRow(/Choose firmware files…/, Deadline.in(20_000, 'the firmware source picker'));
    await wb.answerQuickInput(firmware, Deadline.in(20_000, 'the firmware file dialog'));
    const question = await wb.answerDialog('Upgrade', Deadline.in(90_000, 'the one confirmation for both boards'));
    assert.match(question, /2 boards/);
    const done = await wb.waitForNotification(/boards upgraded/, Deadline.in(300_000, 'both upgrades to finish'));
    assert.match(done, /^2 of 2 boards upgraded\./, done);
    // Board 2 of the simulated bench starts on an older build: each row has its own.
    const panelText = await wb.waitForText(/38638 → 41065[\s\S]*37746 → 41065/, Deadline.in(30_000, 'a row per board with its builds'));
    assert.match(panelText, /sim:GPy#1[\s\S]*upgraded[\s\S]*sim:GPy#2[\s\S]*upgraded/);
    await wb.hideBottomPanel(Deadline.in(10_000, 'the bottom panel to hide'));
    await wb.clearNotifications(Deadline.in(10_000, 'the notifications to clear'));
    // The pointer rests on the status bar after the port scenarios: its tooltip would cover the rows.
    await wb.page.mouse.move(700, 300);
    publishScreenshot(await wb.screenshot('fleet-panel'), readmeImageDir, 'fleet-panel');
    // Each board's session is in the Sessions view.
    await wb.runCommand('View: Show Pycom Modem', Deadline.in(10_000, 'the Pycom Modem view'));
    const rows = await pollSidebarRows(wb, /sim:GPy#1[\s\S]*sim:GPy#2|sim:GPy#2[\s\S]*sim:GPy#1/, Deadline.in(20_000, 'both boards in the Sessions view'));
    assert.match(rows, /Upgrade/);
  });

  scenarioTest('a firmware package: the tool reads the modem and picks the diff for its build from the .zip', 'package upgrade', 'pycomModem.upgradeModem', async () => {
    const wb = requireWorkbench();
    const zipPath = join(requireProfile().workspaceDir, 'CATM1-41065.zip');
    writeFileSync(
      zipPath,
      makeZip([
        { name: 'CATM1-41065/CATM1-41065.dup', data: makeSyntheticFirmware({ kind: 'full', network: 'CAT-M1', build: 41065, size: 5_835_531 }) },
        { name: 'CATM1-41065/upgdiff_38638-to-41065.dup', data: makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 600_000 }) },
        { name: 'CATM1-41065/updater.elf', data: makeSyntheticUpdaterElf() },
      ]),
    );
    // Bench board 3 of the simulated GPys: a modem on 38638, which the package's diff fits.
    await selectPortPath('sim:GPy#3');
    await wb.runCommand('Pycom: Upgrade Modem', Deadline.in(10_000, 'the upgrade command'));
    await wb.pickRow(/Choose package…/, Deadline.in(20_000, 'the firmware source picker'));
    await wb.answerQuickInput(zipPath, Deadline.in(20_000, 'the package file dialog'));
    const question = await wb.answerDialog('Upgrade', Deadline.in(60_000, 'the upgrade confirmation'));
    assert.match(question, /sim:GPy#3/);
    const done = await wb.waitForNotification(/^Modem upgraded/, Deadline.in(240_000, 'the package upgrade to finish'));
    assert.match(done, /41065/);
    // The step that chose says what it chose: the diff for the modem's build, not the full image.
    await wb.waitForText(/Choose the files from the package\s*upgdiff_38638-to-41065\.dup/, Deadline.in(30_000, 'the choice in the panel'));
    await wb.clearNotifications(Deadline.in(10_000, 'the notifications to clear'));
  });

  scenarioTest("the SD card method: the board's own updater runs the file on its card", 'sd card upgrade', 'pycomModem.upgradeModem', async () => {
    const wb = requireWorkbench();
    await selectPortPath('sim:GPy#4');
    await wb.runCommand('Pycom: Upgrade Modem', Deadline.in(10_000, 'the upgrade command'));
    await wb.pickRow(/Use files on the board/, Deadline.in(20_000, 'the firmware source picker'));
    await wb.pickRow(/\/sd\/upgdiff_38638-to-41065\.dup/, Deadline.in(60_000, "the files on the board's SD card"));
    const question = await wb.answerDialog('Upgrade', Deadline.in(30_000, 'the SD card method confirmation'));
    assert.match(question, /board's own updater on \/sd\/upgdiff_38638-to-41065\.dup/);
    const done = await wb.waitForNotification(/back at its REPL/, Deadline.in(240_000, 'the SD card upgrade to finish'));
    assert.match(done, /41065/);
    const panelText = await wb.waitForText(/Find the firmware file on the board/, Deadline.in(30_000, 'the on-board steps in the panel'));
    assert.doesNotMatch(panelText, /mirror mode has no exit/);
    await wb.hideBottomPanel(Deadline.in(10_000, 'the bottom panel to hide'));
    await wb.clearNotifications(Deadline.in(10_000, 'the notifications to clear'));
    await wb.page.mouse.move(700, 300);
    publishScreenshot(await wb.screenshot('sd-card-panel'), readmeImageDir, 'sd-card-panel');
  });

  scenarioTest('a window reload keeps the sessions: the view lists the earlier upgrades from their transcripts', 'reload keeps sessions', 'pycomModem.refreshSessions', async () => {
    const wb = requireWorkbench();
    await Promise.all([
      wb.page.waitForEvent('load', { timeout: 60_000 }),
      wb.runCommand('Developer: Reload Window', Deadline.in(10_000, 'the reload command')),
    ]);
    await wb.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await wb.runCommand('View: Show Pycom Modem', Deadline.in(30_000, 'the Pycom Modem view after the reload'));
    // The crash scenario's upgrade failed with a diagnosis; after the reload it is a past session.
    const rowsText = await pollSidebarRows(wb, /Upgrade CATM1-38638-to-41065\.dup/, Deadline.in(30_000, 'the Sessions view to list the earlier upgrade'));
    assert.match(rowsText, /failed/, `the past session says how it ended: ${rowsText}`);
    await wb.screenshot('sessions-after-reload');
  });
});

/**
 * A scenario that needs a contributed command: skipped, with the reason printed, while the
 * command is not there yet; timed; and on failure the window and the output of the
 * processes it started are kept for the post-mortem.
 */
function scenarioTest(title: string, timingName: string, requiredCommand: string, work: () => Promise<void>): void {
  const skip = missingCommand(requiredCommand);
  if (skip) {
    timings.skipped(timingName);
    console.log(`skipping "${title}": ${skip}`);
  }
  test(title, { skip }, () => scenario(timingName, work));
}

/** Times a scenario; when it fails, captures the window for the post-mortem. */
async function scenario(name: string, work: () => Promise<void>): Promise<void> {
  const before = new Set(processes.list());
  try {
    await timings.measure(name, work);
  } catch (error) {
    await workbench?.page.screenshot({ path: join(screenshotDir, `failed-${name.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
    mkdirSync(screenshotDir, { recursive: true });
    for (const p of processes.list().filter((p) => !before.has(p))) {
      const logPath = join(screenshotDir, `failed-${name.replace(/\W+/g, '-')}-${p.name.replace(/\W+/g, '-')}.log`);
      writeFileSync(logPath, p.output());
      console.log(`--- ${p.name} output (tail; all of it in ${logPath}) ---\n${p.output().slice(-4000)}`);
    }
    throw error;
  }
}

/** A skip reason when the manifest does not contribute the command yet. */
function missingCommand(commandId: string): string | false {
  return manifest.contributes?.commands?.some((c) => c.command === commandId) ? false : `${commandId} is not contributed yet`;
}

async function simulatedGpyOnPty(name: string, faults: string[] = []) {
  // PYCOM_E2E_TRACE=1: socat logs every byte both ways; a failing scenario prints it.
  const trace = process.env.PYCOM_E2E_TRACE ? ['-x'] : [];
  const pair = await startPtyPair(processes, name, Deadline.in(10_000, 'socat to link the pty pair'), trace);
  ptyDirs.push(pair.dir);
  await startSimulatedGpy(processes, {
    cliPath: installedCliPath(requireProfile().extensionsDir, extId),
    devicePath: pair.devicePath,
    faults,
    timeScale: 0.01,
    deadline: Deadline.in(30_000, 'the simulated GPy to be ready'),
  });
  return pair;
}

/** Picks a port by typing its path, as for a socat pty, an RFC 2217 bridge or a port udev does not list. */
async function selectPortPath(path: string): Promise<void> {
  const wb = requireWorkbench();
  await wb.statusItem(extId).click();
  await wb.pickRow(/Enter a port path/, Deadline.in(20_000, 'the port picker'));
  await wb.answerQuickInput(path, Deadline.in(10_000, 'the port path box'));
  await wb.waitForStatusText(extId, new RegExp(escapeRegExp(path)), Deadline.in(10_000, `the status bar to show ${path}`));
}

async function pollSidebarRows(wb: Workbench, pattern: RegExp, deadline: Deadline): Promise<string> {
  let text = '';
  return pollUntil(
    async () => {
      text = await wb.page.locator('.part.sidebar').innerText().catch(() => '');
      return pattern.test(text) ? text : undefined;
    },
    deadline,
    () => `side bar shows: ${text.slice(0, 1000)}`,
  );
}

function requireWorkbench(): Workbench {
  assert.ok(workbench, 'the workbench did not open (see the setup error above)');
  return workbench;
}

function requireProfile(): WorkbenchProfile {
  assert.ok(profile, 'no profile');
  return profile;
}
