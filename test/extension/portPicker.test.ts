import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { __stub, createExtensionContext, QuickPickItemKind } from '../support/vscodeStub';
import { activate } from '../../src/extension';
import { buildPortPickItems, type PortPickItem } from '../../src/views/portPicker';
import { FakeCore } from './fakeCore';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPtyPair, ptySkipReason } from '../support/ptyPair';
import { PortWatcher } from '../../src/views/portWatcher';

beforeEach(() => __stub.reset());

const ports = [
  { path: '/dev/ttyS0', description: 'serial port (unknown device)', isLikelyPycom: false },
  { path: '/dev/ttyUSB1', description: 'FTDI', isLikelyPycom: false },
  { path: '/dev/ttyACM0', description: 'Expansion Board 3.x (Pycom, 04d8:ef98)', board: 'Expansion Board 3.x', isLikelyPycom: true },
];

test('Pycom boards come first with their USB description, then other ports, then the simulator', () => {
  const items = buildPortPickItems(ports, '/dev/ttyUSB1');
  const real = items.filter((i) => i.kind !== QuickPickItemKind.Separator);
  assert.equal(real[0]!.port?.path, '/dev/ttyACM0');
  assert.match(real[0]!.description!, /Pycom Expansion Board 3\.x/);
  assert.match(real[0]!.description!, /04d8:ef98/);
  assert.deepEqual(real.slice(1, 3).map((i) => i.port?.path), ['/dev/ttyS0', '/dev/ttyUSB1']);
  assert.equal(real.find((i) => i.port?.path === '/dev/ttyUSB1')?.picked, true);
  const sim = real.find((i) => i.port?.path === 'sim:GPy');
  assert.ok(sim, 'the simulated GPy is offered');
  assert.match(sim!.label, /Simulated GPy/);
  assert.ok(real[real.length - 1]!.isManualEntry);
});

test('with no serial ports (or no serial support) the simulator is still offered', () => {
  const items = buildPortPickItems([]);
  assert.ok(items.some((i) => i.port?.path === 'sim:GPy'));
});

test('Select Port lists ports, stores the choice per workspace and shows it in the status bar', async () => {
  const core = new FakeCore();
  core.ports = ports;
  const context = createExtensionContext();
  activate(context as never, { loadCore: async () => core });
  __stub.quickPickAnswers.push((items: PortPickItem[]) => items.find((i) => i.port?.path === '/dev/ttyACM0'));
  const chosen = await __stub.commands.get('pycomModem.selectPort')!();
  assert.equal(chosen, '/dev/ttyACM0');
  assert.ok(core.listCalls >= 1);
  assert.equal(context.workspaceState.get<{ path: string }>('pycomModem.selectedPort')?.path, '/dev/ttyACM0');
  const item = __stub.statusBarItems[0]!;
  assert.match(item.text, /\/dev\/ttyACM0 · Expansion Board 3\.x/);
  context.subscriptions.forEach((d) => d.dispose());
});

test('the status bar flags the selected port as unplugged when it leaves the list, and recovers', async () => {
  const core = new FakeCore();
  core.ports = ports;
  const context = createExtensionContext();
  const services = activate(context as never, { loadCore: async () => core });
  await services.selection.select({ path: '/dev/ttyACM0' });
  await services.watcher.refresh();
  const item = __stub.statusBarItems[0]!;
  assert.doesNotMatch(item.text, /debug-disconnect/);
  core.ports = ports.filter((p) => p.path !== '/dev/ttyACM0');
  await services.watcher.refresh();
  assert.match(item.text, /debug-disconnect/);
  assert.ok(item.backgroundColor);
  core.ports = ports;
  await services.watcher.refresh();
  assert.doesNotMatch(item.text, /debug-disconnect/);
  context.subscriptions.forEach((d) => d.dispose());
});

test('a typed path that is no listed serial port (a socat pty) counts as plugged in while it exists on disk', { skip: ptySkipReason() }, async () => {
  const pty = await openPtyPair();
  const core = new FakeCore();
  core.ports = ports;
  const context = createExtensionContext();
  const services = activate(context as never, { loadCore: async () => core });
  try {
    await services.selection.select({ path: pty.hostPath });
    const listed = await services.watcher.refresh();
    assert.ok(listed.some((p) => p.path === pty.hostPath), 'the pty joins the list');
    const item = __stub.statusBarItems[0]!;
    assert.doesNotMatch(item.text, /debug-disconnect/);
    assert.doesNotMatch(String((item.tooltip as { value?: string })?.value ?? item.tooltip), /Not connected/);
    assert.equal(item.backgroundColor, undefined);
    // socat gone: the link dangles (stat follows it), so the port is unplugged.
    await pty.close();
    await services.watcher.refresh();
    assert.match(item.text, /debug-disconnect/);
    assert.match(String((item.tooltip as { value?: string })?.value ?? item.tooltip), /Not connected: plug the board in/);
  } finally {
    await pty.close();
    context.subscriptions.forEach((d) => d.dispose());
  }
});

test('the watcher probes only watched paths, follows symlinks, and drops a path nobody watches', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'port-watch-'));
  try {
    const target = join(dir, 'pts-3');
    const link = join(dir, 'host');
    await writeFile(target, '');
    await symlink(target, link);
    const dangling = join(dir, 'gone');
    await symlink(join(dir, 'no-such-target'), dangling);
    const probed: string[] = [];
    const watcher = new PortWatcher(async () => [...ports], 3000, async (path) => {
      probed.push(path);
      const { pathExistsOnDisk } = await import('../../src/views/portWatcher.js');
      return pathExistsOnDisk(path);
    });
    assert.deepEqual((await watcher.refresh()).map((p) => p.path), ports.map((p) => p.path), 'nothing watched, nothing probed');
    assert.deepEqual(probed, []);
    const watchLink = watcher.watchPath(link);
    const watchDangling = watcher.watchPath(dangling);
    const watchListed = watcher.watchPath('/dev/ttyACM0');
    const watchSim = watcher.watchPath('sim:GPy');
    const changes: string[][] = [];
    watcher.onDidChangePorts((list) => changes.push(list.map((p) => p.path)));
    const list = await watcher.refresh();
    assert.deepEqual(list.map((p) => p.path), [...ports.map((p) => p.path), link], 'the link to an existing file is present; the dangling one is not');
    assert.deepEqual(probed.sort(), [dangling, link].sort(), 'a listed port and the simulator are not probed');
    assert.equal(list.at(-1)!.isLikelyPycom, false);
    assert.equal(changes.length, 1);
    await rm(target);
    assert.equal((await watcher.refresh()).some((p) => p.path === link), false, 'the target vanished: so did the port');
    assert.equal(changes.length, 2);
    await writeFile(target, '');
    watchLink.dispose();
    watchLink.dispose();
    probed.length = 0;
    assert.equal((await watcher.refresh()).some((p) => p.path === link), false, 'no longer watched');
    assert.deepEqual(probed, [dangling]);
    for (const d of [watchDangling, watchListed, watchSim]) d.dispose();
    watcher.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the port watcher polls only while the window is focused', async () => {
  const core = new FakeCore();
  const context = createExtensionContext();
  const services = activate(context as never, { loadCore: async () => core });
  __stub.isFocused = false;
  services.watcher.start();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(core.listCalls, 0, 'no listing in a background window');
  const listed = new Promise<void>((resolve) => services.watcher.onDidChangePorts(() => resolve()));
  __stub.windowFocus.fire({ focused: true });
  await listed;
  assert.equal(core.listCalls, 1);
  context.subscriptions.forEach((d) => d.dispose());
});

test('without the native serial module: the picker still offers the simulator, and a command says what to do', async () => {
  const { SerialBindingError } = await import('../../src/core/transport/serialErrors.js');
  const core = new FakeCore();
  core.listSerialPorts = async () => {
    throw new SerialBindingError(new Error('invalid ELF header'));
  };
  core.identifyBoard = async () => {
    throw new SerialBindingError(new Error('invalid ELF header'));
  };
  core.upgradeScript = async () => {
    throw new SerialBindingError(new Error('invalid ELF header'));
  };
  const context = createExtensionContext();
  activate(context as never, { loadCore: async () => core });
  __stub.quickPickAnswers.push((items: PortPickItem[]) => items.find((i) => i.port?.path === 'sim:GPy'));
  assert.equal(await __stub.commands.get('pycomModem.selectPort')!(), 'sim:GPy');
  await __stub.commands.get('pycomModem.upgradeModem')!({ portPath: '/dev/ttyACM0', files: ['/fw/a.dup'] });
  assert.equal(core.upgradeRequests.length, 0, 'stopped before the confirmation');
  assert.equal(__stub.messages.filter((m) => m.severity === 'warning').length, 0);
  const error = __stub.messages.find((m) => m.severity === 'error')!;
  assert.ok(error.items.includes('Use Simulated GPy'));
  assert.match(error.message, /native "serialport" module\) could not be loaded/);
  assert.match(error.message, /npm rebuild serialport|Reinstall the extension/);
  context.subscriptions.forEach((d) => d.dispose());
});
