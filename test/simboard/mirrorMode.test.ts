import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANSWER_MS, BANNER, enterRaw, rawExec, startBoardRig } from './boardHarness';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { anyBytes, bytesToLatin1, exactBytes, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { createSimulatedGpy } from '../../src/sim/simulatedGpy';

const MIRROR_LINE = 'Going into MIRROR mode... please close this terminal to resume the upgrade via UART\r\n';

test('sqnsupgrade.uart() prints the updater lines, switches UART0 to 921600 and bridges both ways to the modem UART', async () => {
  // A stand-in modem: the test holds the modem end of the board's modem UART itself.
  const modemLink = new MemoryLink('sim:modem', { baudRate: 921600 });
  const modemEnd = modemLink.open('device');
  const rig = await startBoardRig({ modemIo: modemLink.open('host'), modemFacts: () => ({ state: 2, hasOldBootrom: false }) });
  try {
    await rig.until('>>> ');
    await enterRaw(rig);
    await rig.send('import sqnsupgrade\nsqnsupgrade.uart(True, "/flash/updater.elf")\x04');
    const lines = await rig.until(MIRROR_LINE);
    assert.equal(
      lines,
      'OK<<< Welcome to the SQN3330 firmware updater [1.2.7] >>>\r\n' +
        '>>> GPy with firmware version 1.20.2.r6\r\n' +
        'Preparing modem for upgrade...\r\n' +
        'Attempting AT wakeup...\r\n' +
        'FFH mode is not necessary... ignoring!\r\n' +
        'Do not specify updater.elf when updating!\r\n' +
        MIRROR_LINE,
    );
    await rig.board.whenState('mirror', Deadline.in(ANSWER_MS));
    assert.equal(rig.link.isOpen('device'), true);

    // Still at 115200, the host sees garbage from the modem, and the modem garbage from the host.
    await modemEnd.write(latin1ToBytes('\r\nOK\r\n'));
    const garbled = await rig.host.read(anyBytes, { deadline: Deadline.in(ANSWER_MS) });
    assert.doesNotMatch(bytesToLatin1(garbled), /OK/);

    // At 921600 the bridge is clean in both directions, on the same handle.
    await rig.host.update({ baudRate: 921600 });
    await rig.host.write(latin1ToBytes('AT\r\n'));
    assert.equal(bytesToLatin1(await modemEnd.read(untilBytes('\r\n'), { deadline: Deadline.in(ANSWER_MS) })), 'AT\r\n');
    await modemEnd.write(latin1ToBytes('\r\nOK\r\n'));
    assert.equal(bytesToLatin1(await rig.host.read(untilBytes('OK\r\n'), { deadline: Deadline.in(ANSWER_MS) })), '\r\nOK\r\n');
    // Binary passes untouched (no CRLF cooking in mirror mode).
    const binary = new Uint8Array([0x66, 0x61, 0x73, 0x74, 0x00, 0x0a, 0x0d, 0xff, 0x03, 0x06]);
    await rig.host.write(binary);
    assert.deepEqual(await modemEnd.read(exactBytes(binary.length), { deadline: Deadline.in(ANSWER_MS) }), binary);
    // A Ctrl-F inside mirrored data is data, not a REPL key.
    assert.equal(rig.board.stats.ctrlFReceived, 0);

    // There is no exit but a reset: the board comes back at 115200 with its banner.
    await rig.host.update({ baudRate: 115200 });
    await rig.board.resetBoard();
    assert.match(await rig.until('>>> '), new RegExp(`${BANNER.replace(/[()[\]."]/g, '\\$&')}>>> $`));
  } finally {
    await rig.stop();
  }
});

test('FFH with the modem in recovery (state 0) loads updater.elf from /flash through the modem actions', async () => {
  let state = 0;
  const loaded: Uint8Array[] = [];
  const rig = await startBoardRig({
    modemFacts: () => ({ state, hasOldBootrom: true }),
    modemActions: {
      loadUpdater: (head) => {
        loaded.push(head);
        state = 4;
        return true;
      },
      rewriteBootrom: () => false,
      switchToFfh: () => false,
    },
  });
  try {
    await rig.until('>>> ');
    await enterRaw(rig);
    const missing = await rawExec(rig, 'import sqnsupgrade\nsqnsupgrade.uart(True, "/flash/updater.elf")');
    assert.match(missing.stdout, /Attempting AT wakeup\.\.\.\r\nUnable to load updater from \/flash\/updater\.elf\r\n$/);
    assert.equal(missing.stderr, '');
    assert.equal(rig.board.state, 'repl');
    assert.equal(loaded.length, 0);

    await rig.board.writeFile('updater.elf', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2]));
    await rig.send('sqnsupgrade.uart(True, "/flash/updater.elf")\x04');
    const text = await rig.until(MIRROR_LINE);
    assert.doesNotMatch(text, /FFH mode is not necessary/);
    assert.match(text, /Updater started\.\r\n/);
    assert.deepEqual(loaded, [new Uint8Array([0x7f, 0x45, 0x4c, 0x46])]);
    await rig.board.whenState('mirror', Deadline.in(ANSWER_MS));
  } finally {
    await rig.stop();
  }
});

test('firmware 1.18.2.r7 lacks sqnsupgrade unless its .py files are on /flash', async () => {
  const rig = await startBoardRig({ release: '1.18.2.r7', micropythonTag: 'v1.8.6-849-df9f237', buildDate: '2019-05-13' });
  try {
    assert.match(await rig.until('>>> '), /^Pycom MicroPython 1\.18\.2\.r7 /);
    await enterRaw(rig);
    const missing = await rawExec(rig, 'import sqnsupgrade');
    assert.match(missing.stderr, /ImportError: no module named 'sqnsupgrade'\r\n$/);
    await rig.board.writeFile('sqnsupgrade.py', 'def uart(*a, **k):\n    print("user-supplied module")\n');
    assert.deepEqual(await rawExec(rig, 'import sqnsupgrade\nsqnsupgrade.uart()'), { stdout: 'user-supplied module\r\n', stderr: '' });
  } finally {
    await rig.stop();
  }
});

test('the whole GPy: mirror mode reaches the simulated modem, which answers AT at 921600', async () => {
  const gpy = await createSimulatedGpy({ timeScale: 0.001 });
  try {
    const host = await gpy.registry.open(gpy.portPath, { baudRate: 115200 });
    const read = async (delimiter: string) =>
      bytesToLatin1(await host.read(untilBytes(delimiter), { deadline: Deadline.in(ANSWER_MS, JSON.stringify(delimiter)) }));
    await host.write(latin1ToBytes('\x03\x03\x01'));
    await read('raw REPL; CTRL-B to exit\r\n>');
    await host.write(latin1ToBytes('import sqnsupgrade\nsqnsupgrade.uart()\x04'));
    assert.match(await read(MIRROR_LINE), />>> GPy with firmware version 1\.20\.2\.r6\r\n/);
    await gpy.board.whenState('mirror', Deadline.in(ANSWER_MS));
    await host.update({ baudRate: 921600, rtscts: false });
    host.drain();
    await host.write(latin1ToBytes('AT\r\n'));
    assert.match(await read('OK\r\n'), /OK\r\n$/);
    assert.ok(gpy.modem.commandsSeen.some((c) => c.trim() === 'AT'), `modem saw ${JSON.stringify(gpy.modem.commandsSeen)}`);
    await host.write(latin1ToBytes('AT+SMOD?\r\n'));
    assert.match(await read('OK\r\n'), /\b2\r\n/);
    await host.close();
  } finally {
    await gpy.stop();
  }
});
