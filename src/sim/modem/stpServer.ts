import {
  STP_HEADER_BYTES,
  STP_REPLY_FLAG,
  STP_REPLY_MAGIC,
  STP_REQUEST_MAGIC,
  StpOp,
  buildStpFrame,
  headerCrcOf,
  readStpHeader,
  u16be,
  type StpHeaderFields,
} from './stpWire';
import { simCrc16 } from './simCrc16';

/** Largest block the SQN31x0 interface takes (2048 − 32), whatever max_transfer says. */
export const STP_INTERFACE_MAX_BLOCK = 2016;
/** SESSION_OPEN reply fields seen on real modems. */
export const STP_SESSION_VERSION = 1;
export const STP_SESSION_OK = 1;

export type StpRejection =
  | 'bad-magic'
  | 'header-crc'
  | 'unknown-op'
  | 'plen'
  | 'payload-crc'
  | 'sid'
  | 'no-session'
  | 'no-pending-block'
  | 'pending-too-big';

/** What the server asks of the modem around it: storage, faults, timing. */
export interface StpServerHooks {
  /** Sends reply bytes on the UART (paced); resolves when they have left. */
  send(bytes: Uint8Array): Promise<void>;
  /**
   * A TRANSFER_BLOCK's data arrived. The modem stores what it takes and says how many
   * trailing bytes it did not take (the residue), or 'halt' when it stops answering
   * (crash, unplug): the server then drops everything and replies to nothing more.
   */
  takeBlock(data: Uint8Array): Promise<{ residue: number } | 'halt'>;
  /** Whether to corrupt the header CRC of this reply (fault 'corrupt-reply-crc'). */
  shouldCorruptReply?(op: number): boolean;
  sessionOpened?(sid: number): void;
  /**
   * The closing RESET of an open session arrived (its reply not sent yet): the modem
   * has the whole image now, whether or not its reply reaches the host.
   */
  sessionEnding?(): void;
  /** The closing RESET of an open session was answered: the line returns to AT. */
  sessionClosed?(): void;
  rejected?(reason: StpRejection, header: StpHeaderFields | undefined): void;
  /**
   * A valid request is about to be handled (targeted faults): 'go' handles it, 'ignore'
   * drops it unanswered (as if bytes were lost), 'halt' stops the server (crash, unplug).
   * May wait first (a slow modem). `isSessionOpen` tells a closing RESET from the first.
   */
  beforeRequest?(header: StpHeaderFields, context: { isSessionOpen: boolean; isReplay: boolean }): Promise<'go' | 'ignore' | 'halt'>;
  log?(line: string): void;
}

export interface StpServerOptions {
  /** 8192 in the application/updater firmware, 2048 in the recovery bootrom. */
  maxTransfer: number;
}

interface LastReply {
  op: number;
  sid: number;
  tid: number;
  frame: Uint8Array;
}

/**
 * The modem's end of STP. Bytes go in as the UART delivers them; complete, valid
 * requests get a reply; a request that fails any check gets none (the host must
 * time out and resend the same tid). Framing resynchronises on the request magic,
 * so dropped or stray bytes cost one request, not the session.
 */
export class StpServer {
  private buffer: Uint8Array = new Uint8Array(0);
  private sessionSid: number | undefined;
  private pendingBlockBytes: number | undefined;
  private lastReply: LastReply | undefined;
  private isHalted = false;
  private hasEnded = false;
  /** Counters for tests and logs. */
  readonly counts = { requests: 0, replies: 0, rejected: 0, replayed: 0, noiseBytes: 0 };

  constructor(
    private readonly options: StpServerOptions,
    private readonly hooks: StpServerHooks,
  ) {}

  get maxBlockBytes(): number {
    return Math.min(this.options.maxTransfer - STP_HEADER_BYTES, STP_INTERFACE_MAX_BLOCK);
  }

  get isSessionOpen(): boolean {
    return this.sessionSid !== undefined;
  }

  get ended(): boolean {
    return this.hasEnded || this.isHalted;
  }

  /**
   * Feeds received bytes. Resolves with the bytes that followed the closing RESET
   * (they belong to the AT interpreter again) once the session has ended; else undefined.
   */
  async push(bytes: Uint8Array): Promise<Uint8Array | undefined> {
    if (this.ended) return bytes;
    this.buffer = concat(this.buffer, bytes);
    while (!this.ended) {
      const progressed = await this.step();
      if (!progressed) break;
    }
    if (this.isHalted) {
      this.buffer = new Uint8Array(0);
      return undefined;
    }
    if (this.hasEnded) {
      const rest = this.buffer;
      this.buffer = new Uint8Array(0);
      return rest;
    }
    return undefined;
  }

  /** Stops answering for good (crash, unplug, stop). */
  halt(): void {
    this.isHalted = true;
  }

  /** Handles at most one frame; false when more bytes are needed. */
  private async step(): Promise<boolean> {
    if (!this.skipToMagic()) return false;
    if (this.buffer.length < STP_HEADER_BYTES) return false;
    const header = readStpHeader(this.buffer);
    if (headerCrcOf(this.buffer) !== header.hcrc) {
      // Maybe a "fast" inside data, or a frame that lost bytes: look for the next magic.
      this.reject('header-crc', header, 1);
      return true;
    }
    if (header.op > StpOp.transferBlock) {
      this.reject('unknown-op', header, STP_HEADER_BYTES);
      return true;
    }
    if (header.plen !== this.expectedPlen(header)) {
      this.reject('plen', header, STP_HEADER_BYTES);
      return true;
    }
    const frameBytes = STP_HEADER_BYTES + header.plen;
    if (this.buffer.length < frameBytes) return false;
    const payload = this.buffer.slice(STP_HEADER_BYTES, frameBytes);
    // pcrc 0 means "not computed", as the spec says of replies; a real CRC of 0 passes too.
    if (header.plen > 0 && header.pcrc !== 0 && simCrc16(payload) !== header.pcrc) {
      // The payload may hold the start of a resent request (bytes were dropped): resync inside it.
      this.reject('payload-crc', header, 1);
      return true;
    }
    this.consume(frameBytes);
    this.counts.requests++;
    if (this.hooks.beforeRequest) {
      const verdict = await this.hooks.beforeRequest(header, { isSessionOpen: this.isSessionOpen, isReplay: this.isReplayOf(header) });
      if (verdict === 'halt') {
        this.halt();
        return true;
      }
      if (verdict === 'ignore' || this.isHalted) return true;
    }
    await this.handle(header, payload);
    return true;
  }

  /** The payload length a request of this op must announce; -1 when it is invalid anyway. */
  private expectedPlen(header: StpHeaderFields): number {
    switch (header.op) {
      case StpOp.reset:
      case StpOp.sessionOpen:
        return 0;
      case StpOp.transferBlockCmd:
        return 2;
      default:
        if (this.isReplayOf(header)) return header.plen;
        return this.pendingBlockBytes ?? (header.plen <= this.maxBlockBytes ? header.plen : -1);
    }
  }

  private async handle(header: StpHeaderFields, payload: Uint8Array): Promise<void> {
    if (this.isReplayOf(header) && this.lastReply) {
      // The host lost our reply and resent the same request: answer again, change nothing.
      this.counts.replayed++;
      this.hooks.log?.(`STP replay op ${header.op} tid ${header.tid}`);
      await this.sendReply(this.lastReply.frame, header.op, false);
      return;
    }
    switch (header.op) {
      case StpOp.reset: {
        const wasOpen = this.sessionSid !== undefined;
        this.sessionSid = undefined;
        this.pendingBlockBytes = undefined;
        if (wasOpen) this.hooks.sessionEnding?.();
        await this.reply(header, new Uint8Array(0));
        if (wasOpen) {
          this.hasEnded = true;
          this.hooks.sessionClosed?.();
        }
        return;
      }
      case StpOp.sessionOpen: {
        this.sessionSid = header.sid;
        this.pendingBlockBytes = undefined;
        this.hooks.sessionOpened?.(header.sid);
        const body = new Uint8Array([STP_SESSION_OK, STP_SESSION_VERSION, ...u16be(this.options.maxTransfer)]);
        await this.reply(header, body);
        return;
      }
      case StpOp.transferBlockCmd: {
        if (!this.checkSession(header)) return;
        const length = (payload[0]! << 8) | payload[1]!;
        if (length === 0 || length > this.maxBlockBytes) {
          this.reject('pending-too-big', header, 0);
          return;
        }
        this.pendingBlockBytes = length;
        await this.reply(header, new Uint8Array(0));
        return;
      }
      default: {
        if (!this.checkSession(header)) return;
        if (this.pendingBlockBytes === undefined) {
          this.reject('no-pending-block', header, 0);
          return;
        }
        this.pendingBlockBytes = undefined;
        const taken = await this.hooks.takeBlock(payload);
        if (taken === 'halt') {
          this.halt();
          return;
        }
        await this.reply(header, u16be(taken.residue));
      }
    }
  }

  private checkSession(header: StpHeaderFields): boolean {
    if (this.sessionSid === undefined) {
      this.reject('no-session', header, 0);
      return false;
    }
    if (header.sid !== this.sessionSid) {
      this.reject('sid', header, 0);
      return false;
    }
    return true;
  }

  private isReplayOf(header: StpHeaderFields): boolean {
    const last = this.lastReply;
    return !!last && last.op === header.op && last.tid === header.tid && last.sid === header.sid && header.op !== StpOp.reset;
  }

  private async reply(header: StpHeaderFields, payload: Uint8Array): Promise<void> {
    const clean = buildStpFrame({ magic: STP_REPLY_MAGIC, op: header.op | STP_REPLY_FLAG, sid: header.sid, tid: header.tid }, payload);
    this.lastReply = { op: header.op, sid: header.sid, tid: header.tid, frame: clean };
    const corrupt = this.hooks.shouldCorruptReply?.(header.op) ?? false;
    const frame = corrupt
      ? buildStpFrame({ magic: STP_REPLY_MAGIC, op: header.op | STP_REPLY_FLAG, sid: header.sid, tid: header.tid }, payload, { corruptHcrc: true })
      : clean;
    await this.sendReply(frame, header.op, corrupt);
  }

  private async sendReply(frame: Uint8Array, op: number, corrupt: boolean): Promise<void> {
    if (this.isHalted) return;
    this.counts.replies++;
    if (corrupt) this.hooks.log?.(`STP reply op ${op | STP_REPLY_FLAG} sent with a corrupted header CRC (fault)`);
    await this.hooks.send(frame);
  }

  private reject(reason: StpRejection, header: StpHeaderFields | undefined, drop: number): void {
    this.counts.rejected++;
    this.hooks.log?.(`STP request rejected (${reason})${header ? ` op ${header.op} sid ${header.sid} tid ${header.tid} plen ${header.plen}` : ''}`);
    this.hooks.rejected?.(reason, header);
    if (drop > 0) this.consume(drop);
  }

  /** Drops bytes before the next request magic (keeping a partial magic at the end). */
  private skipToMagic(): boolean {
    const buf = this.buffer;
    for (let i = 0; i < buf.length; i++) {
      if (matchesMagicPrefix(buf, i)) {
        if (i > 0) {
          this.counts.noiseBytes += i;
          this.consume(i);
        }
        return this.buffer.length >= 4;
      }
    }
    this.counts.noiseBytes += buf.length;
    this.buffer = new Uint8Array(0);
    return false;
  }

  private consume(count: number): void {
    this.buffer = this.buffer.slice(Math.min(count, this.buffer.length));
  }
}

const MAGIC_BYTES = [(STP_REQUEST_MAGIC >>> 24) & 0xff, (STP_REQUEST_MAGIC >>> 16) & 0xff, (STP_REQUEST_MAGIC >>> 8) & 0xff, STP_REQUEST_MAGIC & 0xff];

function matchesMagicPrefix(buf: Uint8Array, at: number): boolean {
  for (let j = 0; j < 4; j++) {
    if (at + j >= buf.length) return true;
    if (buf[at + j] !== MAGIC_BYTES[j]) return false;
  }
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
