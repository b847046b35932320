import type { Framer } from '../transport/byteTransport';
import { crc16Xmodem, crc16XmodemUpdate } from './crc16';

/**
 * STP frames (PROTOCOL.md §3): a 16-byte big-endian header
 * `magic u32, op u8, sid u8, plen u16, tid u32, hcrc u16, pcrc u16`, then `plen` bytes.
 */

/** "fast": every host request starts with it. */
export const STP_MAGIC_REQUEST = 0x66617374;
/** "tsaf": every modem reply starts with it; the reader finds replies by it, not by position. */
export const STP_MAGIC_REPLY = 0x74736166;
export const STP_HEADER_LENGTH = 16;

export const StpOp = {
  RESET: 0,
  SESSION_OPEN: 1,
  TRANSFER_BLOCK_CMD: 2,
  TRANSFER_BLOCK: 3,
} as const;
export type StpOp = (typeof StpOp)[keyof typeof StpOp];

/** A reply carries its request's op with this bit set. */
export const STP_REPLY_FLAG = 0x80;

/**
 * The most data one TRANSFER_BLOCK may carry, whatever max transfer the modem reports:
 * 2016 = 2048 − 32 is an interface limit of the SQN31x0 (PROTOCOL.md §8), not a choice.
 */
export const STP_MAX_BLOCK = 2016;

/**
 * Largest max transfer seen (application and updater firmware report 8192; the bootrom
 * 2048). Bounds a reply's announced plen until the session knows the real figure.
 */
export const STP_MAX_TRANSFER_SEEN = 8192;

const OP_NAMES: Record<number, string> = {
  [StpOp.RESET]: 'RESET',
  [StpOp.SESSION_OPEN]: 'SESSION_OPEN',
  [StpOp.TRANSFER_BLOCK_CMD]: 'TRANSFER_BLOCK_CMD',
  [StpOp.TRANSFER_BLOCK]: 'TRANSFER_BLOCK',
};

/** "TRANSFER_BLOCK", "TRANSFER_BLOCK reply", or "op 0x42" for an unknown one. */
export function stpOpName(op: number): string {
  const name = OP_NAMES[op & ~STP_REPLY_FLAG];
  if (name === undefined) return `op 0x${op.toString(16).padStart(2, '0')}`;
  return op & STP_REPLY_FLAG ? `${name} reply` : name;
}

/** Data bytes per TRANSFER_BLOCK for a modem reporting `maxTransfer` (header included in it). */
export function stpBlockLimit(maxTransfer: number): number {
  return Math.min(maxTransfer - STP_HEADER_LENGTH, STP_MAX_BLOCK);
}

export interface StpHeader {
  magic: number;
  op: number;
  sid: number;
  plen: number;
  tid: number;
  hcrc: number;
  pcrc: number;
}

export interface StpRequest {
  op: number;
  sid: number;
  tid: number;
  payload?: Uint8Array;
}

/** Reads the 16 header bytes at `offset` (no checks beyond the length). */
export function decodeStpHeader(bytes: Uint8Array, offset = 0): StpHeader {
  if (bytes.length - offset < STP_HEADER_LENGTH) {
    throw new RangeError(`An STP header needs ${STP_HEADER_LENGTH} bytes, got ${Math.max(0, bytes.length - offset)}.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, STP_HEADER_LENGTH);
  return {
    magic: view.getUint32(0),
    op: view.getUint8(4),
    sid: view.getUint8(5),
    plen: view.getUint16(6),
    tid: view.getUint32(8),
    hcrc: view.getUint16(12),
    pcrc: view.getUint16(14),
  };
}

/** The header CRC: over the 16 header bytes with hcrc taken as 0 and pcrc filled in. */
export function stpHeaderCrc(bytes: Uint8Array, offset = 0): number {
  let crc = 0;
  for (let i = offset; i < offset + 12; i++) crc = crc16XmodemUpdate(crc, bytes[i]!);
  crc = crc16XmodemUpdate(crc, 0);
  crc = crc16XmodemUpdate(crc, 0);
  crc = crc16XmodemUpdate(crc, bytes[offset + 14]!);
  return crc16XmodemUpdate(crc, bytes[offset + 15]!);
}

/**
 * Writes a request header in front of a payload already placed at `frame[16..16+plen)`,
 * and returns the frame to send in one write. The session uses it to send a file block
 * without copying it: the block is read straight into the frame buffer.
 */
export function encodeStpRequestInto(
  frame: Uint8Array,
  header: { op: number; sid: number; tid: number; magic?: number },
  plen: number,
): Uint8Array {
  if (plen < 0 || plen > 0xffff || frame.length < STP_HEADER_LENGTH + plen) {
    throw new RangeError(`STP payload of ${plen} bytes does not fit (frame buffer ${frame.length} bytes, plen is u16).`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, STP_HEADER_LENGTH);
  const pcrc = plen === 0 ? 0 : crc16Xmodem(frame.subarray(STP_HEADER_LENGTH, STP_HEADER_LENGTH + plen));
  view.setUint32(0, header.magic ?? STP_MAGIC_REQUEST);
  view.setUint8(4, header.op);
  view.setUint8(5, header.sid);
  view.setUint16(6, plen);
  view.setUint32(8, header.tid >>> 0);
  view.setUint16(12, 0);
  view.setUint16(14, pcrc);
  view.setUint16(12, stpHeaderCrc(frame));
  return frame.subarray(0, STP_HEADER_LENGTH + plen);
}

/** A complete request frame, header and payload in one buffer. */
export function encodeStpRequest({ op, sid, tid, payload }: StpRequest): Uint8Array {
  const plen = payload?.length ?? 0;
  const frame = new Uint8Array(STP_HEADER_LENGTH + plen);
  if (payload) frame.set(payload, STP_HEADER_LENGTH);
  return encodeStpRequestInto(frame, { op, sid, tid }, plen);
}

export interface StpReply extends StpHeader {
  payload: Uint8Array;
  /** False when hcrc is non-zero and does not match (a zero CRC field is not checked). */
  hcrcOk: boolean;
  /** False when pcrc is non-zero and does not match the payload. */
  pcrcOk: boolean;
  /** Garbage bytes skipped before the magic (left on the line after an AT reply, or noise). */
  skipped: number;
}

export interface StpReplyFramerOptions {
  /**
   * The largest plen believed; a bigger one means the magic was noise, and the reader
   * looks for the next. Default: what the largest max transfer seen allows.
   */
  maxPlen?: number;
}

const REPLY_MAGIC_BYTES = new Uint8Array([0x74, 0x73, 0x61, 0x66]);
const EMPTY_PAYLOAD = new Uint8Array(0);

function isKnownReplyOp(op: number): boolean {
  return (op & STP_REPLY_FLAG) !== 0 && OP_NAMES[op & ~STP_REPLY_FLAG] !== undefined;
}

/**
 * Finds the next modem reply by its magic, skipping whatever precedes it, and reads the
 * payload its header announced. CRCs are reported, not enforced: a reply with a bad
 * header CRC still has its payload read so the stream stays in step, and the session
 * decides to resend. A header that cannot be a reply (plen beyond the limit, or a bad
 * CRC on an op no modem sends) is taken as noise: the reader skips that magic only.
 */
export function stpReplyFramer(options: StpReplyFramerOptions = {}): Framer<StpReply> {
  const maxPlen = options.maxPlen ?? STP_MAX_TRANSFER_SEEN - STP_HEADER_LENGTH;
  return {
    description: 'STP reply',
    frame(pending) {
      let from = 0;
      for (;;) {
        const at = findMagic(pending, from);
        if (at === -1) return undefined;
        if (pending.length - at < STP_HEADER_LENGTH) return undefined;
        // Fields read in place: this runs on every chunk received, and makes the reply and its payload, nothing else.
        const op = pending[at + 4]!;
        const plen = u16At(pending, at + 6);
        const hcrc = u16At(pending, at + 12);
        const hcrcOk = hcrc === 0 || hcrc === stpHeaderCrc(pending, at);
        if (plen > maxPlen || (!hcrcOk && !isKnownReplyOp(op))) {
          from = at + 1;
          continue;
        }
        const end = at + STP_HEADER_LENGTH + plen;
        if (pending.length < end) return undefined;
        // Half the replies of a transfer (TRANSFER_BLOCK_CMD's) carry nothing: they share one empty payload.
        const payload = plen === 0 ? EMPTY_PAYLOAD : pending.slice(at + STP_HEADER_LENGTH, end);
        const pcrc = u16At(pending, at + 14);
        const reply: StpReply = {
          magic: STP_MAGIC_REPLY,
          op,
          sid: pending[at + 5]!,
          plen,
          tid: u32At(pending, at + 8),
          hcrc,
          pcrc,
          payload,
          hcrcOk,
          pcrcOk: pcrc === 0 || pcrc === crc16Xmodem(payload),
          skipped: at,
        };
        return { value: reply, consumed: end };
      }
    },
  };
}

function u16At(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

function u32At(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

/** Index of the next reply magic, or of a magic cut short by the end of the buffer (it may complete with the next chunk). */
function findMagic(bytes: Uint8Array, from: number): number {
  for (let i = bytes.indexOf(REPLY_MAGIC_BYTES[0]!, from); i !== -1; i = bytes.indexOf(REPLY_MAGIC_BYTES[0]!, i + 1)) {
    let matched = 1;
    while (matched < 4 && i + matched < bytes.length && bytes[i + matched] === REPLY_MAGIC_BYTES[matched]) matched++;
    if (matched === 4 || i + matched === bytes.length) return i;
  }
  return -1;
}
