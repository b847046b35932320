import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModemToolError, OperationAbortedError } from '../../src/core/errors';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesSource, openFileSource } from '../../src/core/files/fileSource';
import { StpNoReplyError, StpRejectedError } from '../../src/core/stp/stpErrors';
import { StpSession, type BlockSource, type StpFrameSummary, type StpSessionOptions } from '../../src/core/stp/stpSession';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { latin1ToBytes } from '../../src/core/transport/framers';
import { ScriptedModem, imageBytes, replyBytes, type ScriptedModemOptions } from './stpTestPeer';

let linkCount = 0;

function setup(modemOptions: ScriptedModemOptions = {}, sessionOptions: StpSessionOptions = {}) {
  const link = new MemoryLink(`stp-session-${linkCount++}`, { baudRate: 921600 });
  const host = link.open('host');
  const device = link.open('device');
  const modem = new ScriptedModem(device, modemOptions);
  const frames: StpFrameSummary[] = [];
  const txLengths: number[] = [];
  host.onTap((tap) => tap.direction === 'tx' && txLengths.push(tap.bytes.length));
  const session = new StpSession(host, { requestTimeoutMs: 150, onFrame: (frame) => frames.push(frame), ...sessionOptions });
  return {
    host,
    modem,
    session,
    frames,
    txLengths,
    async dispose() {
      modem.stop();
      await host.close();
      await device.close();
      await modem.done;
    },
  };
}

function tidsOf(modem: ScriptedModem, op: number): number[] {
  return modem.requests.filter((request) => request.op === op).map((request) => request.tid);
}

test('a whole file crosses block by block and reassembles byte for byte', async () => {
  const image = imageBytes(10_000);
  const t = setup();
  try {
    assert.deepEqual(await t.session.open(), { version: 1, maxTransfer: 8192 });
    const progress: Array<[number, number]> = [];
    await t.session.sendFile(bytesSource('image.dup', image), { onProgress: (done, total) => progress.push([done, total]) });
    await t.session.close();

    assert.deepEqual(t.modem.receivedBytes(), image);
    assert.deepEqual(t.modem.blockLengths, [2016, 2016, 2016, 2016, 1936]);
    assert.deepEqual(t.modem.problems, []);
    // RESET 0, OPEN 1, then one tid per request, then RESET on tid 0 again.
    assert.deepEqual(
      t.modem.requests.map((r) => [r.op, r.sid, r.tid]),
      [[0, 0, 0], [1, 1, 1], ...[...Array(10).keys()].map((i) => [2 + (i % 2), 1, 2 + i]), [0, 0, 0]],
    );
    // Header and payload leave in one write: CMD 18 bytes, block 16 + data.
    assert.deepEqual(t.txLengths, [16, 16, 18, 2032, 18, 2032, 18, 2032, 18, 2032, 18, 1952, 16]);
    assert.deepEqual(progress, [[0, 10_000], [2016, 10_000], [4032, 10_000], [6048, 10_000], [8064, 10_000], [10_000, 10_000]]);
    assert.ok(t.frames.every((frame) => frame.note === undefined), JSON.stringify(t.frames.filter((f) => f.note)));
  } finally {
    await t.dispose();
  }
});

test('bytes left on the line after the AT reply are skipped to the first reply', async () => {
  const t = setup({ leadingGarbage: latin1ToBytes('\r\nOK\r\n\x00\xff') });
  try {
    await t.session.open();
    const firstRx = t.frames.find((frame) => frame.direction === 'rx');
    assert.equal(firstRx?.op, 0x80);
    assert.match(firstRx?.note ?? '', /8 stray bytes skipped/);
  } finally {
    await t.dispose();
  }
});

test('a residue is sent again at the start of the next block', async () => {
  const image = imageBytes(9000, 3);
  const t = setup({ takeBytes: (length, index) => (index % 2 === 0 ? length - 100 - index : length) });
  try {
    await t.session.open();
    const progress: number[] = [];
    await t.session.sendFile(bytesSource('image.dup', image), { onProgress: (done) => progress.push(done) });
    assert.deepEqual(t.modem.receivedBytes(), image);
    assert.deepEqual(t.modem.problems, []);
    assert.deepEqual(t.modem.blockLengths.slice(0, 3), [2016, 2016, 2016]);
    assert.deepEqual(progress.slice(0, 3), [0, 1916, 3932]);
    assert.equal(progress.at(-1), 9000);
  } finally {
    await t.dispose();
  }
});

test('block length follows the reported max transfer: 2048 → 2016, 1024 → 1008', async () => {
  for (const [maxTransfer, block] of [
    [2048, 2016],
    [1024, 1008],
  ] as const) {
    const image = imageBytes(5000, maxTransfer);
    const t = setup({ maxTransfer });
    try {
      assert.equal((await t.session.open()).maxTransfer, maxTransfer);
      await t.session.sendFile(bytesSource('updater.elf', image));
      assert.deepEqual(t.modem.receivedBytes(), image);
      assert.equal(Math.max(...t.modem.blockLengths), block);
      assert.equal(t.modem.blockLengths.length, Math.ceil(5000 / block));
      assert.deepEqual(t.modem.problems, []);
    } finally {
      await t.dispose();
    }
  }
});

test('a lost reply makes the same request go again with the same tid', async () => {
  const image = imageBytes(6000, 11);
  const t = setup({ intercept: (request, normal, seen) => (request.op === 3 && request.tid === 5 && seen === 1 ? [] : [normal]) });
  try {
    await t.session.open();
    await t.session.sendFile(bytesSource('image.dup', image));
    const sends = t.modem.requests.filter((request) => request.tid === 5);
    assert.equal(sends.length, 2);
    assert.deepEqual(sends[0]!.payload, sends[1]!.payload);
    assert.deepEqual(tidsOf(t.modem, 3), [3, 5, 5, 7]);
    assert.deepEqual(t.modem.receivedBytes(), image);
    assert.ok(t.frames.some((frame) => frame.direction === 'tx' && frame.tid === 5 && frame.note === 'resend 2/4'));
  } finally {
    await t.dispose();
  }
});

test('a damaged reply is not trusted: the request is resent with the same tid', async () => {
  const image = imageBytes(6000, 5);
  const damaged = (reply: Uint8Array, index: number) => {
    const copy = reply.slice();
    copy[index]! ^= 0x5a;
    return copy;
  };
  const t = setup({
    // The first block leaves 16 bytes, so its reply has a non-zero pcrc to fail.
    takeBytes: (length, index) => (index === 0 ? length - 16 : length),
    intercept: (request, normal, seen) => {
      if (seen > 1) return [normal];
      if (request.tid === 3) return [damaged(normal, 17)];
      // Noise in the tid field: the bad hcrc says so, so it is resent rather than skipped as stale.
      if (request.tid === 4) return [damaged(normal, 9)];
      // A residue of 0 has a CRC of 0, which means "not checked": only plausibility catches this one.
      if (request.tid === 5) return [damaged(normal, 16)];
      return [normal];
    },
  });
  try {
    await t.session.open();
    await t.session.sendFile(bytesSource('image.dup', image));
    assert.deepEqual(t.modem.receivedBytes(), image);
    assert.deepEqual(t.modem.problems, []);
    assert.deepEqual(tidsOf(t.modem, 3), [3, 3, 5, 5, 7]);
    assert.deepEqual(t.modem.blockLengths, [2016, 2016, 1984]);
    assert.deepEqual(tidsOf(t.modem, 2), [2, 4, 4, 6]);
    const notes = t.frames.filter((frame) => frame.direction === 'rx' && frame.note).map((frame) => `${frame.tid}:${frame.note}`);
    assert.deepEqual(notes, ['3:bad pcrc', `${0x5a0004}:bad hcrc`, '5:impossible residue 23040 of 2016']);
  } finally {
    await t.dispose();
  }
});

test('a late duplicate reply and a stray reply are skipped as stale, not taken as answers', async () => {
  const image = imageBytes(6000, 13);
  const t = setup({
    intercept: (request, normal, seen) => {
      // First send of tid 5 answered late: the answer arrives together with the resend's.
      if (request.tid === 5) return seen === 1 ? [] : [normal, normal];
      // A reply nobody asked for (op and tid of an old request) before the real one.
      if (request.tid === 6) return [replyBytes(0x81, 1, 1, new Uint8Array([1, 1, 0x20, 0])), normal];
      return [normal];
    },
  });
  try {
    await t.session.open();
    await t.session.sendFile(bytesSource('image.dup', image));
    assert.deepEqual(t.modem.receivedBytes(), image);
    assert.deepEqual(t.modem.problems, []);
    const stale = t.frames.filter((frame) => frame.note === 'stale').map((frame) => [frame.op, frame.tid]);
    assert.deepEqual(stale, [
      [0x83, 5],
      [0x81, 1],
    ]);
    // The duplicate did not cost a resend of tid 6.
    assert.equal(t.modem.requests.filter((request) => request.tid === 6).length, 1);
  } finally {
    await t.dispose();
  }
});

test('abort mid-transfer rejects promptly, even with a long request timeout', async () => {
  const controller = new AbortController();
  const t = setup({ intercept: (request, normal) => (request.tid === 6 ? [] : [normal]) }, { requestTimeoutMs: 60_000 });
  try {
    await t.session.open();
    const sending = t.session.sendFile(bytesSource('image.dup', imageBytes(20_000)), { signal: controller.signal });
    await t.modem.waitFor((request) => request.tid === 6);
    const abortedAt = performance.now();
    controller.abort('user cancelled');
    const error = await sending.catch((e: unknown) => e);
    assert.ok(error instanceof OperationAbortedError, String(error));
    assert.ok(performance.now() - abortedAt < 500, `took ${performance.now() - abortedAt} ms`);
  } finally {
    await t.dispose();
  }
});

test('a silent modem ends in StpNoReplyError after the allowed attempts', async () => {
  const t = setup(
    { intercept: (request, normal) => (request.op === 2 ? [] : [normal]) },
    { requestTimeoutMs: 40, maxAttemptsPerRequest: 3 },
  );
  try {
    await t.session.open();
    const startedAt = performance.now();
    const error = await t.session.sendFile(bytesSource('image.dup', imageBytes(3000))).catch((e: unknown) => e);
    assert.ok(error instanceof StpNoReplyError, String(error));
    assert.ok(error instanceof ModemToolError);
    assert.equal(error.op, 2);
    assert.equal(error.tid, 2);
    assert.equal(error.attempts, 3);
    assert.match(error.message, /TRANSFER_BLOCK_CMD \(tid 2\) after 3 attempts/);
    assert.match(error.action, /Power-cycle/);
    assert.deepEqual(tidsOf(t.modem, 2), [2, 2, 2]);
    assert.ok(performance.now() - startedAt >= 3 * 40 - 5);
  } finally {
    await t.dispose();
  }
});

test('a modem that never answers fails open() with the RESET named', async () => {
  const t = setup({ intercept: () => [] }, { requestTimeoutMs: 30, maxAttemptsPerRequest: 2 });
  try {
    const error = await t.session.open().catch((e: unknown) => e);
    assert.ok(error instanceof StpNoReplyError);
    assert.equal(error.op, 0);
    assert.equal(error.attempts, 2);
  } finally {
    await t.dispose();
  }
});

test('SESSION_OPEN answered with ok = 0 is a typed refusal', async () => {
  const t = setup({ isOpenOk: false });
  try {
    const error = await t.session.open().catch((e: unknown) => e);
    assert.ok(error instanceof StpRejectedError, String(error));
    assert.equal(error.op, 1);
    assert.equal(error.tid, 1);
    assert.ok(error.action.length > 0);
  } finally {
    await t.dispose();
  }
});

test('a modem that takes none of a block, again and again, is a typed refusal, not a loop', async () => {
  const t = setup({ takeBytes: () => 0 }, { maxAttemptsPerRequest: 3 });
  try {
    await t.session.open();
    const error = await t.session.sendFile(bytesSource('image.dup', imageBytes(3000))).catch((e: unknown) => e);
    assert.ok(error instanceof StpRejectedError, String(error));
    assert.equal(error.op, 3);
    assert.equal(t.modem.blockLengths.length, 3);
  } finally {
    await t.dispose();
  }
});

test('a source with only read() works, and a small file is one block', async () => {
  const image = imageBytes(300, 17);
  const source: BlockSource = { name: 'small', size: image.length, read: async (offset, length) => image.slice(offset, offset + length) };
  const t = setup({ takeBytes: (length, index) => (index === 0 ? length - 50 : length) });
  try {
    await t.session.open();
    await t.session.sendFile(source);
    assert.deepEqual(t.modem.receivedBytes(), image);
    assert.deepEqual(t.modem.blockLengths, [300, 50]);
  } finally {
    await t.dispose();
  }
});

test('sendFile before open() is a programming error', async () => {
  const t = setup();
  try {
    await assert.rejects(t.session.sendFile(bytesSource('x', imageBytes(10))), /open\(\)/);
  } finally {
    await t.dispose();
  }
});

test('a file on disk streams through the session unchanged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stp-session-'));
  const image = imageBytes(12_345, 29);
  const path = join(dir, 'upgdiff_38638-to-41065.dup');
  await writeFile(path, image);
  const source = await openFileSource(path);
  const t = setup({ maxTransfer: 2048, takeBytes: (length, index) => (index === 2 ? length - 1 : length) });
  try {
    await t.session.open();
    await t.session.sendFile(source);
    assert.deepEqual(t.modem.receivedBytes(), image);
    assert.deepEqual(t.modem.problems, []);
  } finally {
    await source.close();
    await t.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});

/** The modem leaves STP as it answers the closing RESET: a resend of it reaches an AT line. */
function closingResetModem(closingReply: (normal: Uint8Array) => Uint8Array[]): ScriptedModemOptions {
  let resets = 0;
  return {
    intercept: (request, normal) => {
      if (request.op !== 0) return [normal];
      resets += 1;
      return resets === 1 ? [normal] : resets === 2 ? closingReply(normal) : [];
    },
  };
}

test('a damaged reply to the closing RESET counts as closed: no resend to a modem that has left STP', async () => {
  // Byte 9 is in the tid field: the hcrc fails, the magic and op 0x80 are intact.
  const t = setup(closingResetModem((normal) => [Object.assign(normal.slice(), { 9: normal[9]! ^ 0x5a })]));
  try {
    await t.session.open();
    await t.session.sendFile(bytesSource('image.dup', imageBytes(3000)));
    assert.deepEqual(await t.session.close(), { kind: 'closed-damaged-reply' });
    assert.deepEqual(tidsOf(t.modem, 0), [0, 0], 'one opening and one closing RESET, no resend');
    const note = t.frames.filter((f) => f.direction === 'rx' && f.op === 0x80).at(-1)?.note ?? '';
    assert.match(note, /bad hcrc, taken/);
  } finally {
    await t.dispose();
  }
});

test('a damaged reply with another op is not taken for the closing RESET', async () => {
  // Op 0x81 (SESSION_OPEN's reply) with a bad hcrc: not the RESET's answer, so the RESET goes again.
  const t = setup(closingResetModem(() => [replyBytes(0x81, 0, 0, new Uint8Array(0), 'hcrc')]), { maxAttemptsPerRequest: 2, requestTimeoutMs: 40 });
  try {
    await t.session.open();
    const closed = await t.session.close();
    assert.equal(closed.kind, 'unconfirmed');
    assert.deepEqual(tidsOf(t.modem, 0), [0, 0, 0]);
  } finally {
    await t.dispose();
  }
});

test('a closing RESET without any reply is reported, not thrown: the transfer itself was acknowledged', async () => {
  const t = setup(closingResetModem(() => []), { maxAttemptsPerRequest: 3, requestTimeoutMs: 40 });
  try {
    await t.session.open();
    const image = imageBytes(3000, 9);
    await t.session.sendFile(bytesSource('image.dup', image));
    const closed = await t.session.close();
    assert.equal(closed.kind, 'unconfirmed');
    assert.ok(closed.kind === 'unconfirmed' && closed.error instanceof StpNoReplyError);
    assert.equal(closed.error.op, 0);
    assert.equal(closed.error.attempts, 3);
    assert.deepEqual(tidsOf(t.modem, 0), [0, 0, 0, 0], 'one opening RESET, the closing RESET sent 3 times');
    assert.deepEqual(t.modem.receivedBytes(), image);
  } finally {
    await t.dispose();
  }
});

test('the opening RESET is still strict: a damaged reply to it is resent', async () => {
  let resets = 0;
  const t = setup({
    intercept: (request, normal) => {
      if (request.op !== 0) return [normal];
      resets += 1;
      return resets === 1 ? [Object.assign(normal.slice(), { 9: normal[9]! ^ 0x5a })] : [normal];
    },
  });
  try {
    await t.session.open();
    assert.deepEqual(tidsOf(t.modem, 0), [0, 0]);
  } finally {
    await t.dispose();
  }
});

test('close() still throws on abort', async () => {
  const t = setup(closingResetModem(() => []), { requestTimeoutMs: 5_000 });
  try {
    await t.session.open();
    const controller = new AbortController();
    const closing = t.session.close(controller.signal);
    await t.modem.waitFor((r) => r.op === 0 && tidsOf(t.modem, 0).length === 2);
    controller.abort();
    await assert.rejects(closing, OperationAbortedError);
  } finally {
    await t.dispose();
  }
});
