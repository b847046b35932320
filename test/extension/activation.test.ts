import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { __stub, createExtensionContext } from '../support/vscodeStub';
import { activate } from '../../src/extension';
import { ALL_COMMANDS } from '../../src/commands';
import { FakeCore } from './fakeCore';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const nls = JSON.parse(readFileSync('package.nls.json', 'utf8')) as Record<string, string>;
/** A manifest string as VS Code shows it: `%key%` from package.nls.json. */
const shown = (text: string) => text.replace(/^%([^%]+)%$/, (whole, key: string) => nls[key] ?? whole);

function start(core = new FakeCore()) {
  const context = createExtensionContext();
  let loads = 0;
  const services = activate(context as never, {
    loadCore: async () => {
      loads++;
      return core;
    },
  });
  return { context, services, core, loads: () => loads, dispose: () => context.subscriptions.forEach((d) => d.dispose()) };
}

beforeEach(() => __stub.reset());

test('activate registers every command package.json contributes, and only those', () => {
  const run = start();
  const contributed = (pkg.contributes.commands as { command: string }[]).map((c) => c.command).sort();
  assert.deepEqual([...__stub.commands.keys()].sort(), contributed);
  assert.deepEqual(ALL_COMMANDS.map((c) => c.id).sort(), contributed);
  run.dispose();
  assert.equal(__stub.commands.size, 0, 'disposing the subscriptions unregisters them');
});

test('activation is cheap: loads no core, lists no port, stays well under 20 ms', () => {
  const core = new FakeCore();
  const started = performance.now();
  const run = start(core);
  const tookMs = performance.now() - started;
  assert.equal(run.loads(), 0);
  assert.equal(core.listCalls, 0);
  assert.ok(tookMs < 20, `activation took ${tookMs.toFixed(1)} ms`);
  run.dispose();
});

test('activation creates the status bar port picker, the log view, the output channel and the panel serializer', () => {
  const run = start();
  const item = __stub.statusBarItems[0]!;
  assert.equal(item.command, 'pycomModem.selectPort');
  assert.equal(item.isVisible, false, 'no board, no port picked: the item stays out of this window');
  assert.match(item.text, /Select Pycom port/);
  assert.deepEqual(__stub.treeViews.map((v) => v.id), ['pycomModem.log']);
  assert.deepEqual(__stub.channels.map((c) => c.name), ['Pycom Modem']);
  assert.ok(__stub.serializers.has('pycomModem.upgradePanel'));
  run.dispose();
});

test('package.json: categories, activation, views, settings and icons are consistent', () => {
  for (const command of pkg.contributes.commands) assert.equal(shown(command.category), 'Pycom', command.command);
  assert.ok(pkg.activationEvents.includes('onStartupFinished'));
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:pycomModem.upgradePanel'));
  assert.deepEqual(pkg.extensionKind, ['ui', 'workspace']);
  assert.equal(pkg.contributes.viewsContainers.activitybar[0].id, 'pycom-modem');
  assert.equal(pkg.contributes.views['pycom-modem'][0].id, 'pycomModem.log');
  readFileSync(pkg.contributes.viewsContainers.activitybar[0].icon);
  const png = readFileSync(pkg.icon);
  assert.equal(png.readUInt32BE(16), 128);
  assert.equal(png.readUInt32BE(20), 128);
  const settings = Object.keys(pkg.contributes.configuration.properties);
  for (const key of ['defaultPort', 'statusBar', 'replBaudRate', 'timeouts.atReplySeconds', 'transcriptFolder', 'simulator.speedUp']) {
    assert.ok(settings.includes(`pycomModem.${key}`), key);
  }
  assert.equal(pkg.contributes.configuration.properties['pycomModem.replBaudRate'].default, 115200);
  // Mirror mode's speed is the board's (921600): a setting for it could only be wrong.
  assert.equal(pkg.contributes.configuration.properties['pycomModem.mirrorBaudRate'], undefined);
  // Every command a menu names exists.
  const ids = new Set(pkg.contributes.commands.map((c: { command: string }) => c.command));
  for (const entries of Object.values(pkg.contributes.menus) as { command: string }[][]) {
    for (const entry of entries) assert.ok(ids.has(entry.command), entry.command);
  }
});
