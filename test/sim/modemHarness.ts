// Test support: a simulated modem on a MemoryLink, driven with hand-written AT lines
// and hand-built STP frames. The frame code here is the tests' own (table CRC), not the
// simulator's and not the project's host codec.
import assert from 'node:assert/strict';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import type { ByteTransport } from '../../src/core/transport/byteTransport';
import { untilBytes, bytesToLatin1, latin1ToBytes, exactBytes, indexOfBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { ReadTimeoutError } from '../../src/core/errors';
import { SimulatedModem, type SimulatedModemOptions } from '../../src/sim/modem/simulatedModem';

export interface Rig {
  link: MemoryLink;
  host: ByteTransport;
  modem: SimulatedModem;
  log: string[];
  stop(): Promise<void>;
}

let rigCount = 0;

export function startModem(options: SimulatedModemOptions = {}, baudRate = 921600): Rig {
  const link = new MemoryLink(`simmodem${rigCount++}`, { baudRate });
  const device = link.open('device', { baudRate });
  const host = link.open('host', { baudRate });
  const log: string[] = [];
  const modem = new SimulatedModem(device, {
    timeScale: 0.001,
    unplug: () => link.unplug(),
    log: (line) => log.push(line),
    ...options,
  });
  modem.start();
  return {
    link,
    host,
    modem,
    log,
    stop: async () => {
      await modem.stop();
      await host.close().catch(() => undefined);
    },
  };
}

export async function send(host: ByteTransport, text: string): Promise<void> {
  await host.write(latin1ToBytes(text));
}

/** Reads up to and including `terminator` (default the final OK/ERROR line of the app). */
export async function readUntil(host: ByteTransport, terminator: string, ms = 2000): Promise<string> {
  return bytesToLatin1(await host.read(untilBytes(terminator), { deadline: Deadline.in(ms, terminator) }));
}

/** One AT exchange in the application's framing: everything up to the final result line. */
export async function at(host: ByteTransport, command: string, ms = 2000, ending = '\r'): Promise<string> {
  await send(host, command + ending);
  return bytesToLatin1(await host.read(finalResult, { deadline: Deadline.in(ms, command) }));
}

const finalResult = {
  description: 'AT final result',
  frame(pending: Uint8Array) {
    const text = bytesToLatin1(pending);
    const match = /(^|\n)(OK|ERROR)\r\n/.exec(text);
    if (!match) return undefined;
    const consumed = match.index + match[0].length;
    return { value: pending.slice(0, consumed), consumed };
  },
};

/**
 * Sends AT until the modem answers OK (it may be rebooting), bounded by a deadline. A
 * late OK to an earlier AT counts too (on a busy machine a reply can outlast one
 * attempt's window); the answers to the other ATs are then collected, so that no stale
 * OK is taken for the next command's reply.
 */
export async function wakeUp(host: ByteTransport, ms = 3000): Promise<string> {
  const deadline = Deadline.in(ms, 'wake-up');
  host.drain();
  let sent = 0;
  while (!deadline.isExpired()) {
    await send(host, 'AT\r');
    sent++;
    let reply: string;
    try {
      reply = bytesToLatin1(await host.read(finalResult, { deadline: deadline.within(100) }));
    } catch (error) {
      if (!(error instanceof ReadTimeoutError)) throw error;
      continue;
    }
    // Each AT sent while the modem listened gets its OK; a quiet line ends the wait for them.
    for (let answered = 1; answered < sent; answered++) {
      const more = await host.read(finalResult, { deadline: Deadline.in(150) }).catch(() => undefined);
      if (!more) break;
    }
    return reply;
  }
  assert.fail('modem never answered AT');
}

/** Asks AT+SMUPGRADE? (waking the modem first) until a result line, within `ms`; returns every answer. */
export async function pollUpgrade(host: ByteTransport, ms = 5000): Promise<string[]> {
  const deadline = Deadline.in(ms, 'upgrade result');
  const answers: string[] = [];
  while (!deadline.isExpired()) {
    // The modem may go into a reboot between the wake-up and the question: ask again.
    const reply = await wakeUp(host, deadline.remainingMs()).then(() => at(host, 'AT+SMUPGRADE?', 200).catch(() => ''));
    answers.push(reply);
    if (/\+SMUPGRADE: .*(success|fail)/.test(reply)) return answers;
  }
  assert.fail(`no upgrade result within ${ms} ms: ${answers.slice(-3).join(' | ')}`);
}

export async function expectSilence(host: ByteTransport, ms = 60): Promise<Uint8Array> {
  const error = await host.read(exactBytes(1), { deadline: Deadline.in(ms) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ReadTimeoutError, 'expected no bytes from the modem');
  return host.drain();
}

// ---- STP, built by hand from PROTOCOL.md section 3 ----

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
    table[n] = c & 0xffff;
  }
  return table;
})();

export function testCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ b) & 0xff]!;
  return crc;
}

export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g)!.map((h) => parseInt(h, 16)));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function request(op: number, sid: number, tid: number, payload: Uint8Array = new Uint8Array(0), corrupt: { hcrc?: boolean; pcrc?: boolean } = {}): Uint8Array {
  const frame = new Uint8Array(16 + payload.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, 0x66617374);
  view.setUint8(4, op);
  view.setUint8(5, sid);
  view.setUint16(6, payload.length);
  view.setUint32(8, tid);
  view.setUint16(14, payload.length ? testCrc(payload) ^ (corrupt.pcrc ? 0x0101 : 0) : 0);
  view.setUint16(12, testCrc(frame.subarray(0, 16)) ^ (corrupt.hcrc ? 0x0202 : 0));
  frame.set(payload, 16);
  return frame;
}

export interface Reply {
  op: number;
  sid: number;
  tid: number;
  payload: Uint8Array;
  isHeaderCrcOk: boolean;
  isPayloadCrcOk: boolean;
}

const REPLY_MAGIC = hex('74736166');

/** Finds the next reply by its magic; reads the payload its header announces. */
export async function readReply(host: ByteTransport, ms = 500): Promise<Reply> {
  const deadline = Deadline.in(ms, 'STP reply');
  const frame = await host.read(
    {
      description: 'STP reply',
      frame(pending: Uint8Array) {
        const at = indexOfBytes(pending, REPLY_MAGIC);
        if (at < 0) return undefined;
        if (pending.length < at + 16) return undefined;
        const plen = (pending[at + 6]! << 8) | pending[at + 7]!;
        if (pending.length < at + 16 + plen) return undefined;
        return { value: pending.slice(at, at + 16 + plen), consumed: at + 16 + plen };
      },
    },
    { deadline },
  );
  const view = new DataView(frame.buffer, frame.byteOffset);
  const header = frame.slice(0, 16);
  header[12] = header[13] = 0;
  const payload = frame.slice(16);
  const pcrc = view.getUint16(14);
  return {
    op: view.getUint8(4),
    sid: view.getUint8(5),
    tid: view.getUint32(8),
    payload,
    isHeaderCrcOk: testCrc(header) === view.getUint16(12),
    isPayloadCrcOk: payload.length === 0 ? pcrc === 0 : testCrc(payload) === pcrc,
  };
}

export async function expectNoReply(host: ByteTransport, ms = 80): Promise<void> {
  const error = await readReply(host, ms).then(
    (reply) => reply,
    (e: unknown) => e,
  );
  assert.ok(error instanceof ReadTimeoutError, `expected no STP reply, got ${JSON.stringify(error)}`);
}

export interface TransferStats {
  requests: number;
  timeouts: number;
  badCrcReplies: number;
  residues: number[];
  maxTransfer: number;
}

/**
 * A deliberately plain STP sender for the tests: RESET, SESSION_OPEN, blocks of
 * `blockBytes` (default the largest allowed), resend with the same tid on silence or a
 * bad reply CRC, resend the residue, RESET.
 */
export async function sendImage(host: ByteTransport, image: Uint8Array, options: { blockBytes?: number; requestMs?: number } = {}): Promise<TransferStats> {
  const stats: TransferStats = { requests: 0, timeouts: 0, badCrcReplies: 0, residues: [], maxTransfer: 0 };
  let tid = 0;
  const exchange = async (op: number, sid: number, payload?: Uint8Array): Promise<Reply> => {
    const frame = request(op, sid, tid, payload);
    for (let attempt = 0; attempt < 12; attempt++) {
      stats.requests++;
      await host.write(frame);
      let reply: Reply;
      try {
        reply = await readReply(host, options.requestMs ?? 150);
      } catch (error) {
        if (!(error instanceof ReadTimeoutError)) throw error;
        stats.timeouts++;
        continue;
      }
      if (!reply.isHeaderCrcOk) {
        stats.badCrcReplies++;
        continue;
      }
      if (reply.tid !== tid) continue;
      assert.equal(reply.op, op | 0x80);
      tid++;
      return reply;
    }
    assert.fail(`no reply to op ${op} tid ${tid}`);
  };
  await exchange(0, 0);
  const open = await exchange(1, 1);
  stats.maxTransfer = (open.payload[2]! << 8) | open.payload[3]!;
  const maxBlock = Math.min(stats.maxTransfer - 16, 2016);
  const blockBytes = Math.min(options.blockBytes ?? maxBlock, maxBlock);
  let offset = 0;
  while (offset < image.length) {
    const block = image.subarray(offset, Math.min(image.length, offset + blockBytes));
    await exchange(2, 1, Uint8Array.from([block.length >> 8, block.length & 0xff]));
    const reply = await exchange(3, 1, block);
    const residue = (reply.payload[0]! << 8) | reply.payload[1]!;
    if (residue) stats.residues.push(residue);
    offset += block.length - residue;
  }
  await exchange(0, 1);
  return stats;
}
