import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortOwner } from '../../src/core/transport/portOwner';
import { MemoryLink, MemoryPortRegistry } from '../../src/core/transport/memoryLink';
import type { ByteTransport, LineSettings, PortOpener } from '../../src/core/transport/byteTransport';
import { anyBytes, bytesToLatin1, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { OperationAbortedError, PortOpenError } from '../../src/core/errors';

const REPL: LineSettings = { baudRate: 115200 };
const MIRROR: LineSettings = { baudRate: 921600 };

/**
 * A memory port whose opens and closes are counted. Its close() finishes a turn of the
 * event loop later, as a real port's does, so "released before the job's promise
 * settles" is something a test can see.
 */
function countingPort(name = 'board0') {
  const registry = new MemoryPortRegistry();
  const link = registry.add(new MemoryLink(name));
  const counts = { opens: 0, closes: 0, released: 0 };
  const opener: PortOpener = {
    async open(path, settings) {
      const transport = await registry.open(path, settings);
      counts.opens++;
      transport.onClose(() => counts.closes++);
      const closeNow = transport.close.bind(transport);
      transport.close = async () => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        await closeNow();
        counts.released++;
      };
      return transport;
    },
  };
  return { link, opener, counts, owner: new PortOwner(opener, name) };
}

/** A promise with its resolve outside: lets a test hold a job in its turn. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

test('jobs take turns in order: the second starts only when the first settles', async () => {
  const { owner } = countingPort();
  const log: string[] = [];
  const holdFirst = gate();
  const firstRunning = gate();
  const first = owner.run(
    async () => {
      log.push('first start');
      firstRunning.open();
      await holdFirst.opened;
      log.push('first end');
      return 1;
    },
    { settings: REPL },
  );
  const second = owner.run(
    async () => {
      log.push('second start');
      return 2;
    },
    { settings: REPL },
  );
  await firstRunning.opened;
  assert.equal(owner.busy, true);
  assert.deepEqual(log, ['first start']);
  holdFirst.open();
  assert.deepEqual(await Promise.all([first, second]), [1, 2]);
  assert.deepEqual(log, ['first start', 'first end', 'second start']);
  assert.equal(owner.busy, false);
});

test('a job that throws gets its error back and the port is released', async () => {
  const { owner, link, counts } = countingPort();
  const failure = new Error('modem said no');
  await assert.rejects(
    owner.run(async () => {
      throw failure;
    }, { settings: REPL, keepOpen: true }),
    (e: unknown) => e === failure,
  );
  assert.equal(counts.released, 1, 'released before the error reached the caller, even though keepOpen was asked');
  assert.equal(link.isOpen('host'), false);
  // The owner is not stuck: the next job gets a fresh port.
  assert.equal(await owner.run(async (io) => io.isOpen, { settings: REPL }), true);
  assert.equal(counts.released, 2);
});

test('a port that cannot open fails that job only', async () => {
  const { owner, link } = countingPort();
  const squatter = link.open('host');
  await assert.rejects(owner.run(async () => 'never', { settings: REPL }), (e: unknown) => e instanceof PortOpenError && e.failure === 'busy');
  await squatter.close();
  assert.equal(await owner.run(async () => 'ran', { settings: REPL }), 'ran');
});

test('keepOpen holds the handle between turns; a new rate is set on the same handle', async () => {
  const { owner, link, counts } = countingPort();
  const device = link.open('device', REPL);
  await owner.run(async (io) => io.write(latin1ToBytes('print(1)\r')), { settings: REPL, keepOpen: true });
  assert.equal(link.isOpen('host'), true);
  assert.equal(owner.isHoldingPort, true);
  // Someone else trying the port now finds it busy, as it would a REPL terminal.
  assert.throws(() => link.open('host'), PortOpenError);
  await device.update(MIRROR);
  const reply = await owner.run(
    async (io, signal) => {
      assert.equal(io.settings.baudRate, MIRROR.baudRate);
      const answered = io.read(untilBytes('\r\n'), { deadline: Deadline.in(1000), signal });
      await device.write(latin1ToBytes('OK\r\n'));
      return bytesToLatin1(await answered);
    },
    { settings: MIRROR },
  );
  assert.equal(reply, 'OK\r\n');
  assert.equal(counts.opens, 1, 'one open for both turns');
  assert.equal(counts.released, 1, 'closed after a turn that did not ask to keep it');
});

test('a waiting job gets the open handle handed over, with no close in between', async () => {
  const { owner, counts } = countingPort();
  const hold = gate();
  const first = owner.run(async () => hold.opened, { settings: REPL });
  const second = owner.run(async (io) => io.isOpen, { settings: REPL });
  hold.open();
  await first;
  assert.equal(await second, true);
  assert.equal(counts.opens, 1);
  assert.equal(counts.closes, 1, 'closed once, after the last turn');
});

test('requestRelease aborts the holder, waits for its turn to end, and frees the port', async () => {
  const { owner, link, counts } = countingPort();
  const reading = gate();
  const terminal = owner.run(
    async (io, signal) => {
      reading.open();
      // A REPL terminal: reads until told to stop.
      for (;;) await io.read(anyBytes, { deadline: Deadline.never(), signal });
    },
    { settings: REPL, keepOpen: true },
  );
  const terminalOutcome = terminal.catch((e: unknown) => e);
  await reading.opened;
  await owner.requestRelease();
  assert.equal(counts.released, 1);
  assert.ok((await terminalOutcome) instanceof OperationAbortedError);
  assert.equal(link.isOpen('host'), false);
  assert.equal(owner.busy, false);
  // Another program can have the port now.
  const other = link.open('host');
  await other.close();
});

test('requestRelease with a job waiting hands the handle to it (REPL terminal → upgrade, no gap)', async () => {
  const { owner, counts } = countingPort();
  const reading = gate();
  const terminal = owner
    .run(
      async (io, signal) => {
        reading.open();
        for (;;) await io.read(anyBytes, { deadline: Deadline.never(), signal });
      },
      { settings: REPL, keepOpen: true },
    )
    .catch((e: unknown) => e);
  await reading.opened;
  const upgrade = owner.run(async (io) => io.settings.baudRate, { settings: MIRROR });
  await owner.requestRelease();
  assert.ok((await terminal) instanceof OperationAbortedError);
  assert.equal(await upgrade, MIRROR.baudRate);
  assert.equal(counts.opens, 1);
});

test('requestRelease closes a kept-open idle handle', async () => {
  const { owner, link, counts } = countingPort();
  await owner.run(async () => undefined, { settings: REPL, keepOpen: true });
  assert.equal(link.isOpen('host'), true);
  await owner.requestRelease();
  assert.equal(counts.released, 1);
  assert.equal(link.isOpen('host'), false);
});

test('a queued job cancelled by its signal never runs; a running one sees its signal abort', async () => {
  const { owner } = countingPort();
  const hold = gate();
  const running = gate();
  const first = owner.run(
    async (_io, signal) => {
      running.open();
      await hold.opened;
      return signal.aborted;
    },
    { settings: REPL },
  );
  const cancel = new AbortController();
  let didRun = false;
  const queued = owner.run(async () => (didRun = true), { settings: REPL, signal: cancel.signal });
  await running.opened;
  cancel.abort('user cancelled');
  await assert.rejects(queued, OperationAbortedError);
  hold.open();
  assert.equal(await first, false);
  assert.equal(didRun, false);

  const stop = new AbortController();
  const started = gate();
  const long = owner.run(
    async (io, signal) => {
      started.open();
      return io.read(anyBytes, { deadline: Deadline.never(), signal });
    },
    { settings: REPL, signal: stop.signal },
  );
  await started.opened;
  stop.abort();
  await assert.rejects(long, OperationAbortedError);
  await assert.rejects(owner.run(async () => 1, { settings: REPL, signal: stop.signal }), OperationAbortedError);
});

test('the transport a job got refuses use after its turn, and its listeners stop hearing', async () => {
  const { owner, link } = countingPort();
  const device = link.open('device', REPL);
  let kept: ByteTransport | undefined;
  const heardByFirst: string[] = [];
  await owner.run(async (io) => {
    kept = io;
    io.onTap((tap) => heardByFirst.push(bytesToLatin1(tap.bytes)));
    await io.write(latin1ToBytes('one'));
  }, { settings: REPL, keepOpen: true });
  assert.equal(kept?.isOpen, false);
  await assert.rejects(kept!.write(latin1ToBytes('x')), /after its turn/);
  assert.throws(() => kept!.drain(), /after its turn/);
  await owner.run(async (io, signal) => {
    const echoed = io.read(untilBytes('!'), { deadline: Deadline.in(1000), signal });
    await device.write(latin1ToBytes('two!'));
    await echoed;
    await io.write(latin1ToBytes('three'));
  }, { settings: REPL });
  assert.deepEqual(heardByFirst, ['one']);
});

test('dispose cancels waiting jobs, stops the running one and closes the port', async () => {
  const { owner, link, counts } = countingPort();
  const started = gate();
  const running = owner
    .run(
      async (io, signal) => {
        started.open();
        return io.read(anyBytes, { deadline: Deadline.never(), signal });
      },
      { settings: REPL },
    )
    .catch((e: unknown) => e);
  const waiting = owner.run(async () => 'never', { settings: REPL }).catch((e: unknown) => e);
  await started.opened;
  await owner.dispose();
  assert.equal(counts.released, 1);
  assert.ok((await running) instanceof OperationAbortedError);
  assert.ok((await waiting) instanceof OperationAbortedError);
  assert.equal(link.isOpen('host'), false);
  await assert.rejects(owner.run(async () => 1, { settings: REPL }), OperationAbortedError);
});
