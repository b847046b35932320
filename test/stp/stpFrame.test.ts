import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc16Xmodem } from '../../src/core/stp/crc16';
import {
  STP_HEADER_LENGTH,
  STP_MAGIC_REPLY,
  STP_MAGIC_REQUEST,
  STP_MAX_BLOCK,
  StpOp,
  decodeStpHeader,
  encodeStpRequest,
  stpBlockLimit,
  stpOpName,
  stpReplyFramer,
} from '../../src/core/stp/stpFrame';
import { latin1ToBytes } from '../../src/core/transport/framers';
import { hex, imageBytes, referenceCrc, replyBytes, toHex, u16 } from './stpTestPeer';

test('CRC-16/XMODEM check value of "123456789" is 0x31C3', () => {
  assert.equal(crc16Xmodem(latin1ToBytes('123456789')), 0x31c3);
  assert.equal(crc16Xmodem(new Uint8Array(0)), 0);
});

test('the table CRC agrees with a bitwise one, and continues across pieces', () => {
  for (const length of [1, 2, 15, 16, 255, 2016]) {
    const bytes = imageBytes(length, length);
    assert.equal(crc16Xmodem(bytes), referenceCrc(bytes), `length ${length}`);
    const cut = length >> 1;
    assert.equal(crc16Xmodem(bytes.subarray(cut), crc16Xmodem(bytes.subarray(0, cut))), referenceCrc(bytes));
  }
});

test('magics spell "fast" and "tsaf"; the header is 16 bytes', () => {
  assert.equal(STP_MAGIC_REQUEST, 0x66617374);
  assert.equal(STP_MAGIC_REPLY, 0x74736166);
  assert.equal(STP_HEADER_LENGTH, 16);
});

test('PROTOCOL.md vector: RESET', () => {
  const frame = encodeStpRequest({ op: StpOp.RESET, sid: 0, tid: 0 });
  assert.equal(toHex(frame), toHex(hex('66617374 00 00 0000 00000000 8ae3 0000')));
});

test('PROTOCOL.md vector: SESSION_OPEN sid 1 tid 1', () => {
  const frame = encodeStpRequest({ op: StpOp.SESSION_OPEN, sid: 1, tid: 1 });
  assert.equal(toHex(frame), toHex(hex('66617374 01 01 0000 00000001 fb8e 0000')));
});

test('PROTOCOL.md vector: TRANSFER_BLOCK_CMD sid 1 tid 2 length 2016', () => {
  const frame = encodeStpRequest({ op: StpOp.TRANSFER_BLOCK_CMD, sid: 1, tid: 2, payload: u16(2016) });
  assert.equal(toHex(frame), toHex(hex('66617374 02 01 0002 00000002 27b8 64b9 07e0')));
});

test('decodeStpHeader reads the vector fields back', () => {
  const header = decodeStpHeader(hex('66617374 02 01 0002 00000002 27b8 64b9 07e0'));
  assert.deepEqual(header, { magic: STP_MAGIC_REQUEST, op: 2, sid: 1, plen: 2, tid: 2, hcrc: 0x27b8, pcrc: 0x64b9 });
  assert.throws(() => decodeStpHeader(new Uint8Array(15)), RangeError);
});

test('a large tid and a data payload encode as the modem checks them', () => {
  const payload = imageBytes(2016);
  const frame = encodeStpRequest({ op: StpOp.TRANSFER_BLOCK, sid: 1, tid: 0x01020304, payload });
  assert.equal(frame.length, 16 + 2016);
  assert.equal(toHex(frame.subarray(4, 12)), '030107e001020304');
  assert.equal((frame[14]! << 8) | frame[15]!, referenceCrc(payload));
  const zeroed = frame.slice(0, 16);
  zeroed[12] = zeroed[13] = 0;
  assert.equal((frame[12]! << 8) | frame[13]!, referenceCrc(zeroed));
  assert.deepEqual(frame.subarray(16), payload);
});

test('block limit is min(max transfer − 16, 2016), computed not assumed', () => {
  assert.equal(STP_MAX_BLOCK, 2016);
  assert.equal(stpBlockLimit(8192), 2016);
  assert.equal(stpBlockLimit(2048), 2016);
  assert.equal(stpBlockLimit(1024), 1008);
  assert.equal(stpBlockLimit(2030), 2014);
});

test('op names for messages', () => {
  assert.equal(stpOpName(3), 'TRANSFER_BLOCK');
  assert.equal(stpOpName(0x81), 'SESSION_OPEN reply');
  assert.equal(stpOpName(0x42), 'op 0x42');
});

const framer = stpReplyFramer();

test('framer: skips garbage before the magic and consumes it with the reply', () => {
  const reply = replyBytes(0x81, 1, 1, hex('01012000'));
  const garbage = latin1ToBytes('\r\nOK\r\n\xff\x00ts');
  const pending = new Uint8Array([...garbage, ...reply, 0x99]);
  const result = framer.frame(pending);
  assert.ok(result);
  assert.equal(result.consumed, garbage.length + reply.length);
  assert.equal(result.value.skipped, garbage.length);
  assert.equal(result.value.op, 0x81);
  assert.equal(result.value.tid, 1);
  assert.deepEqual(result.value.payload, hex('01012000'));
  assert.equal(result.value.hcrcOk, true);
  assert.equal(result.value.pcrcOk, true);
});

test('framer: a reply split at every position waits, then frames once complete', () => {
  const whole = new Uint8Array([...latin1ToBytes('xx'), ...replyBytes(0x83, 1, 9, u16(5))]);
  for (let cut = 0; cut < whole.length; cut++) {
    assert.equal(framer.frame(whole.subarray(0, cut)), undefined, `cut at ${cut}`);
  }
  const result = framer.frame(whole);
  assert.ok(result);
  assert.equal(result.consumed, whole.length);
  assert.deepEqual(result.value.payload, u16(5));
});

test('framer: bad header CRC still reads the payload so the stream stays in step', () => {
  const bad = replyBytes(0x83, 1, 7, u16(3), 'hcrc');
  const next = replyBytes(0x83, 1, 7, u16(3));
  const result = framer.frame(new Uint8Array([...bad, ...next]));
  assert.ok(result);
  assert.equal(result.value.hcrcOk, false);
  assert.equal(result.value.pcrcOk, true);
  assert.equal(result.consumed, bad.length);
  assert.deepEqual(result.value.payload, u16(3));
});

test('framer: bad payload CRC is reported', () => {
  const result = framer.frame(replyBytes(0x83, 1, 7, u16(3), 'pcrc'));
  assert.ok(result);
  assert.equal(result.value.hcrcOk, true);
  assert.equal(result.value.pcrcOk, false);
});

test('framer: zero CRC fields are not checked', () => {
  const frame = replyBytes(0x83, 1, 4, u16(12));
  frame.fill(0, 12, 16);
  const result = framer.frame(frame);
  assert.ok(result);
  assert.equal(result.value.hcrcOk, true);
  assert.equal(result.value.pcrcOk, true);
  assert.deepEqual(result.value.payload, u16(12));
});

test('framer: a magic with a garbage plen is noise; the real reply after it is found', () => {
  const noise = hex('74736166 83 01 ffff 00000003 1234 0000');
  const real = replyBytes(0x82, 1, 3);
  const result = framer.frame(new Uint8Array([...noise, ...real]));
  assert.ok(result);
  assert.equal(result.value.op, 0x82);
  assert.equal(result.value.skipped, noise.length);
  assert.equal(result.consumed, noise.length + real.length);
  // A tighter limit from the session rejects what the default would wait for.
  const plausible = hex('74736166 83 01 0100 00000003 1234 0000');
  assert.equal(framer.frame(plausible), undefined);
  const tight = stpReplyFramer({ maxPlen: 2032 - 16 });
  const found = tight.frame(new Uint8Array([...hex('74736166 83 01 0800 00000003 1234 0000'), ...real]));
  assert.equal(found?.value.op, 0x82);
});

test('framer: a bad-CRC header with an op no modem sends is skipped as noise', () => {
  const noise = hex('74736166 17 01 0002 00000003 1234 0000');
  const real = replyBytes(0x80, 0, 0);
  const result = framer.frame(new Uint8Array([...noise, ...real]));
  assert.equal(result?.value.op, 0x80);
  assert.equal(result?.value.skipped, noise.length);
});

test('framer: a partial magic at the end waits; a false start does not hide the real one', () => {
  assert.equal(framer.frame(latin1ToBytes('garbage ts')), undefined);
  const real = replyBytes(0x80, 0, 0);
  const result = framer.frame(new Uint8Array([...latin1ToBytes('tstsa'), ...real]));
  assert.equal(result?.value.skipped, 5);
});
