import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { OperationAbortedError, ReadTimeoutError } from '../../src/core/errors';
import { Deadline } from '../../src/core/time/deadline';
import type { ByteTransport } from '../../src/core/transport/byteTransport';
import { exactBytes } from '../../src/core/transport/framers';
import { MAX_IDLE_WATCHED_SIGNALS } from '../../src/core/transport/abortWatches';
import { MemoryLink } from '../../src/core/transport/memoryLink';

function linked(): { host: ByteTransport; device: ByteTransport } {
  const link = new MemoryLink('buffered-test');
  return { host: link.open('host'), device: link.open('device') };
}

const abortListeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

/** One byte each way: the device answers every byte the host writes. */
async function roundTrip(host: ByteTransport, device: ByteTransport, signal: AbortSignal): Promise<void> {
  await host.write(new Uint8Array([1]), signal);
  await device.read(exactBytes(1), { deadline: Deadline.in(2000) });
  await device.write(new Uint8Array([2]));
  await host.read(exactBytes(1), { deadline: Deadline.in(2000), signal });
}

test('reads and writes under one signal share one abort listener, released at close', async () => {
  const { host, device } = linked();
  const controller = new AbortController();
  for (let i = 0; i < 50; i++) await roundTrip(host, device, controller.signal);
  assert.equal(abortListeners(controller.signal), 1);
  await host.close();
  await device.close();
  assert.equal(abortListeners(controller.signal), 0);
});

test('a transport used with many signals lets go of those no operation uses', async (t) => {
  const { host, device } = linked();
  t.after(async () => {
    await host.close();
    await device.close();
  });
  const signals = Array.from({ length: 30 }, () => new AbortController().signal);
  for (const signal of signals) await roundTrip(host, device, signal);
  const watched = signals.filter((signal) => abortListeners(signal) > 0).length;
  assert.ok(watched <= MAX_IDLE_WATCHED_SIGNALS, `${watched} signals still watched`);
  assert.equal(abortListeners(signals.at(-1)!), 1, 'the latest is still watched');
});

test('an abort ends the read under its signal, and only that one', async (t) => {
  const { host, device } = linked();
  t.after(async () => {
    await host.close();
    await device.close();
  });
  const earlier = new AbortController();
  await roundTrip(host, device, earlier.signal);
  const current = new AbortController();
  const pending = host.read(exactBytes(1), { deadline: Deadline.in(5000), signal: current.signal });
  earlier.abort(new Error('an earlier operation was cancelled'));
  await device.write(new Uint8Array([7]));
  assert.deepEqual(await pending, new Uint8Array([7]), 'another signal aborting leaves this read alone');

  const aborted = host.read(exactBytes(1), { deadline: Deadline.in(5000), signal: current.signal });
  current.abort(new Error('cancel'));
  await assert.rejects(aborted, OperationAbortedError);
  await assert.rejects(host.read(exactBytes(1), { deadline: Deadline.in(5000), signal: current.signal }), OperationAbortedError);
});

test('a short deadline after a long one still times out on time', async (t) => {
  const { host, device } = linked();
  t.after(async () => {
    await host.close();
    await device.close();
  });
  await device.write(new Uint8Array([1]));
  await host.read(exactBytes(1), { deadline: Deadline.in(60_000) });
  const started = performance.now();
  await assert.rejects(host.read(exactBytes(1), { deadline: Deadline.in(30) }), ReadTimeoutError);
  const tookMs = performance.now() - started;
  assert.ok(tookMs >= 29 && tookMs < 1000, `timed out after ${Math.round(tookMs)} ms`);
});

test('no timer keeps the process alive once a read is over', async (t) => {
  const { host, device } = linked();
  t.after(async () => {
    await host.close();
    await device.close();
  });
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
  const before = timers();
  const pending = host.read(exactBytes(1), { deadline: Deadline.in(60_000) });
  assert.equal(timers(), before + 1, 'the read waits with a timer');
  await device.write(new Uint8Array([1]));
  await pending;
  assert.equal(timers(), before);
});
