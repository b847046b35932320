import { test } from 'node:test';
import assert from 'node:assert/strict';
import { at, expectNoReply, readReply, request, startModem, toHex, hex, wakeUp } from './modemHarness';

const u16 = (n: number) => Uint8Array.from([n >> 8, n & 0xff]);

async function openSession(maxTransfer?: number) {
  const rig = startModem({ keepImageBytes: true, ...(maxTransfer === 2048 ? { state: 0 } : {}) });
  if (maxTransfer === 2048) await at(rig.host, 'AT+STP', 2000, '\n');
  else {
    await at(rig.host, 'ATE0');
    await at(rig.host, 'AT+SMSTPU');
  }
  return rig;
}

test('RESET and SESSION_OPEN from the test vectors get replies with echoed sid/tid and valid CRCs', async () => {
  const rig = await openSession();
  try {
    await rig.host.write(hex('66617374 00 00 0000 00000000 8ae3 0000'));
    const reset = await readReply(rig.host);
    assert.deepEqual([reset.op, reset.sid, reset.tid, reset.payload.length, reset.isHeaderCrcOk], [0x80, 0, 0, 0, true]);
    await rig.host.write(hex('66617374 01 01 0000 00000001 fb8e 0000'));
    const open = await readReply(rig.host);
    assert.deepEqual([open.op, open.sid, open.tid, open.isHeaderCrcOk, open.isPayloadCrcOk], [0x81, 1, 1, true, true]);
    assert.equal(toHex(open.payload), '01012000', 'ok 1, version 1, max transfer 8192');
    await rig.host.write(hex('66617374 02 01 0002 00000002 27b8 64b9 07e0'));
    const cmd = await readReply(rig.host);
    assert.deepEqual([cmd.op, cmd.tid, cmd.payload.length], [0x82, 2, 0]);
  } finally {
    await rig.stop();
  }
});

test('requests that fail a check get no reply; the same request done right is answered', async () => {
  const rig = await openSession();
  try {
    const block = Uint8Array.from({ length: 100 }, (_, i) => i);
    await rig.host.write(request(0, 0, 0, undefined, { hcrc: true }));
    await expectNoReply(rig.host);
    await rig.host.write(request(0, 0, 0));
    assert.equal((await readReply(rig.host)).op, 0x80);
    // Before SESSION_OPEN no block command is taken.
    await rig.host.write(request(2, 1, 1, u16(100)));
    await expectNoReply(rig.host);
    await rig.host.write(request(1, 1, 1));
    assert.equal((await readReply(rig.host)).op, 0x81);
    await rig.host.write(request(2, 2, 2, u16(100))); // wrong sid
    await expectNoReply(rig.host);
    await rig.host.write(request(9, 1, 2)); // unknown op
    await expectNoReply(rig.host);
    await rig.host.write(request(2, 1, 2, u16(2017))); // pending too big (> 2016)
    await expectNoReply(rig.host);
    await rig.host.write(request(3, 1, 2, block)); // block without a command
    await expectNoReply(rig.host);
    await rig.host.write(request(2, 1, 2, Uint8Array.from([0, 100, 0]))); // plen 3 for a command
    await expectNoReply(rig.host);
    await rig.host.write(request(2, 1, 2, u16(100)));
    assert.equal((await readReply(rig.host)).op, 0x82);
    await rig.host.write(request(3, 1, 3, block.subarray(0, 99))); // plen differs from the pending 100
    await expectNoReply(rig.host);
    await rig.host.write(request(3, 1, 3, block, { pcrc: true }));
    await expectNoReply(rig.host);
    await rig.host.write(request(3, 1, 3, block));
    const reply = await readReply(rig.host);
    assert.deepEqual([reply.op, reply.tid, toHex(reply.payload)], [0x83, 3, '0000']);
    await rig.host.write(request(0, 1, 4));
    assert.equal((await readReply(rig.host)).op, 0x80);
    assert.equal(rig.modem.stored.length, 1);
    assert.deepEqual(rig.modem.stored[0]!.bytes, block, 'only the valid block was stored');
    assert.equal(rig.modem.mode, 'at');
    assert.equal(await at(rig.host, 'AT'), '\r\nOK\r\n');
  } finally {
    await rig.stop();
  }
});

test('a resent request (same tid) is answered again without storing its data twice', async () => {
  const rig = await openSession();
  try {
    const block = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);
    for (const frame of [request(0, 0, 0), request(1, 1, 1), request(2, 1, 2, u16(64)), request(2, 1, 2, u16(64))]) {
      await rig.host.write(frame);
      await readReply(rig.host);
    }
    await rig.host.write(request(3, 1, 3, block));
    const first = await readReply(rig.host);
    await rig.host.write(request(3, 1, 3, block));
    const again = await readReply(rig.host);
    assert.deepEqual(again, first);
    await rig.host.write(request(0, 1, 4));
    await readReply(rig.host);
    assert.equal(rig.modem.stored[0]!.length, 64);
  } finally {
    await rig.stop();
  }
});

test('noise before a request and a request split across writes are framed by the magic', async () => {
  const rig = await openSession();
  try {
    // The LF of "AT+SMSTPU\r\n"-style endings and line noise precede the first frame.
    const frame = request(0, 0, 0);
    await rig.host.write(Uint8Array.from([0x0a, 0x66, 0x61, 0x00, 0xff, ...frame.subarray(0, 7)]));
    await expectNoReply(rig.host, 30);
    await rig.host.write(frame.subarray(7));
    assert.equal((await readReply(rig.host)).op, 0x80);
  } finally {
    await rig.stop();
  }
});

test('the bootrom session offers max transfer 2048 and refuses blocks over min(2048 - 16, 2016)', async () => {
  const rig = await openSession(2048);
  try {
    await rig.host.write(request(0, 0, 0));
    await readReply(rig.host);
    await rig.host.write(request(1, 1, 1));
    assert.equal(toHex((await readReply(rig.host)).payload), '01010800');
    await rig.host.write(request(2, 1, 2, u16(2017)));
    await expectNoReply(rig.host);
    await rig.host.write(request(2, 1, 2, u16(2016)));
    assert.equal((await readReply(rig.host)).op, 0x82);
  } finally {
    await rig.stop();
  }
});

test('an STP line left idle goes back to AT, the session recorded as incomplete', async () => {
  const rig = startModem({ timings: { stpIdleMs: 100 } }); // real ms: the idle limit is not scaled
  try {
    await at(rig.host, 'ATE0');
    await at(rig.host, 'AT+SMSTPU');
    await rig.host.write(request(0, 0, 0));
    await readReply(rig.host);
    await rig.host.write(request(1, 1, 1));
    await readReply(rig.host);
    // AT while the line carries STP is not heard...
    await rig.host.write(Uint8Array.from(Buffer.from('AT\r')));
    await expectNoReply(rig.host, 20);
    // ...until the modem gives up on the silent host.
    assert.equal(await wakeUp(rig.host, 3000), '\r\nOK\r\n');
    assert.equal(rig.modem.stored[0]!.isComplete, false);
  } finally {
    await rig.stop();
  }
});
