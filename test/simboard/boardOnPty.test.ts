import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToLatin1, exactBytes, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { SerialPortOpener } from '../../src/core/transport/serialTransport';
import { Deadline } from '../../src/core/time/deadline';
import { SimulatedBoard } from '../../src/sim/board/simulatedBoard';
import { UartModel } from '../../src/sim/board/uartModel';
import { isPseudoTerminal } from '../../src/sim/board/pseudoTerminal';
import { openPtyPair, ptySkipReason } from '../support/ptyPair';
import { ANSWER_MS } from './boardHarness';

const MIRROR_LINE = 'Going into MIRROR mode... please close this terminal to resume the upgrade via UART\r\n';

test('a pty (what socat links to) is told from a serial line and from a MemoryLink name', { skip: ptySkipReason() }, async () => {
  const pair = await openPtyPair();
  try {
    assert.equal(isPseudoTerminal(pair.devicePath), true);
    assert.equal(isPseudoTerminal('/dev/null'), false);
    assert.equal(isPseudoTerminal('sim:GPy'), false);
  } finally {
    await pair.close();
  }
});

/**
 * `pycom-modem sim --board --port <pty>`: entering mirror mode must not set the pty's
 * speed. serialport's update() flushes the pty (tcflush TCIOFLUSH), which discards the
 * board's last output ("OK", the updater's welcome, the mirror line) whenever the kernel
 * had not yet handed it to socat: about one run in three on a loaded machine, the host
 * then never saw "OK". That window cannot be forced from a test, so this asserts the
 * cause: the pty's settings are never touched, while the board still models 921600.
 */
test('on a pty the board enters mirror mode without setting the line speed, and the host gets every line', { skip: ptySkipReason() }, async () => {
  const pair = await openPtyPair();
  const opener = new SerialPortOpener();
  const device = await opener.open(pair.devicePath, { baudRate: 115200 });
  const host = await opener.open(pair.hostPath, { baudRate: 115200 });
  const board = new SimulatedBoard(device, { timeScale: 0.001, modemFacts: () => ({ state: 2, hasOldBootrom: false }) });
  const until = async (delimiter: string) =>
    bytesToLatin1(await host.read(untilBytes(delimiter), { deadline: Deadline.in(ANSWER_MS, JSON.stringify(delimiter)) }));
  try {
    await board.start();
    await until('>>> ');
    await host.write(latin1ToBytes('\x01'));
    await until('raw REPL; CTRL-B to exit\r\n>');
    await host.write(latin1ToBytes('import sqnsupgrade\nsqnsupgrade.uart()\x04'));
    const lines = await until(MIRROR_LINE);
    assert.match(lines, /^OK<<< Welcome to the SQN3330 firmware updater \[1\.2\.7\] >>>\r\n/);
    await board.whenState('mirror', Deadline.in(ANSWER_MS));
    assert.equal(device.settings.baudRate, 115200, 'the board set the pty speed (which flushes its unread output)');
  } finally {
    await board.stop();
    await host.close();
    await device.close();
    await pair.close();
  }
});

test('the UART model keeps the speed it was given on a line without one (hasLineSpeed: false)', async () => {
  const link = new MemoryLink('uart:nospeed', { baudRate: 115200 });
  link.open('host');
  const device = link.open('device');
  const uart = new UartModel(device, { timeScale: 0.001, hasLineSpeed: false, onReceive: () => undefined });
  try {
    await uart.setBaudRate(921600);
    assert.equal(uart.baudRate, 921600);
    assert.equal(device.settings.baudRate, 115200);
  } finally {
    await uart.stop();
  }
});

/**
 * A reset drops the output in flight (clearTx) and the board at once sends the banner.
 * The pump of the dropped output was still winding down: the banner must not wait in
 * the queue for some later byte to start a new pump.
 */
test('output queued right after clearTx() while the old output was still being paced goes out', async () => {
  const link = new MemoryLink('uart:clear', { baudRate: 115200 });
  const host = link.open('host');
  const uart = new UartModel(link.open('device'), { timeScale: 1, onReceive: () => undefined });
  try {
    uart.send(new Uint8Array(11_520).fill(0x79)); // a second of line time
    await host.read(exactBytes(1), { deadline: Deadline.in(ANSWER_MS, 'the first byte') });
    uart.clearTx();
    uart.send(latin1ToBytes('banner\r\n'));
    const seen = bytesToLatin1(await host.read(untilBytes('banner\r\n'), { deadline: Deadline.in(ANSWER_MS, 'the banner') }));
    assert.match(seen, /^y*banner\r\n$/);
    await uart.whenSent();
  } finally {
    await uart.stop();
  }
});
