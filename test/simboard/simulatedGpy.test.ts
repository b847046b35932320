import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANSWER_MS, BANNER } from './boardHarness';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { bytesToLatin1, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { PortClosedError } from '../../src/core/errors';
import { createSimulatedGpy, serveSimulatedGpyOnTransport } from '../../src/sim/simulatedGpy';

test('createSimulatedGpy: one interpreter load per board, reused across soft reboots; a power-cycle restarts both chips', async () => {
  const startedMs = performance.now();
  const gpy = await createSimulatedGpy({ timeScale: 0.001, modem: { state: 2 } });
  const startupMs = performance.now() - startedMs;
  try {
    assert.ok(gpy.board.interpreterLoadMs > 0 && gpy.board.interpreterLoadMs < 10_000, `wasm load ${gpy.board.interpreterLoadMs} ms`);
    // Reported in the helper's notes; kept visible in the test log.
    console.log(`simulated GPy up in ${startupMs.toFixed(0)} ms (MicroPython wasm + prelude ${gpy.board.interpreterLoadMs.toFixed(0)} ms)`);
    const host = await gpy.registry.open(gpy.portPath, { baudRate: 115200 });
    await assert.rejects(gpy.registry.open(gpy.portPath, { baudRate: 115200 }), /in use/);
    const read = async (d: string) => bytesToLatin1(await host.read(untilBytes(d), { deadline: Deadline.in(ANSWER_MS) }));
    const loadMs = gpy.board.interpreterLoadMs;
    for (let i = 0; i < 3; i++) {
      await host.write(latin1ToBytes('\x04'));
      assert.match(await read('>>> '), /PYB: soft reboot\r\n/);
    }
    assert.equal(gpy.board.stats.softReboots, 3);
    assert.equal(gpy.board.interpreterLoadMs, loadMs, 'the same interpreter served every soft reboot');

    const vanished = host.read(untilBytes('never'), { deadline: Deadline.in(ANSWER_MS) }).catch((e: unknown) => e);
    await gpy.powerCycle();
    const error = await vanished;
    assert.ok(error instanceof PortClosedError && error.reason === 'vanished');
    const again = await gpy.registry.open(gpy.portPath, { baudRate: 115200 });
    await again.write(latin1ToBytes('\r'));
    assert.equal(bytesToLatin1(await again.read(untilBytes('>>> '), { deadline: Deadline.in(ANSWER_MS) })), '\r\n>>> ');
    assert.equal(gpy.board.stats.softReboots, 0, 'a new board after the power-cycle');
    await again.close();
  } finally {
    await gpy.stop();
  }
});

test('serveSimulatedGpyOnTransport serves the board on any transport (a pty in the CLI)', async () => {
  const link = new MemoryLink('pty-stand-in', { baudRate: 115200 });
  const host = link.open('host');
  const served = await serveSimulatedGpyOnTransport(link.open('device'), { timeScale: 0.001 });
  try {
    assert.equal(bytesToLatin1(await host.read(untilBytes('>>> '), { deadline: Deadline.in(ANSWER_MS) })), BANNER + '>>> ');
    await host.write(latin1ToBytes('\x02'));
    assert.equal(bytesToLatin1(await host.read(untilBytes('>>> '), { deadline: Deadline.in(ANSWER_MS) })), '\r\n' + BANNER + '>>> ');
    assert.equal(served.modem.state, 2);
  } finally {
    await served.stop();
  }
});
