import { describe, test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { openPtyPair, ptySkipReason, type PtyPair } from '../support/ptyPair';
import { SerialPortOpener } from '../../src/core/transport/serialTransport';
import type { ByteTap, ByteTransport } from '../../src/core/transport/byteTransport';
import { anyBytes, bytesToLatin1, exactBytes, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { OperationAbortedError, PortClosedError, PortOpenError, ReadTimeoutError } from '../../src/core/errors';
import { SerialSettingsError } from '../../src/core/transport/serialErrors';

const skip = ptySkipReason();
const MIRROR_BAUD = 921600;
const opener = new SerialPortOpener();

/** Everything a test opened, closed after it whatever happened. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function pair(): Promise<PtyPair> {
  const made = await openPtyPair();
  cleanups.push(() => made.close());
  return made;
}

async function open(path: string, baudRate = MIRROR_BAUD): Promise<ByteTransport> {
  const transport = await opener.open(path, { baudRate });
  cleanups.push(() => transport.close());
  return transport;
}

async function connected(): Promise<{ ptys: PtyPair; host: ByteTransport; device: ByteTransport }> {
  const ptys = await pair();
  return { ptys, host: await open(ptys.hostPath), device: await open(ptys.devicePath) };
}

/** Resolves with the first tap in `direction` (an event, not a sleep). */
function nextTap(transport: ByteTransport, direction: ByteTap['direction']): Promise<ByteTap> {
  return new Promise((resolve) => {
    const stop = transport.onTap((tap) => {
      if (tap.direction !== direction) return;
      stop();
      resolve(tap);
    });
  });
}

/** File descriptors of this process that point at `devicePath` (Linux /proc). */
function openDescriptorsOf(devicePath: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target === devicePath || target.startsWith(`${devicePath} `)) count++;
    } catch {
      // closed while listing
    }
  }
  return count;
}

describe('SerialTransport over a pty pair', { skip }, () => {
  test('every byte value crosses both ways, including NUL, CR, LF and 0xFF', async () => {
    const { host, device } = await connected();
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const edges = Uint8Array.from([0x00, 0x0d, 0x0a, 0xff, 0x0d, 0x00, 0x11, 0x13, 0x03, 0x04]);
    const toDevice = device.read(exactBytes(all.length + edges.length), { deadline: Deadline.in(3000, 'host→device') });
    await host.write(Uint8Array.from([...all, ...edges]));
    assert.deepEqual(await toDevice, Uint8Array.from([...all, ...edges]));

    const reversed = all.slice().reverse();
    const toHost = host.read(exactBytes(reversed.length), { deadline: Deadline.in(3000, 'device→host') });
    await device.write(reversed);
    assert.deepEqual(await toHost, reversed);
  });

  test('1 MB of random bytes crosses both ways at once, intact (a write once stalled when input arrived while it waited for room)', async () => {
    const { host, device } = await connected();
    const size = 1024 * 1024;
    const down = randomBytes(size);
    const up = randomBytes(size);
    const atDevice = device.read(exactBytes(size), { deadline: Deadline.in(20000, '1 MB host→device') });
    const atHost = host.read(exactBytes(size), { deadline: Deadline.in(20000, '1 MB device→host') });
    await Promise.all([host.write(down), device.write(up)]);
    const [gotDown, gotUp] = await Promise.all([atDevice, atHost]);
    assert.equal(Buffer.compare(Buffer.from(gotDown), down), 0);
    assert.equal(Buffer.compare(Buffer.from(gotUp), up), 0);
  });

  test('a read frames across chunks: the delimiter split between two writes', async () => {
    const { host, device } = await connected();
    const reply = host.read(untilBytes('\r\n', 'AT reply'), { deadline: Deadline.in(3000) });
    let isSettled = false;
    void reply.then(() => (isSettled = true), () => (isSettled = true));
    const firstArrived = nextTap(host, 'rx');
    await device.write(latin1ToBytes('\r\nOK\r'));
    await firstArrived;
    // "\r\n" at the start makes one frame; the read must take only that much.
    assert.equal(bytesToLatin1(await reply), '\r\n');
    const second = host.read(untilBytes('\r\n', 'AT reply'), { deadline: Deadline.in(3000) });
    void second.then(() => (isSettled = true), () => undefined);
    isSettled = false;
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(isSettled, false, 'OK\\r alone is not a frame');
    await device.write(latin1ToBytes('\nrest'));
    assert.equal(bytesToLatin1(await second), 'OK\r\n');
    assert.equal(bytesToLatin1(await host.read(exactBytes(4), { deadline: Deadline.in(3000) })), 'rest');
  });

  test('a silent line times out at the deadline and keeps the stray bytes', async () => {
    const { host, device } = await connected();
    const strayArrived = nextTap(host, 'rx');
    await device.write(latin1ToBytes('par'));
    await strayArrived;
    const started = performance.now();
    const error = await host
      .read(untilBytes('OK\r\n', 'OK'), { deadline: Deadline.in(80, 'reply to AT') })
      .catch((e: unknown) => e);
    const waitedMs = performance.now() - started;
    assert.ok(error instanceof ReadTimeoutError, String(error));
    assert.equal(bytesToLatin1(error.lastBytes), 'par');
    assert.ok(waitedMs >= 75 && waitedMs < 2000, `waited ${waitedMs} ms`);
    assert.equal(bytesToLatin1(host.drain()), 'par');
  });

  test('abort ends a pending read at once, and an aborted write is refused', async () => {
    const { host } = await connected();
    const controller = new AbortController();
    const pending = host.read(anyBytes, { deadline: Deadline.never(), signal: controller.signal });
    controller.abort('user cancelled');
    await assert.rejects(pending, OperationAbortedError);
    await assert.rejects(host.write(latin1ToBytes('AT\r'), controller.signal), OperationAbortedError);
    assert.equal(host.isOpen, true);
  });

  test('an aborted write stops sending its remaining chunks; the next write follows it', async () => {
    const { host, device } = await connected();
    const size = 256 * 1024;
    const cancel = new AbortController();
    const firstBytes = nextTap(device, 'rx');
    const big = host.write(new Uint8Array(size).fill(0x55), cancel.signal).catch((e: unknown) => e);
    await firstBytes;
    cancel.abort('user cancelled');
    assert.ok((await big) instanceof OperationAbortedError);
    await host.write(latin1ToBytes('END'));
    const before = await device.read(untilBytes('END'), { deadline: Deadline.in(5000, 'marker') });
    const sentBytes = before.length - 3;
    assert.ok(sentBytes > 0 && sentBytes < size, `sent ${sentBytes} of ${size} bytes`);
    assert.ok(before.subarray(0, sentBytes).every((byte) => byte === 0x55), 'no bytes of the next write inside');
  });

  test('writes issued together go out whole, one after the other', async () => {
    const { host, device } = await connected();
    const first = new Uint8Array(20000).fill(0x41);
    const second = new Uint8Array(20000).fill(0x42);
    const got = device.read(exactBytes(first.length + second.length), { deadline: Deadline.in(5000) });
    await Promise.all([host.write(first), host.write(second)]);
    assert.deepEqual(await got, Uint8Array.from([...first, ...second]));
  });

  test('an open asked with an aborted signal does not open', async () => {
    const ptys = await pair();
    const cancel = new AbortController();
    cancel.abort();
    await assert.rejects(opener.open(ptys.hostPath, { baudRate: MIRROR_BAUD }, cancel.signal), OperationAbortedError);
    await open(ptys.hostPath);
  });

  test('taps record what crossed, in each direction', async () => {
    const { host, device } = await connected();
    const taps: ByteTap[] = [];
    host.onTap((tap) => taps.push(tap));
    const echoed = host.read(untilBytes('\n'), { deadline: Deadline.in(3000) });
    await host.write(latin1ToBytes('ping\n'));
    await device.write(await device.read(untilBytes('\n'), { deadline: Deadline.in(3000) }));
    await echoed;
    assert.equal(taps[0]?.direction, 'tx');
    assert.equal(bytesToLatin1(taps[0]!.bytes), 'ping\n');
    const received = taps.filter((tap) => tap.direction === 'rx').map((tap) => bytesToLatin1(tap.bytes)).join('');
    assert.equal(received, 'ping\n');
  });

  test('update() changes the baud rate on the same handle: the lock stays, bytes keep flowing', async () => {
    const { ptys, host, device } = await connected();
    let closedWith: string | undefined;
    host.onClose((reason) => (closedWith = reason));
    const descriptorsBefore = openDescriptorsOf(realpathSync(ptys.hostPath));
    await host.update({ baudRate: 115200 });
    await device.update({ baudRate: 115200 });
    assert.equal(host.settings.baudRate, 115200);
    assert.equal(host.isOpen, true);
    assert.equal(closedWith, undefined);
    assert.equal(openDescriptorsOf(realpathSync(ptys.hostPath)), descriptorsBefore, 'no reopen');
    // Still ours: another open is refused while we switch.
    await assert.rejects(opener.open(ptys.hostPath, { baudRate: 115200 }), (e: unknown) => e instanceof PortOpenError && e.failure === 'busy');
    const got = device.read(untilBytes('\r\n'), { deadline: Deadline.in(3000) });
    await host.write(latin1ToBytes('AT\r\n'));
    assert.equal(bytesToLatin1(await got), 'AT\r\n');
    await host.update({ baudRate: MIRROR_BAUD });
    assert.equal(host.settings.baudRate, MIRROR_BAUD);
    await assert.rejects(host.update({ baudRate: MIRROR_BAUD, rtscts: true }), SerialSettingsError);
  });

  test('a second open of an open port fails as busy, with advice naming the port', async () => {
    const ptys = await pair();
    await open(ptys.hostPath);
    const error = await opener.open(ptys.hostPath, { baudRate: 115200 }).catch((e: unknown) => e);
    assert.ok(error instanceof PortOpenError, String(error));
    assert.equal(error.failure, 'busy');
    assert.match(error.action, /close the REPL terminal or the other program holding/i);
    assert.ok(error.action.includes(`fuser ${ptys.hostPath}`));
    assert.ok(error.action.includes(`lsof ${ptys.hostPath}`));
  });

  test('the port opens again once the first holder closed it', async () => {
    const ptys = await pair();
    const first = await opener.open(ptys.hostPath, { baudRate: 115200 });
    await first.close();
    await first.close();
    const again = await open(ptys.hostPath);
    assert.equal(again.isOpen, true);
    assert.equal(again.settings.baudRate, MIRROR_BAUD);
  });

  test('opening a missing path fails as missing and lists the ports present', async () => {
    const withList = new SerialPortOpener({ presentPaths: async () => ['/dev/ttyACM0', '/dev/ttyUSB1'] });
    const error = await withList.open('/tmp/no-such-serial-port-here', { baudRate: 115200 }).catch((e: unknown) => e);
    assert.ok(error instanceof PortOpenError, String(error));
    assert.equal(error.failure, 'missing');
    assert.match(error.action, /\/dev\/ttyACM0, \/dev\/ttyUSB1/);
    const none = new SerialPortOpener({ presentPaths: async () => [] });
    const again = await none.open('/tmp/no-such-serial-port-here', { baudRate: 115200 }).catch((e: unknown) => e);
    assert.ok(again instanceof PortOpenError);
    assert.match(again.action, /plug the board in/i);
  });

  test('socat killed (unplug): a pending read rejects as vanished, writes refuse, close() still releases', async () => {
    const { ptys, host } = await connected();
    const hostDevice = realpathSync(ptys.hostPath);
    assert.equal(openDescriptorsOf(hostDevice), 1);
    const closedWith = new Promise<string>((resolve) => host.onClose(resolve));
    // Caught at once: the rejection may come before socat's exit is observed.
    const pending = host.read(untilBytes('OK\r\n'), { deadline: Deadline.in(10000, 'reply') }).catch((e: unknown) => e);
    await ptys.close();
    const error = await pending;
    assert.ok(error instanceof PortClosedError, String(error));
    assert.equal(error.reason, 'vanished');
    assert.equal(await closedWith, 'vanished');
    assert.equal(host.isOpen, false);
    await assert.rejects(host.write(latin1ToBytes('AT\r')), (e: unknown) => e instanceof PortClosedError && e.reason === 'vanished');
    await host.close();
    await host.close();
    assert.equal(openDescriptorsOf(hostDevice), 0, 'the OS handle is released');
  });
});
