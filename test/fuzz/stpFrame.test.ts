import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc16Xmodem } from '../../src/core/stp/crc16';
import {
  STP_HEADER_LENGTH,
  STP_MAGIC_REPLY,
  STP_MAGIC_REQUEST,
  STP_MAX_TRANSFER_SEEN,
  decodeStpHeader,
  encodeStpRequest,
  stpHeaderCrc,
  stpReplyFramer,
  type StpReply,
} from '../../src/core/stp/stpFrame';
import { fuzzParams } from './fuzzRuns';
import { cutPoints, feedChunks, mutated, splitAt } from './fuzzInputs';
import { concatBytes } from '../../src/core/transport/framers';

/** Bitwise CRC-16/XMODEM, written apart from the table version under test. */
function bitwiseCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** A modem reply built byte by byte from PROTOCOL.md section 3, not with the codec under test. */
function replyFrame(op: number, sid: number, tid: number, payload: Uint8Array, options: { zeroHcrc?: boolean; zeroPcrc?: boolean } = {}): Uint8Array {
  const frame = new Uint8Array(STP_HEADER_LENGTH + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, STP_MAGIC_REPLY);
  view.setUint8(4, op);
  view.setUint8(5, sid);
  view.setUint16(6, payload.length);
  view.setUint32(8, tid);
  view.setUint16(14, options.zeroPcrc || payload.length === 0 ? 0 : bitwiseCrc(payload));
  frame.set(payload, STP_HEADER_LENGTH);
  if (!options.zeroHcrc) view.setUint16(12, bitwiseCrc(frame.subarray(0, STP_HEADER_LENGTH)));
  return frame;
}

const DEFAULT_MAX_PLEN = STP_MAX_TRANSFER_SEEN - STP_HEADER_LENGTH;
const REPLY_MAGIC = new Uint8Array([0x74, 0x73, 0x61, 0x66]);

function containsMagic(bytes: Uint8Array): boolean {
  for (let i = 0; i + 4 <= bytes.length; i++) {
    if (bytes[i] === 0x74 && bytes[i + 1] === 0x73 && bytes[i + 2] === 0x61 && bytes[i + 3] === 0x66) return true;
  }
  return false;
}

const replyOps = fc.constantFrom(0x80, 0x81, 0x82, 0x83);
/** Payload sizes a modem sends (0, 2, 4) and block-sized ones, with the limit's edges. */
const payloads = fc.oneof(
  fc.uint8Array({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 2100 }),
  fc.integer({ min: DEFAULT_MAX_PLEN - 2, max: DEFAULT_MAX_PLEN }).map((n) => new Uint8Array(n).fill(0x5a)),
);
const validReply = fc
  .record({ op: replyOps, sid: fc.integer({ min: 0, max: 255 }), tid: fc.nat({ max: 0xffffffff }), payload: payloads, zeroHcrc: fc.boolean(), zeroPcrc: fc.boolean() })
  .map(({ op, sid, tid, payload, zeroHcrc, zeroPcrc }) => ({ op, sid, tid, payload, bytes: replyFrame(op, sid, tid, payload, { zeroHcrc, zeroPcrc }) }));

/** The framer's promises about any value it returns. */
function checkReply(reply: StpReply, consumed: number, pendingLength: number, maxPlen: number): void {
  assert.ok(reply.payload.length <= maxPlen, `payload ${reply.payload.length} over the limit ${maxPlen}`);
  assert.equal(reply.payload.length, reply.plen);
  assert.equal(reply.magic, STP_MAGIC_REPLY);
  assert.equal(consumed, reply.skipped + STP_HEADER_LENGTH + reply.plen);
  assert.ok(consumed <= pendingLength);
}

test('the table CRC agrees with a bitwise one on arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
      assert.equal(crc16Xmodem(bytes), bitwiseCrc(bytes));
    }),
    fuzzParams(),
  );
});

test('encodeStpRequest / decodeStpHeader round trip for arbitrary op, sid, tid and payload', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.nat({ max: 0xffffffff }),
      fc.uint8Array({ maxLength: 2100 }),
      (op, sid, tid, payload) => {
        const frame = encodeStpRequest({ op, sid, tid, payload });
        assert.equal(frame.length, STP_HEADER_LENGTH + payload.length);
        const header = decodeStpHeader(frame);
        assert.deepEqual(
          { magic: header.magic, op: header.op, sid: header.sid, plen: header.plen, tid: header.tid },
          { magic: STP_MAGIC_REQUEST, op, sid, plen: payload.length, tid },
        );
        assert.equal(header.pcrc, payload.length === 0 ? 0 : bitwiseCrc(payload));
        const zeroed = frame.slice(0, STP_HEADER_LENGTH);
        zeroed[12] = 0;
        zeroed[13] = 0;
        assert.equal(header.hcrc, bitwiseCrc(zeroed));
        assert.equal(header.hcrc, stpHeaderCrc(frame));
        assert.deepEqual(frame.subarray(STP_HEADER_LENGTH), payload);
      },
    ),
    fuzzParams(),
  );
});

test('decodeStpHeader at any offset of arbitrary bytes: the fields, or a RangeError when under 16 bytes remain', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), fc.nat({ max: 45 }), (bytes, offset) => {
      if (bytes.length - offset < STP_HEADER_LENGTH) {
        assert.throws(() => decodeStpHeader(bytes, offset), RangeError);
        return;
      }
      const header = decodeStpHeader(bytes, offset);
      const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
      assert.equal(header.plen, view.getUint16(6));
      assert.equal(header.tid, view.getUint32(8));
    }),
    fuzzParams(),
  );
});

test('a valid reply, chunked arbitrarily, frames back to what was built', () => {
  fc.assert(
    fc.property(validReply, cutPoints, (reply, cuts) => {
      const { frames, rest } = feedChunks(() => stpReplyFramer(), splitAt(reply.bytes, cuts));
      assert.equal(frames.length, 1);
      const { value, consumed, pendingLength } = frames[0]!;
      checkReply(value, consumed, pendingLength, DEFAULT_MAX_PLEN);
      assert.equal(rest.length, 0);
      assert.equal(value.skipped, 0);
      assert.deepEqual({ op: value.op, sid: value.sid, tid: value.tid }, { op: reply.op, sid: reply.sid, tid: reply.tid });
      assert.deepEqual(value.payload, reply.payload);
      assert.equal(value.hcrcOk, true);
      assert.equal(value.pcrcOk, true);
    }),
    fuzzParams(),
  );
});

test('a valid reply after garbage is found (garbage without a reply magic), whatever the chunking', () => {
  const garbage = fc
    .oneof(
      fc.uint8Array({ maxLength: 300 }),
      // Text left on the line by an AT reply, and partial magics ("t", "ts", "tsa").
      fc.constantFrom('\r\nOK\r\n', 't', 'ts', 'tsa', 'tsat', 'ttsa', '\r\n+SYSSTART\r\n').map((s) => new TextEncoder().encode(s)),
      fc.array(fc.constantFrom(0x74, 0x73, 0x61, 0x66, 0x00, 0x0d), { maxLength: 40 }).map((a) => new Uint8Array(a)),
    )
    .filter((bytes) => !containsMagic(bytes));
  fc.assert(
    fc.property(garbage, validReply, cutPoints, (junk, reply, cuts) => {
      const { frames } = feedChunks(() => stpReplyFramer(), splitAt(concatBytes(junk, reply.bytes), cuts));
      assert.equal(frames.length, 1, 'exactly the one reply');
      const { value, consumed, pendingLength } = frames[0]!;
      checkReply(value, consumed, pendingLength, DEFAULT_MAX_PLEN);
      assert.ok(value.skipped >= 0 && value.skipped <= junk.length);
      // A magic may straddle the garbage's end ("ts" + "tsaf..." is found at the second t).
      assert.equal(value.skipped, junk.length);
      assert.deepEqual(value.payload, reply.payload);
      assert.equal(value.tid, reply.tid);
      assert.ok(value.hcrcOk && value.pcrcOk);
    }),
    fuzzParams(),
  );
});

test('mutated replies (bit flips, cuts, insertions, garbage before), chunked: never a throw, never more consumed than given, payload within the limit', () => {
  const maxPlens = fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 4096 }));
  const stream = fc.array(validReply.map((r) => r.bytes), { minLength: 1, maxLength: 3 }).map((parts) => concatBytes(...parts));
  fc.assert(
    fc.property(mutated(stream), cutPoints, maxPlens, (bytes, cuts, maxPlen) => {
      const limit = maxPlen ?? DEFAULT_MAX_PLEN;
      const { frames, rest } = feedChunks(() => stpReplyFramer(maxPlen === undefined ? {} : { maxPlen }), splitAt(bytes, cuts));
      let total = rest.length;
      for (const { value, consumed, pendingLength } of frames) {
        checkReply(value, consumed, pendingLength, limit);
        total += consumed;
      }
      assert.equal(total, bytes.length, 'every byte is either framed or still pending');
    }),
    fuzzParams(),
  );
});

test('arbitrary bytes, and bytes rich in magics: never a throw, and every frame starts at a reply magic', () => {
  const magicRich = fc
    .array(fc.oneof(fc.constant(REPLY_MAGIC), fc.uint8Array({ maxLength: 20 }), fc.constant(new Uint8Array([0x00, 0x00]))), { maxLength: 30 })
    .map((parts) => concatBytes(...parts));
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 600 }), magicRich), cutPoints, (bytes, cuts) => {
      const { frames } = feedChunks(() => stpReplyFramer(), splitAt(bytes, cuts));
      let offset = 0;
      for (const { value, consumed, pendingLength } of frames) {
        checkReply(value, consumed, pendingLength, DEFAULT_MAX_PLEN);
        const at = offset + value.skipped;
        assert.deepEqual(bytes.subarray(at, at + 4), REPLY_MAGIC);
        offset += consumed;
      }
    }),
    fuzzParams(),
  );
});
