import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deadline } from '../../src/core/time/deadline';
import { untilBytes } from '../../src/core/transport/framers';
import { makeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { LinePacer, lineBytesPerSecond } from '../../src/sim/modem/linePacer';
import { at, send, sendImage, startModem } from './modemHarness';

test('line rate: 921600 baud 8N1 is 92,160 bytes/s, scaled by timeScale', () => {
  assert.equal(lineBytesPerSecond(921600), 92160);
  assert.equal(lineBytesPerSecond(115200, 0.5), 23040);
  const pacer = new LinePacer({ baudRate: () => 921600, timeScale: 1 });
  // Reservations queue up behind each other on the virtual line clock.
  assert.equal(pacer.reserve(92160, 1000), 2000);
  assert.equal(pacer.reserve(9216, 1500), 2100);
  // Bytes handed over while the line was busy follow on at once, however late the timer.
  assert.equal(pacer.reserve(92.16, 2050), 2101);
  // After a real pause the line starts from now.
  assert.equal(pacer.reserve(10, 5000), 5000 + 10 / 92.16);
  const off = new LinePacer({ baudRate: () => 921600, timeScale: 1, isEnabled: false });
  assert.equal(off.reserve(1_000_000, 42), 42);
});

test('an exact wait ends neither before the bytes crossed nor a timer tick after', async () => {
  const pacer = new LinePacer({ baudRate: () => 921600, timeScale: 1 });
  for (const byteCount of [46, 92, 460]) {
    const handedOverAtMs = performance.now();
    const doneAtMs = handedOverAtMs + (byteCount * 1000) / 92160;
    await pacer.pace(byteCount, undefined, handedOverAtMs, true);
    const endedMs = performance.now();
    assert.ok(endedMs >= doneAtMs, `${byteCount} bytes: ended ${(doneAtMs - endedMs).toFixed(3)} ms before their line time`);
    // A busy machine can still delay the end; only an early end is a modelling error.
    assert.ok(endedMs - doneAtMs < 50, `${byteCount} bytes: ended ${(endedMs - doneAtMs).toFixed(1)} ms late`);
    pacer.reset();
  }
});

test('a reply leaves only after the request crossed the line and its own bytes did', async () => {
  const rig = startModem({ timeScale: 1 });
  try {
    await at(rig.host, 'ATE0');
    const padding = 'x'.repeat(1800);
    const startedMs = performance.now();
    const reply = await at(rig.host, padding + 'AT', 5000);
    const elapsedMs = performance.now() - startedMs;
    assert.equal(reply, '\r\nOK\r\n');
    const lineMs = ((padding.length + 'AT\r'.length + reply.length) * 1000) / 92160;
    assert.ok(elapsedMs >= lineMs, `the reply came ${(lineMs - elapsedMs).toFixed(3)} ms before the line could carry it`);
  } finally {
    await rig.stop();
  }
});

test('output is paced: the 12 KB crash dump takes about its line time at 921600', async () => {
  const rig = startModem({ timeScale: 1 });
  try {
    await at(rig.host, 'ATE0');
    const startedMs = performance.now();
    await send(rig.host, 'AT+FSRDFILE="/fs/crashdump"\r');
    const reply = await rig.host.read(untilBytes('\r\nOK\r\n'), { deadline: Deadline.in(5000) });
    const elapsedMs = performance.now() - startedMs;
    const lineMs = ((reply.length + 30) * 1000) / 92160;
    // Never faster than the wire; slower only by scheduling delays (the machine may be busy).
    assert.ok(elapsedMs > 0.8 * lineMs && elapsedMs < 3 * lineMs + 250, `took ${elapsedMs.toFixed(1)} ms for ${lineMs.toFixed(1)} ms of line time`);
  } finally {
    await rig.stop();
  }
});

test('input is consumed at line rate: a host flooding 18 KB waits for the line before its AT is seen', async () => {
  const rig = startModem({ timeScale: 1 });
  try {
    await at(rig.host, 'ATE0');
    const flood = 'x'.repeat(18_432);
    const startedMs = performance.now();
    const reply = await at(rig.host, flood + 'AT', 5000);
    const elapsedMs = performance.now() - startedMs;
    assert.equal(reply, '\r\nOK\r\n');
    const lineMs = ((flood.length + 3) * 1000) / 92160;
    assert.ok(elapsedMs > 0.8 * lineMs && elapsedMs < 3 * lineMs + 250, `took ${elapsedMs.toFixed(1)} ms for ${lineMs.toFixed(1)} ms of line time`);
  } finally {
    await rig.stop();
  }
});

test('the transfer pauses twice (around 8 % and 99 %) for the scaled stall time', async () => {
  const image = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 40_000 });
  const timeTransfer = async (stallMs: number) => {
    const rig = startModem({ timeScale: 1, paceLine: false, timings: { stallMs } });
    try {
      await at(rig.host, 'ATE0');
      await at(rig.host, 'AT+SMSTPU');
      const startedMs = performance.now();
      await sendImage(rig.host, image, { requestMs: 2000 });
      return { ms: performance.now() - startedMs, log: rig.log };
    } finally {
      await rig.stop();
    }
  };
  const quick = await timeTransfer(0);
  const stalled = await timeTransfer(150);
  const stalls = stalled.log.filter((l) => l.includes('STP stall at'));
  assert.equal(stalls.length, 2);
  assert.match(stalls[0]!, /stall at (8|9|10|11|12|13)\.\d %/);
  assert.match(stalls[1]!, /stall at (99|100)\.\d %/);
  // Each stall holds one reply back 150 ms: the whole transfer cannot be faster than both.
  assert.ok(stalled.ms >= 295, `the stalled transfer took ${stalled.ms.toFixed(0)} ms`);
  assert.ok(stalled.ms - quick.ms < 1500, `stalls added ${(stalled.ms - quick.ms).toFixed(0)} ms`);
});
