import '../support/registerVscodeStub';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from '../support/vscodeStub';
import { MemoryLink, MemoryPortRegistry } from '../../src/core/transport/memoryLink';
import { PortOwner } from '../../src/core/transport/portOwner';
import { untilBytes, bytesToLatin1, latin1ToBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { ReplPseudoterminal } from '../../src/views/replTerminal';
import type { SerialPortChoice } from '../../src/glue/modemCore';
import { watchTerminal } from '../support/terminalScreen';

const PORT = '/dev/ttyMEM0';

function setup() {
  const registry = new MemoryPortRegistry();
  const link = registry.add(new MemoryLink(PORT));
  const device = link.open('device', { baudRate: 115200 });
  /** Counts the OS-level opens of the port: a hand-over must not open it again. */
  const opener = { opens: 0, open: (...args: Parameters<MemoryPortRegistry['open']>) => (opener.opens++, registry.open(...args)) };
  const owner = new PortOwner(opener, PORT);
  const portsChanged = new EventEmitter<readonly SerialPortChoice[]>();
  /** Paths the terminal asked the watcher to keep probing on disk, while it asks. */
  const watchedPaths: string[] = [];
  const pty = new ReplPseudoterminal({
    portPath: PORT,
    baudRate: 115200,
    ownerFor: async () => owner,
    ports: {
      onDidChangePorts: portsChanged.event as never,
      refresh: async () => [],
      watchPath: (path) => {
        watchedPaths.push(path);
        return { dispose: () => void watchedPaths.splice(watchedPaths.indexOf(path), 1) };
      },
    },
  });
  const screen = watchTerminal(pty);
  return { registry, link, device, owner, opener, pty, portsChanged, watchedPaths, shown: screen.shown, clear: screen.clear, screen: screen.text };
}

const deviceRead = (device: { read: Function }, delimiter: string) =>
  (device.read(untilBytes(delimiter), { deadline: Deadline.in(2000, 'terminal bytes') }) as Promise<Uint8Array>).then(bytesToLatin1);

test('the terminal forwards keys, Ctrl-C and pastes to the board, and board output to the screen', async () => {
  const t = setup();
  t.pty.open({ columns: 80, rows: 24 });
  await t.shown('connected to /dev/ttyMEM0 at 115200');
  assert.ok(t.link.isOpen('host'));
  assert.equal(await deviceRead(t.device, '\x02'), '\x02', 'Ctrl-B on connect: banner and a fresh prompt');

  t.pty.handleInput('print(1)\r');
  assert.equal(await deviceRead(t.device, '\r'), 'print(1)\r');
  t.pty.handleInput('\x03');
  assert.equal(await deviceRead(t.device, '\x03'), '\x03');
  const paste = 'for i in range(3):\r    print("é", i)\r' + 'x'.repeat(500) + '\r';
  t.pty.handleInput(paste);
  assert.equal(await deviceRead(t.device, 'x\r'), Buffer.from(paste, 'utf8').toString('latin1'));

  await t.device.write(latin1ToBytes('1\r\n>>> '));
  await t.shown('1\r\n>>> ');
  t.pty.setDimensions({ columns: 120, rows: 40 });
  assert.deepEqual(t.pty.size, { columns: 120, rows: 40 });
  t.pty.close();
  await t.owner.requestRelease();
  assert.equal(t.link.isOpen('host'), false);
});

test('a job takes the terminal\'s port over on the same open handle, and the terminal resumes on it afterwards', async () => {
  const t = setup();
  t.pty.open(undefined);
  await t.shown('connected to');
  t.clear();
  assert.equal(t.opener.opens, 1);
  await t.owner.run(
    async (io) => {
      // The job gets the handle the terminal had: never closed, never opened again.
      assert.equal(t.pty.currentState, 'lent');
      assert.ok(t.link.isOpen('host'));
      assert.equal(io.settings.baudRate, 921600);
      // Keys typed while lent go nowhere.
      t.pty.handleInput('ignored');
    },
    { settings: { baudRate: 921600 } },
  );
  assert.match(t.screen(), /\[port lent to the modem job\]/);
  await t.shown('port back from the modem job');
  assert.ok(t.link.isOpen('host'));
  assert.equal(t.opener.opens, 1, 'the OS handle stayed open through the hand-over and back');
  t.pty.handleInput('A');
  assert.equal(await deviceRead(t.device, 'A'), '\x02\x02A', 'one Ctrl-B per session (none from the lent time), then the key');
  t.pty.close();
});

test('after the board vanishes the terminal reconnects when its port is listed again', async () => {
  const t = setup();
  t.pty.open(undefined);
  await t.shown('connected to');
  t.clear();
  t.link.unplug();
  await t.shown('disappeared');
  assert.equal(t.pty.currentState, 'waitingForBoard');
  // A typed path the OS does not list (a socat pty) comes back through the watcher's check on disk.
  assert.deepEqual(t.watchedPaths, [PORT], 'the port is watched on disk while the terminal waits');
  // A listing without the port changes nothing.
  t.portsChanged.fire([{ path: '/dev/ttyOTHER', description: '', isLikelyPycom: false }]);
  assert.equal(t.pty.currentState, 'waitingForBoard');
  t.link.replug();
  const device = t.link.open('device', { baudRate: 115200 });
  t.portsChanged.fire([{ path: PORT, description: '', isLikelyPycom: true }]);
  await t.shown('connected to');
  assert.deepEqual(t.watchedPaths, [], 'no longer watched once reconnected');
  await device.write(latin1ToBytes('>>> '));
  await t.shown('>>> ');
  t.pty.close();
});

test('a port that cannot be opened says why and retries on Enter', async () => {
  const t = setup();
  const squatter = t.link.open('host', { baudRate: 115200 });
  t.pty.open(undefined);
  await t.shown('Press Enter to retry');
  assert.match(t.screen(), /in use/);
  assert.equal(t.pty.currentState, 'failed');
  await squatter.close();
  t.pty.handleInput('\r');
  await t.shown('connected to');
  t.pty.close();
});

test('after an upgrade left the board in mirror mode, the terminal waits for a power cycle instead of talking to the modem', async () => {
  const t = setup();
  t.pty.open(undefined);
  await t.shown('connected to');
  t.clear();
  await t.owner.run(async (_io, _signal, turn) => turn.leave({ isBoardInMirrorMode: true }), { settings: { baudRate: 921600 } });
  await t.shown('mirror mode until power-cycled');
  assert.equal(t.pty.currentState, 'waitingForBoard');
  assert.equal(t.link.isOpen('host'), false, 'the terminal keeps off the port');
  const listed = [{ path: PORT, description: '', isLikelyPycom: true }];
  t.portsChanged.fire(listed);
  assert.equal(t.pty.currentState, 'waitingForBoard', 'still listed is not a power cycle');
  t.portsChanged.fire([]);
  t.portsChanged.fire(listed);
  await t.shown('connected to');
  t.pty.close();
});

test('Enter reconnects at once while waiting for the board', async () => {
  const t = setup();
  t.pty.open(undefined);
  await t.shown('connected to');
  t.clear();
  await t.owner.run(async (_io, _signal, turn) => turn.leave({ isBoardInMirrorMode: true }), { settings: { baudRate: 921600 } });
  await t.shown('mirror mode');
  t.pty.handleInput('\r');
  await t.shown('connected to');
  t.pty.close();
});

test('the simulated board is readied (power-cycled out of mirror mode) before the terminal connects, also after an upgrade', async () => {
  const registry = new MemoryPortRegistry();
  const link = registry.add(new MemoryLink('sim:GPy'));
  link.open('device', { baudRate: 115200 });
  const owner = new PortOwner(registry, 'sim:GPy');
  let readies = 0;
  let isInMirrorMode = true;
  const pty = new ReplPseudoterminal({
    portPath: 'sim:GPy',
    baudRate: 115200,
    ownerFor: async () => owner,
    canPowerCycle: true,
    beforeConnect: async () => {
      readies++;
      if (!isInMirrorMode) return undefined;
      isInMirrorMode = false;
      return 'Simulated GPy power-cycled (a real board needs unplugging).';
    },
  });
  const screen = watchTerminal(pty);
  const shown = screen.shown;

  pty.open(undefined);
  await shown('connected to sim:GPy');
  assert.match(screen.text(), /Simulated GPy power-cycled.*\r\n.*connected to sim:GPy/s, 'the power cycle comes before the connection');
  screen.clear();
  isInMirrorMode = true;
  await owner.run(async (_io, _signal, turn) => turn.leave({ isBoardInMirrorMode: true }), { settings: { baudRate: 921600 } });
  await shown('connected to sim:GPy');
  assert.match(screen.text(), /Simulated GPy power-cycled/);
  assert.doesNotMatch(screen.text(), /unplug it and plug it back in/, 'nobody can unplug a simulated board');
  assert.equal(readies, 2);
  pty.close();
  await owner.requestRelease();
});
