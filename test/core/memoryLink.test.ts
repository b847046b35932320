import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLink, MemoryPortRegistry } from '../../src/core/transport/memoryLink';
import { untilBytes, exactBytes, latin1ToBytes, bytesToLatin1 } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { OperationAbortedError, PortClosedError, PortOpenError, ReadTimeoutError } from '../../src/core/errors';

const text = (s: string) => latin1ToBytes(s);

test('bytes cross the link and a framer takes exactly one frame', async () => {
  const link = new MemoryLink('mem0');
  const host = link.open('host');
  const device = link.open('device');
  await host.write(text('AT\r\nATI1\r\n'));
  const first = await device.read(untilBytes('\r\n'), { deadline: Deadline.in(1000) });
  assert.equal(bytesToLatin1(first), 'AT\r\n');
  const second = await device.read(untilBytes('\r\n'), { deadline: Deadline.in(1000) });
  assert.equal(bytesToLatin1(second), 'ATI1\r\n');
});

test('a read that gets no frame in time names what it waited for and keeps the stray bytes', async () => {
  const link = new MemoryLink('mem1');
  const host = link.open('host');
  const device = link.open('device');
  await device.write(text('par'));
  const error = await host.read(untilBytes('\r\n', 'AT reply'), { deadline: Deadline.in(30, 'OK to AT') }).catch((e) => e);
  assert.ok(error instanceof ReadTimeoutError);
  assert.match(error.message, /AT reply \(OK to AT\)/);
  assert.equal(bytesToLatin1(error.lastBytes), 'par');
  // The stray bytes are still there for whoever reads next.
  assert.equal(bytesToLatin1(host.drain()), 'par');
});

test('abort stops a pending read at once', async () => {
  const link = new MemoryLink('mem2');
  const host = link.open('host');
  const controller = new AbortController();
  const pending = host.read(exactBytes(4), { deadline: Deadline.never(), signal: controller.signal });
  controller.abort('user cancelled');
  await assert.rejects(pending, OperationAbortedError);
});

test('a second open of the same end is refused as busy, and works after close', async () => {
  const registry = new MemoryPortRegistry();
  registry.add(new MemoryLink('sim0'));
  const first = await registry.open('sim0', { baudRate: 115200 });
  await assert.rejects(registry.open('sim0', { baudRate: 115200 }), (e: unknown) => e instanceof PortOpenError && e.failure === 'busy');
  await first.close();
  const again = await registry.open('sim0', { baudRate: 921600 });
  assert.equal(again.settings.baudRate, 921600);
  await assert.rejects(registry.open('nope', { baudRate: 115200 }), (e: unknown) => e instanceof PortOpenError && e.failure === 'missing');
});

test('unplugging rejects a pending read with the port vanished', async () => {
  const link = new MemoryLink('mem3');
  const host = link.open('host');
  let closedWith = '';
  host.onClose((reason) => (closedWith = reason));
  const pending = host.read(exactBytes(1), { deadline: Deadline.in(5000) });
  link.unplug();
  const error = await pending.catch((e) => e);
  assert.ok(error instanceof PortClosedError);
  assert.equal(error.reason, 'vanished');
  assert.equal(closedWith, 'vanished');
  assert.equal(host.isOpen, false);
  assert.throws(() => link.open('host'), (e: unknown) => e instanceof PortOpenError && e.failure === 'missing');
});

test('ends at different baud rates see garbage, not the text', async () => {
  const link = new MemoryLink('mem4');
  const host = link.open('host', { baudRate: 115200 });
  const device = link.open('device', { baudRate: 921600 });
  await device.write(text('\r\nOK\r\n'));
  const got = await host.read(exactBytes(1), { deadline: Deadline.in(1000) });
  assert.equal(got.length, 1);
  const rest = host.drain();
  assert.doesNotMatch(bytesToLatin1(new Uint8Array([...got, ...rest])), /OK/);
  await host.update({ baudRate: 921600 });
  await device.write(text('\r\nOK\r\n'));
  const clean = await host.read(untilBytes('OK\r\n'), { deadline: Deadline.in(1000) });
  assert.equal(bytesToLatin1(clean), '\r\nOK\r\n');
});

test('taps see both directions in order', async () => {
  const link = new MemoryLink('mem5');
  const host = link.open('host');
  const device = link.open('device');
  const seen: string[] = [];
  host.onTap((tap) => seen.push(`${tap.direction}:${bytesToLatin1(tap.bytes)}`));
  await host.write(text('AT\r'));
  await device.read(untilBytes('\r'), { deadline: Deadline.in(1000) });
  await device.write(text('OK\r\n'));
  await host.read(untilBytes('\r\n'), { deadline: Deadline.in(1000) });
  assert.deepEqual(seen, ['tx:AT\r', 'rx:OK\r\n']);
});

test('only one read at a time on a transport', async () => {
  const link = new MemoryLink('mem6');
  const host = link.open('host');
  const controller = new AbortController();
  const first = host.read(exactBytes(1), { deadline: Deadline.never(), signal: controller.signal });
  await assert.rejects(host.read(exactBytes(1), { deadline: Deadline.in(10) }), /Two reads at once/);
  controller.abort();
  await assert.rejects(first, OperationAbortedError);
});
