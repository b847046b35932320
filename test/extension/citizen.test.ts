// The extension as a good VS Code citizen: quiet until needed (status bar, explorer menu),
// the REPL in the terminal's "+" menu, a walkthrough, localisable manifest strings, and
// the workspace-trust / virtual-workspace declarations.
import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { __stub, createExtensionContext, TerminalProfile } from '../support/vscodeStub';
import { activate } from '../../src/extension';
import { isPortItemWanted } from '../../src/views/portStatusBar';
import { HAS_PORT_CONTEXT, WAS_USED_CONTEXT } from '../../src/views/usageContext';
import { REPL_TERMINAL_PROFILE_ID } from '../../src/commands/replTerminalProfile';
import { WALKTHROUGH_ID } from '../../src/commands/openWalkthrough';
import { ReplPseudoterminal } from '../../src/views/replTerminal';
import { FakeCore } from './fakeCore';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const nls = JSON.parse(readFileSync('package.nls.json', 'utf8')) as Record<string, string>;

const PYCOM_BOARD = { path: '/dev/ttyACM0', description: '/dev/ttyACM0 — Pysense (Pycom, 04d8:f012)', isLikelyPycom: true, board: 'Pysense' };
const OTHER_PORT = { path: '/dev/ttyUSB0', description: '/dev/ttyUSB0 — serial port (FTDI, 0403:6001)', isLikelyPycom: false };

function start(core = new FakeCore()) {
  const context = createExtensionContext();
  const services = activate(context as never, { loadCore: async () => core });
  const item = __stub.statusBarItems[0]!;
  return { context, services, core, item, dispose: () => context.subscriptions.forEach((d) => d.dispose()) };
}

/** Resolves after the next port listing the watcher reports. */
function nextListing(services: ReturnType<typeof start>['services']): Promise<unknown> {
  return new Promise((resolve) => {
    const subscription = services.watcher.onDidChangePorts((ports) => {
      subscription.dispose();
      resolve(ports);
    });
  });
}

beforeEach(() => __stub.reset());

test('status bar visibility: auto shows for a board, a picked port or the opened view; always and never decide alone', () => {
  const none = { mode: 'auto', hasSelectedPort: false, hasPycomBoard: false, hasOpenedSessionsView: false } as const;
  assert.equal(isPortItemWanted(none), false);
  assert.equal(isPortItemWanted({ ...none, hasSelectedPort: true }), true);
  assert.equal(isPortItemWanted({ ...none, hasPycomBoard: true }), true);
  assert.equal(isPortItemWanted({ ...none, hasOpenedSessionsView: true }), true);
  assert.equal(isPortItemWanted({ ...none, mode: 'always' }), true);
  assert.equal(isPortItemWanted({ mode: 'never', hasSelectedPort: true, hasPycomBoard: true, hasOpenedSessionsView: true }), false);
});

test('status bar (auto): hidden with no board; a Pycom board plugged in shows it, unplugged hides it; another USB serial port does not', async () => {
  const core = new FakeCore();
  core.ports = [OTHER_PORT];
  const run = start(core);
  assert.equal(run.item.isVisible, false);
  assert.equal(core.listCalls, 0, 'activation itself lists nothing');
  // After activation returns, auto mode starts watching for a board. refresh() joins a
  // listing in flight and settles after it: the next refresh() lists afresh.
  await nextListing(run.services);
  await run.services.watcher.refresh();
  assert.equal(run.item.isVisible, false, 'an FTDI adapter is not a Pycom board');

  core.ports = [OTHER_PORT, PYCOM_BOARD];
  await run.services.watcher.refresh();
  assert.equal(run.item.isVisible, true);
  assert.match(run.item.text, /Select Pycom port/);
  assert.match(String(run.item.tooltip), /\/dev\/ttyACM0/);

  core.ports = [OTHER_PORT];
  await run.services.watcher.refresh();
  assert.equal(run.item.isVisible, false);
  run.dispose();
});

test('status bar (auto): a picked port or the Sessions view opened shows it for good', async () => {
  const run = start();
  assert.equal(run.item.isVisible, false);
  __stub.treeViewHandles.get('pycomModem.log')!.setVisible(true);
  assert.equal(run.item.isVisible, true, 'opening the Sessions view asks for the extension');
  __stub.treeViewHandles.get('pycomModem.log')!.setVisible(false);
  assert.equal(run.item.isVisible, true, 'closing the view again does not hide it');
  run.dispose();

  __stub.reset();
  const picked = start();
  await picked.services.selection.select({ path: 'sim:GPy', boardName: 'GPy' });
  assert.equal(picked.item.isVisible, true);
  assert.match(picked.item.text, /sim:GPy · GPy/);
  picked.dispose();
});

test('status bar: the setting applies at once; never lists no ports at all', async () => {
  __stub.configuration.set('pycomModem.statusBar', 'never');
  const core = new FakeCore();
  core.ports = [PYCOM_BOARD];
  const run = start(core);
  await run.services.selection.select({ path: '/dev/ttyACM0' });
  // Timers of equal delay run in creation order: activation's deferred watch start has run.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(run.item.isVisible, false);
  assert.equal(core.listCalls, 0, 'nothing to show, nothing to watch');
  __stub.changeConfiguration('pycomModem.statusBar', 'always');
  assert.equal(run.item.isVisible, true);
  await nextListing(run.services);
  assert.ok(core.listCalls >= 1, 'watching starts with the setting');
  __stub.changeConfiguration('pycomModem.statusBar', 'never');
  assert.equal(run.item.isVisible, false);
  run.dispose();
});

test('context keys: hasPort follows the selection; wasUsed is set by the first command and remembered across windows', async () => {
  const run = start();
  assert.equal(__stub.contexts.get(HAS_PORT_CONTEXT), false);
  assert.equal(__stub.contexts.has(WAS_USED_CONTEXT), false);
  await run.services.selection.select({ path: 'sim:GPy' });
  assert.equal(__stub.contexts.get(HAS_PORT_CONTEXT), true);
  await __stub.commands.get('pycomModem.showLog')!();
  assert.equal(__stub.contexts.get(WAS_USED_CONTEXT), true);
  const globalState = run.context.globalState;
  run.dispose();

  __stub.reset();
  const context = createExtensionContext();
  Object.assign(context, { globalState });
  activate(context as never, { loadCore: async () => new FakeCore() });
  assert.equal(__stub.contexts.get(WAS_USED_CONTEXT), true, 'a new window knows the extension was used');
  context.subscriptions.forEach((d) => d.dispose());
});

test('explorer: Push File to Board only for local files, once the extension has a port or was used', () => {
  const entry = pkg.contributes.menus['explorer/context'].find((e: { command: string }) => e.command === 'pycomModem.pushFile');
  assert.match(entry.when, /resourceScheme == file/);
  assert.match(entry.when, /!explorerResourceIsFolder/);
  assert.match(entry.when, new RegExp(`\\(${HAS_PORT_CONTEXT.replace('.', '\\.')} \\|\\| ${WAS_USED_CONTEXT.replace('.', '\\.')}\\)`));
});

test('terminal profile: contributed and registered under one id; it opens the REPL of the selected port', async () => {
  assert.deepEqual(pkg.contributes.terminal.profiles.map((p: { id: string }) => p.id), [REPL_TERMINAL_PROFILE_ID]);
  assert.ok(pkg.activationEvents.includes(`onTerminalProfile:${REPL_TERMINAL_PROFILE_ID}`));
  const run = start();
  const provider = __stub.terminalProfileProviders.get(REPL_TERMINAL_PROFILE_ID);
  assert.ok(provider, 'activate registers the provider');

  // No port picked and the picker dismissed: no terminal.
  assert.equal(await provider.provideTerminalProfile({ isCancellationRequested: false }), undefined);

  await run.services.selection.select({ path: 'sim:GPy' });
  const profile = (await provider.provideTerminalProfile({ isCancellationRequested: false })) as TerminalProfile;
  assert.ok(profile instanceof TerminalProfile);
  assert.equal(profile.options.name, 'Pycom REPL (sim:GPy)', 'named as "Pycom: Open REPL Terminal" names it');
  assert.ok(profile.options.pty instanceof ReplPseudoterminal);
  assert.equal((profile.options.pty as ReplPseudoterminal).portPath, 'sim:GPy');
  assert.equal(__stub.terminals.length, 0, 'VS Code creates the terminal from the profile, not the extension');
  run.dispose();
  assert.equal(__stub.terminalProfileProviders.size, 0, 'disposed with the extension');
});

test('walkthrough: every step has its markdown, links a command and completes on an event the extension causes', async () => {
  const [walkthrough] = pkg.contributes.walkthroughs;
  assert.equal(WALKTHROUGH_ID, `${pkg.publisher}.${pkg.name}#${walkthrough.id}`);
  const commands = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
  const settings = new Set(Object.keys(pkg.contributes.configuration.properties));
  const views = new Set(pkg.contributes.views['pycom-modem'].map((v: { id: string }) => v.id));
  const ignore = readFileSync('.vscodeignore', 'utf8');
  for (const step of walkthrough.steps) {
    assert.ok(existsSync(step.media.markdown), step.media.markdown);
    assert.match(ignore, new RegExp(`^!${step.media.markdown.replace(/[^/]+$/, '').replace(/\//g, '\\/')}\\*$`, 'm'), `${step.media.markdown} ships in the VSIX`);
    const description = nls[step.description.slice(1, -1)]!;
    assert.match(description, /\]\((command:|https:)/, `${step.id} links what to do`);
    assert.ok(step.completionEvents.length > 0, step.id);
    for (const event of step.completionEvents as string[]) {
      const [kind, target] = [event.slice(0, event.indexOf(':')), event.slice(event.indexOf(':') + 1)];
      if (kind === 'onCommand') assert.ok(commands.has(target), `${step.id}: ${event}`);
      else if (kind === 'onSettingChanged') assert.ok(settings.has(target), `${step.id}: ${event}`);
      else if (kind === 'onView') assert.ok(views.has(target), `${step.id}: ${event}`);
      else if (kind === 'onLink') assert.ok(description.includes(`(${target})`), `${step.id}: ${event} is the step's link`);
      else assert.equal(kind, 'onContext', `${step.id}: ${event}`);
    }
  }
  const run = start();
  await __stub.commands.get('pycomModem.openWalkthrough')!();
  assert.deepEqual(__stub.executed.at(-1), { command: 'workbench.action.openWalkthrough', args: [WALKTHROUGH_ID, false] });
  run.dispose();
});

test('manifest strings: every user-facing string is a package.nls.json key, and every key is used', () => {
  const used = new Set<string>();
  const literal: string[] = [];
  const userFacing = new Set(['displayName', 'description', 'title', 'name', 'contextualTitle', 'contents', 'markdownDescription', 'markdownDeprecationMessage', 'category']);
  const walk = (value: unknown, key: string, path: string) => {
    if (typeof value === 'string') {
      const placeholder = /^%([^%]+)%$/.exec(value);
      if (placeholder) used.add(placeholder[1]!);
      else if (userFacing.has(key) && !['name'].includes(path)) literal.push(`${path}: ${value}`);
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, key === 'enumDescriptions' ? 'description' : key, `${path}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k, path ? `${path}.${k}` : k);
  };
  walk(pkg, '', '');
  assert.deepEqual(literal, [], 'literal user-facing strings in package.json');
  assert.deepEqual([...used].filter((k) => !(k in nls)), [], 'placeholders without an English string');
  assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), [], 'unused package.nls.json keys');
});

test('capabilities: limited in untrusted workspaces (port and paths from user settings only); no virtual workspaces', () => {
  const { untrustedWorkspaces, virtualWorkspaces } = pkg.capabilities;
  assert.equal(untrustedWorkspaces.supported, 'limited');
  assert.ok(nls[untrustedWorkspaces.description.slice(1, -1)]);
  for (const key of ['pycomModem.defaultPort', 'pycomModem.transcriptFolder']) assert.ok(untrustedWorkspaces.restrictedConfigurations.includes(key), key);
  for (const key of untrustedWorkspaces.restrictedConfigurations) assert.ok(pkg.contributes.configuration.properties[key], `${key} is a setting`);
  assert.equal(virtualWorkspaces.supported, false);
});
