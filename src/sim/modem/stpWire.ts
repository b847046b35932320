import { simCrc16 } from './simCrc16';

/** The simulated modem's own view of STP frames (PROTOCOL.md section 3), independent of src/core/stp. */
export const STP_HEADER_BYTES = 16;
/** "fast": what the host sends. */
export const STP_REQUEST_MAGIC = 0x66617374;
/** "tsaf": what the modem answers. */
export const STP_REPLY_MAGIC = 0x74736166;
export const STP_REPLY_FLAG = 0x80;

export const StpOp = {
  reset: 0,
  sessionOpen: 1,
  transferBlockCmd: 2,
  transferBlock: 3,
} as const;
export type StpOpCode = (typeof StpOp)[keyof typeof StpOp];

export interface StpHeaderFields {
  magic: number;
  op: number;
  sid: number;
  plen: number;
  tid: number;
  hcrc: number;
  pcrc: number;
}

export function readStpHeader(bytes: Uint8Array, at = 0): StpHeaderFields {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, STP_HEADER_BYTES);
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

/** The header CRC: over the 16 header bytes with hcrc zeroed and pcrc in place. */
export function headerCrcOf(bytes: Uint8Array, at = 0): number {
  const copy = bytes.slice(at, at + STP_HEADER_BYTES);
  copy[12] = 0;
  copy[13] = 0;
  return simCrc16(copy);
}

/** Builds one frame with both CRCs; `corruptHcrc` flips bits of the header CRC (a fault). */
export function buildStpFrame(
  fields: { magic: number; op: number; sid: number; tid: number },
  payload: Uint8Array = new Uint8Array(0),
  options: { corruptHcrc?: boolean } = {},
): Uint8Array {
  const frame = new Uint8Array(STP_HEADER_BYTES + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, fields.magic);
  view.setUint8(4, fields.op);
  view.setUint8(5, fields.sid);
  view.setUint16(6, payload.length);
  view.setUint32(8, fields.tid >>> 0);
  view.setUint16(14, payload.length ? simCrc16(payload) : 0);
  let hcrc = headerCrcOf(frame);
  if (options.corruptHcrc) hcrc ^= 0x5a5a;
  view.setUint16(12, hcrc);
  frame.set(payload, STP_HEADER_BYTES);
  return frame;
}

export function u16be(value: number): Uint8Array {
  return new Uint8Array([(value >>> 8) & 0xff, value & 0xff]);
}
