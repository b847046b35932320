/**
 * Test-only STP helpers written from PROTOCOL.md §3 without the codec under test: a
 * bitwise CRC, hand-packed headers, and a scripted modem on the device end of a MemoryLink.
 */
import { Deadline } from '../../src/core/time/deadline';
import type { ByteTransport, Framer } from '../../src/core/transport/byteTransport';

export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** CRC-16/XMODEM one bit at a time: slow, obviously right, and not the table under test. */
export function referenceCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

export interface PeerRequest {
  op: number;
  sid: number;
  plen: number;
  tid: number;
  payload: Uint8Array;
  hcrcOk: boolean;
  pcrcOk: boolean;
}

const FAST = [0x66, 0x61, 0x73, 0x74];

/** Reads "fast" requests as a modem would: magic, header, announced payload. */
export const requestFramer: Framer<PeerRequest> = {
  description: 'STP request',
  frame(pending) {
    let at = -1;
    for (let i = 0; i + 4 <= pending.length; i++) {
      if (pending[i] === FAST[0] && pending[i + 1] === FAST[1] && pending[i + 2] === FAST[2] && pending[i + 3] === FAST[3]) {
        at = i;
        break;
      }
    }
    if (at === -1 || pending.length - at < 16) return undefined;
    const h = pending.subarray(at, at + 16);
    const plen = (h[6]! << 8) | h[7]!;
    if (pending.length - at < 16 + plen) return undefined;
    const payload = pending.slice(at + 16, at + 16 + plen);
    const headerForCrc = h.slice();
    const hcrc = (h[12]! << 8) | h[13]!;
    headerForCrc[12] = 0;
    headerForCrc[13] = 0;
    const pcrc = (h[14]! << 8) | h[15]!;
    return {
      value: {
        op: h[4]!,
        sid: h[5]!,
        plen,
        tid: ((h[8]! << 24) | (h[9]! << 16) | (h[10]! << 8) | h[11]!) >>> 0,
        payload,
        hcrcOk: hcrc === referenceCrc(headerForCrc),
        pcrcOk: plen === 0 ? pcrc === 0 : pcrc === referenceCrc(payload),
      },
      consumed: at + 16 + plen,
    };
  },
};

/** A "tsaf" reply packed by hand, with correct CRCs unless told otherwise. */
export function replyBytes(op: number, sid: number, tid: number, payload: Uint8Array = new Uint8Array(0), corrupt?: 'hcrc' | 'pcrc'): Uint8Array {
  const frame = new Uint8Array(16 + payload.length);
  frame.set([0x74, 0x73, 0x61, 0x66, op, sid, payload.length >> 8, payload.length & 0xff, tid >>> 24, (tid >>> 16) & 0xff, (tid >>> 8) & 0xff, tid & 0xff]);
  frame.set(payload, 16);
  const pcrc = payload.length ? referenceCrc(payload) : 0;
  frame[14] = pcrc >> 8;
  frame[15] = pcrc & 0xff;
  const hcrc = referenceCrc(frame.subarray(0, 16));
  frame[12] = hcrc >> 8;
  frame[13] = hcrc & 0xff;
  if (corrupt === 'hcrc') frame[13] ^= 0x5a;
  // A payload byte hit by noise: the header (which covers pcrc) stays intact.
  if (corrupt === 'pcrc') frame[16] ^= 0x5a;
  return frame;
}

export const u16 = (value: number) => new Uint8Array([value >> 8, value & 0xff]);

/** What the scripted modem does with one request: the replies to send (none = drop it). */
export type PeerAction = Uint8Array[];

export interface ScriptedModemOptions {
  maxTransfer?: number;
  version?: number;
  isOpenOk?: boolean;
  /** Bytes (noise) sent before the first reply. */
  leadingGarbage?: Uint8Array;
  /** Bytes of a block the modem takes, given the block's length and its index; default all. */
  takeBytes?: (length: number, blockIndex: number) => number;
  /**
   * Overrides the reply to a request. `normal` is what an honest modem would send;
   * `seen` counts how many times this tid arrived (1 for the first send).
   */
  intercept?: (request: PeerRequest, normal: Uint8Array, seen: number) => PeerAction;
}

/**
 * A modem that answers STP on the device end of a link: validates every request, keeps
 * the bytes it took, answers a resend of the same tid without taking its data twice.
 */
export class ScriptedModem {
  readonly requests: PeerRequest[] = [];
  readonly received: number[] = [];
  readonly blockLengths: number[] = [];
  readonly problems: string[] = [];
  private tidCounts = new Map<number, number>();
  private lastReplyByTid = new Map<number, Uint8Array>();
  private pendingLength: number | undefined;
  private blockIndex = 0;
  private stopped = false;
  private requestListeners: Array<(request: PeerRequest) => void> = [];
  readonly done: Promise<void>;

  constructor(
    private readonly device: ByteTransport,
    private readonly options: ScriptedModemOptions = {},
  ) {
    this.done = this.run();
  }

  onRequest(listener: (request: PeerRequest) => void): void {
    this.requestListeners.push(listener);
  }

  /** Resolves when a request matching `predicate` arrives. */
  waitFor(predicate: (request: PeerRequest) => boolean): Promise<PeerRequest> {
    return new Promise((resolve) => this.onRequest((request) => predicate(request) && resolve(request)));
  }

  stop(): void {
    this.stopped = true;
  }

  receivedBytes(): Uint8Array {
    return Uint8Array.from(this.received);
  }

  private async run(): Promise<void> {
    if (this.options.leadingGarbage) await this.device.write(this.options.leadingGarbage);
    while (!this.stopped) {
      let request: PeerRequest;
      try {
        request = await this.device.read(requestFramer, { deadline: Deadline.in(10_000, 'peer request') });
      } catch {
        return;
      }
      this.requests.push(request);
      for (const listener of this.requestListeners) listener(request);
      if (!request.hcrcOk || !request.pcrcOk) {
        this.problems.push(`bad CRC on tid ${request.tid}`);
        continue;
      }
      const seen = (this.tidCounts.get(request.tid) ?? 0) + 1;
      this.tidCounts.set(request.tid, seen);
      const normal = seen > 1 && this.lastReplyByTid.has(request.tid) ? this.lastReplyByTid.get(request.tid)! : this.handle(request);
      this.lastReplyByTid.set(request.tid, normal);
      const replies = this.options.intercept ? this.options.intercept(request, normal, seen) : [normal];
      for (const reply of replies) if (!this.stopped) await this.device.write(reply);
    }
  }

  private handle(request: PeerRequest): Uint8Array {
    const reply = (payload?: Uint8Array) => replyBytes(request.op | 0x80, request.sid, request.tid, payload);
    switch (request.op) {
      case 0:
        if (request.sid !== 0 || request.plen !== 0) this.problems.push('RESET not on sid 0 with empty payload');
        return reply();
      case 1: {
        if (request.sid !== 1) this.problems.push('SESSION_OPEN not on sid 1');
        const max = this.options.maxTransfer ?? 8192;
        return reply(new Uint8Array([this.options.isOpenOk === false ? 0 : 1, this.options.version ?? 1, max >> 8, max & 0xff]));
      }
      case 2:
        if (request.plen !== 2) this.problems.push(`TRANSFER_BLOCK_CMD plen ${request.plen}`);
        this.pendingLength = (request.payload[0]! << 8) | request.payload[1]!;
        return reply();
      case 3: {
        if (this.pendingLength !== request.plen) this.problems.push(`block of ${request.plen} after CMD announced ${this.pendingLength}`);
        const limit = Math.min((this.options.maxTransfer ?? 8192) - 16, 2016);
        if (request.plen > limit) this.problems.push(`block of ${request.plen} over the limit ${limit}`);
        this.blockLengths.push(request.plen);
        const take = this.options.takeBytes ? this.options.takeBytes(request.plen, this.blockIndex) : request.plen;
        this.blockIndex++;
        for (let i = 0; i < take; i++) this.received.push(request.payload[i]!);
        return reply(u16(request.plen - take));
      }
      default:
        this.problems.push(`unknown op ${request.op}`);
        return reply();
    }
  }
}

/** Deterministic pseudo-random bytes for images. */
export function imageBytes(length: number, seed = 7): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}
