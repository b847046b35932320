import { ReadTimeoutError } from '../errors';
import type { BlockSource } from '../files/blockSource';
import { Deadline } from '../time/deadline';
import type { ByteTransport, Framer, ReadOptions } from '../transport/byteTransport';
import { StpNoReplyError, StpRejectedError } from './stpErrors';
import {
  STP_HEADER_LENGTH,
  STP_REPLY_FLAG,
  StpOp,
  encodeStpRequest,
  encodeStpRequestInto,
  stpBlockLimit,
  stpOpName,
  stpReplyFramer,
  type StpReply,
} from './stpFrame';

export type { BlockSource } from '../files/blockSource';

export interface StpFrameSummary {
  direction: 'tx' | 'rx';
  op: number;
  sid: number;
  tid: number;
  plen: number;
  /** Why the frame is notable: 'resend 2/4', 'stale', 'bad hcrc', ... */
  note?: string;
}

export interface StpSessionOptions {
  /** Per request; the modem may think about 90 s over one request (PROTOCOL.md §2 timing facts). */
  requestTimeoutMs?: number;
  /** A lost or corrupt reply means: resend the same request with the same tid, at least this many sends. */
  maxAttemptsPerRequest?: number;
  /**
   * How long one request may go without any answer, across its resends, before it fails
   * (default: requestTimeoutMs × maxAttemptsPerRequest). A modem busy writing its flash
   * stays silent for minutes (PROTOCOL.md §9); silence alone keeps the request alive this
   * long, while damaged replies still end it after maxAttemptsPerRequest sends.
   */
  silenceBudgetMs?: number;
  onFrame?: (summary: StpFrameSummary) => void;
}

export interface StpSessionInfo {
  version: number;
  /** Largest frame the modem takes, header included. */
  maxTransfer: number;
}

export interface SendFileOptions {
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

/**
 * How the closing RESET ended. The modem leaves STP as it takes the RESET, so a lost or
 * damaged reply cannot be asked again: resends reach a line that speaks AT. 'unconfirmed'
 * is not a failure of the transfer (every block was acknowledged); whether the modem is
 * fine is for an AT exchange to tell.
 */
export type StpCloseResult =
  | { kind: 'closed' }
  /** The reply arrived with a bad CRC, but its magic and RESET reply op were there. */
  | { kind: 'closed-damaged-reply' }
  /** No reply with the RESET reply op after every attempt. */
  | { kind: 'unconfirmed'; error: StpNoReplyError };

export const STP_DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
export const STP_DEFAULT_MAX_ATTEMPTS = 4;

/** The session id the host uses once SESSION_OPEN succeeded; RESET goes out on sid 0. */
const STP_SESSION_SID = 1;

/** Shared by every exchange that has heard nothing yet: nobody writes into an empty array. */
const NO_BYTES = new Uint8Array(0);

/** Room for the two bytes of TRANSFER_BLOCK_CMD's u16 length. */
const BLOCK_CMD_FRAME_LENGTH = STP_HEADER_LENGTH + 2;

type ReplyOutcome =
  | { kind: 'reply'; reply: StpReply }
  | { kind: 'corrupt' }
  | { kind: 'timeout'; lastBytes: Uint8Array };

/**
 * One STP conversation on a line already switched to STP (after `AT+SMSTPU` or `AT+STP`):
 * RESET, SESSION_OPEN, the blocks of one or more files, RESET. Strict request/reply; each
 * request has its own deadline and is resent with the same tid when no usable reply comes.
 */
export class StpSession {
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly silenceBudgetMs: number;
  private readonly onFrame: ((summary: StpFrameSummary) => void) | undefined;
  private framer: Framer<StpReply> = stpReplyFramer();
  private nextTid = 0;
  private info: StpSessionInfo | undefined;
  /**
   * Reused for every TRANSFER_BLOCK_CMD: safe because a frame is rewritten only after the
   * reply to its last send arrived, so the transport is done with it.
   */
  private readonly blockCmdFrame = new Uint8Array(BLOCK_CMD_FRAME_LENGTH);

  constructor(
    private readonly io: ByteTransport,
    options: StpSessionOptions = {},
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? STP_DEFAULT_REQUEST_TIMEOUT_MS;
    this.maxAttempts = Math.max(1, options.maxAttemptsPerRequest ?? STP_DEFAULT_MAX_ATTEMPTS);
    this.silenceBudgetMs = options.silenceBudgetMs ?? this.requestTimeoutMs * this.maxAttempts;
    this.onFrame = options.onFrame;
  }

  /** The figures SESSION_OPEN reported, once open. */
  get sessionInfo(): StpSessionInfo | undefined {
    return this.info;
  }

  /** RESET (sid 0, tid 0), then SESSION_OPEN (sid 1, tid 1). */
  async open(signal?: AbortSignal): Promise<StpSessionInfo> {
    this.info = undefined;
    this.framer = stpReplyFramer();
    await this.exchange(encodeStpRequest({ op: StpOp.RESET, sid: 0, tid: 0 }), StpOp.RESET, 0, 0, signal);

    const reply = await this.exchange(
      encodeStpRequest({ op: StpOp.SESSION_OPEN, sid: STP_SESSION_SID, tid: 1 }),
      StpOp.SESSION_OPEN,
      STP_SESSION_SID,
      1,
      signal,
      (candidate) => (candidate.payload.length < 4 ? `${candidate.payload.length}-byte payload, 4 expected` : undefined),
    );
    const view = new DataView(reply.payload.buffer, reply.payload.byteOffset, reply.payload.length);
    const isOk = view.getUint8(0) !== 0;
    const version = view.getUint8(1);
    const maxTransfer = view.getUint16(2);
    if (!isOk) throw new StpRejectedError(StpOp.SESSION_OPEN, 1, 1, `session not opened (ok = 0, version ${version})`);
    if (stpBlockLimit(maxTransfer) < 1) {
      throw new StpRejectedError(StpOp.SESSION_OPEN, 1, 1, `max transfer ${maxTransfer} leaves no room for data`);
    }
    this.info = { version, maxTransfer };
    this.nextTid = 2;
    // No reply can be longer than a whole transfer: a bigger plen is noise, not a frame to wait for.
    this.framer = stpReplyFramer({ maxPlen: maxTransfer - STP_HEADER_LENGTH });
    return { ...this.info };
  }

  /**
   * Sends `source` block by block. A block's residue (bytes the modem did not take) is
   * sent again at the start of the next block. The next block is read from the source
   * while the modem handles the current one, so the line does not wait on the disk.
   */
  async sendFile(source: BlockSource, options: SendFileOptions = {}): Promise<void> {
    const { signal, onProgress } = options;
    if (!this.info) throw new Error('StpSession.sendFile() needs a successful open() first.');
    const blockLimit = stpBlockLimit(this.info.maxTransfer);
    const total = source.size;
    // Two frame buffers: one on the wire, one being filled from the source.
    const frames = [new Uint8Array(STP_HEADER_LENGTH + Math.min(blockLimit, total)), new Uint8Array(0)];
    frames[1] = total > blockLimit ? new Uint8Array(frames[0]!.length) : frames[0]!;

    let offset = 0;
    let stalledBlocks = 0;
    onProgress?.(0, total);
    if (total === 0) return;

    let current = 0;
    await fillBlock(source, frames[current]!, offset, Math.min(total, blockLimit), signal);
    while (offset < total) {
      const length = Math.min(total - offset, blockLimit);
      const takenAllOffset = offset + length;
      const spare = 1 - current;
      let prefetch: Promise<void> | undefined;
      if (takenAllOffset < total) {
        prefetch = fillBlock(source, frames[spare]!, takenAllOffset, Math.min(total - takenAllOffset, blockLimit), signal);
        // Awaited below on every path; this only keeps a failure from counting as unhandled meanwhile.
        prefetch.catch(() => undefined);
      }

      let residue: number;
      try {
        residue = await this.sendBlock(frames[current]!, length, signal);
      } catch (error) {
        await prefetch?.catch(() => undefined);
        throw error;
      }

      const taken = length - residue;
      offset += taken;
      stalledBlocks = taken === 0 ? stalledBlocks + 1 : 0;
      if (stalledBlocks >= this.maxAttempts) {
        throw new StpRejectedError(
          StpOp.TRANSFER_BLOCK,
          (this.nextTid - 1) >>> 0,
          stalledBlocks,
          `it took none of the ${length} bytes at offset ${offset}, ${stalledBlocks} times in a row`,
        );
      }
      if (taken > 0) onProgress?.(offset, total);
      if (offset >= total) {
        await prefetch?.catch(() => undefined);
        break;
      }
      if (residue === 0) {
        await prefetch;
        current = spare;
      } else {
        // The modem left the tail of this block: the next one starts there, not where we guessed.
        await prefetch?.catch(() => undefined);
        await fillBlock(source, frames[spare]!, offset, Math.min(total - offset, blockLimit), signal);
        current = spare;
      }
    }
  }

  /**
   * RESET (sid 0, tid 0), which ends the session on the modem side. Never fails for a
   * missing or damaged reply (see StpCloseResult); an abort or a closed port still throws.
   */
  async close(signal?: AbortSignal): Promise<StpCloseResult> {
    this.info = undefined;
    let isDamaged = false;
    try {
      await this.exchange(encodeStpRequest({ op: StpOp.RESET, sid: 0, tid: 0 }), StpOp.RESET, 0, 0, signal, undefined, () => {
        isDamaged = true;
      });
    } catch (error) {
      if (error instanceof StpNoReplyError) return { kind: 'unconfirmed', error };
      throw error;
    }
    return isDamaged ? { kind: 'closed-damaged-reply' } : { kind: 'closed' };
  }

  /** TRANSFER_BLOCK_CMD then TRANSFER_BLOCK for the `length` data bytes at frame[16..]; returns the residue. */
  private async sendBlock(frame: Uint8Array, length: number, signal: AbortSignal | undefined): Promise<number> {
    const cmdTid = this.takeTid();
    this.blockCmdFrame[STP_HEADER_LENGTH] = length >>> 8;
    this.blockCmdFrame[STP_HEADER_LENGTH + 1] = length & 0xff;
    const cmdFrame = encodeStpRequestInto(this.blockCmdFrame, { op: StpOp.TRANSFER_BLOCK_CMD, sid: STP_SESSION_SID, tid: cmdTid }, 2);
    await this.exchange(cmdFrame, StpOp.TRANSFER_BLOCK_CMD, STP_SESSION_SID, cmdTid, signal);

    const blockTid = this.takeTid();
    const blockFrame = encodeStpRequestInto(frame, { op: StpOp.TRANSFER_BLOCK, sid: STP_SESSION_SID, tid: blockTid }, length);
    const reply = await this.exchange(blockFrame, StpOp.TRANSFER_BLOCK, STP_SESSION_SID, blockTid, signal, (candidate) => {
      if (candidate.payload.length < 2) return `no residue (${candidate.payload.length}-byte payload)`;
      const residue = (candidate.payload[0]! << 8) | candidate.payload[1]!;
      return residue > length ? `impossible residue ${residue} of ${length}` : undefined;
    });
    return (reply.payload[0]! << 8) | reply.payload[1]!;
  }

  private takeTid(): number {
    const tid = this.nextTid;
    this.nextTid = (this.nextTid + 1) >>> 0;
    return tid;
  }

  /**
   * Sends one request until a matching, intact reply arrives. Each send has its own
   * deadline; replies to other requests (late answers to an earlier send) are skipped
   * within it, so a slow modem cannot put replies out of step.
   */
  private async exchange(
    frame: Uint8Array,
    op: number,
    sid: number,
    tid: number,
    signal: AbortSignal | undefined,
    implausible?: (reply: StpReply) => string | undefined,
    /** Set: a reply with this op but a bad CRC is taken (and this is called) instead of resent. */
    onDamagedReplyTaken?: () => void,
  ): Promise<StpReply> {
    const replyOp = op | STP_REPLY_FLAG;
    const plen = frame.length - STP_HEADER_LENGTH;
    let corruptReplies = 0;
    let lastBytes: Uint8Array = NO_BYTES;
    const firstSentMs = performance.now();
    let attempt = 1;
    for (; ; attempt++) {
      if (attempt > 1) {
        // Whatever is left (a reply cut short, noise) would otherwise be read as the answer to the resend.
        this.io.drain();
      }
      await this.io.write(frame, signal);
      if (this.onFrame) {
        this.onFrame(attempt > 1 ? { direction: 'tx', op, sid, tid, plen, note: `resend ${attempt}/${this.maxAttempts}` } : { direction: 'tx', op, sid, tid, plen });
      }
      const deadline = Deadline.in(this.requestTimeoutMs, `reply to STP ${stpOpName(op)} tid ${tid}`);
      const outcome = await this.awaitReply(replyOp, tid, deadline, signal, implausible, onDamagedReplyTaken);
      if (outcome.kind === 'reply') return outcome.reply;
      if (outcome.kind === 'corrupt') corruptReplies++;
      else lastBytes = outcome.lastBytes;
      if (attempt < this.maxAttempts) continue;
      // Past the usual sends, only plain silence earns more: the modem may be writing its flash.
      // Half a deadline of slack: a budget of exactly N sends stops after N sends, not N + 1.
      const silentMs = performance.now() - firstSentMs;
      if (corruptReplies > 0 || silentMs + this.requestTimeoutMs / 2 >= this.silenceBudgetMs) break;
    }
    throw new StpNoReplyError(op, tid, attempt, this.requestTimeoutMs, corruptReplies, lastBytes);
  }

  private async awaitReply(
    replyOp: number,
    tid: number,
    deadline: Deadline,
    signal: AbortSignal | undefined,
    implausible: ((reply: StpReply) => string | undefined) | undefined,
    onDamagedReplyTaken?: () => void,
  ): Promise<ReplyOutcome> {
    const readOptions: ReadOptions = signal ? { deadline, signal } : { deadline };
    for (;;) {
      let reply: StpReply;
      try {
        reply = await this.io.read(this.framer, readOptions);
      } catch (error) {
        if (error instanceof ReadTimeoutError) return { kind: 'timeout', lastBytes: error.lastBytes };
        throw error;
      }
      // A bad CRC makes op and tid untrustworthy too: resend rather than guess whose reply it was.
      if (!reply.hcrcOk || !reply.pcrcOk) {
        // Only the closing RESET takes this: the modem leaves STP as it answers, so a resend
        // would reach an AT line. A RESET reply op (the framer passes a bad-hcrc header only
        // with a known reply op) after our RESET can only be its answer, whatever its tid.
        if (onDamagedReplyTaken && reply.op === replyOp) {
          this.reportReply(reply, `${!reply.hcrcOk ? 'bad hcrc' : 'bad pcrc'}, taken: the modem has left STP`);
          onDamagedReplyTaken();
          return { kind: 'reply', reply };
        }
        this.reportReply(reply, !reply.hcrcOk ? 'bad hcrc' : 'bad pcrc');
        return { kind: 'corrupt' };
      }
      if (reply.op !== replyOp || reply.tid !== tid) {
        this.reportReply(reply, 'stale');
        continue;
      }
      // pcrc 0 is "not checked", and the CRC of a residue of 0 is 0: most block replies carry
      // no payload check at all, so a payload that cannot be true counts as corrupt.
      const problem = implausible?.(reply);
      if (problem !== undefined) {
        this.reportReply(reply, problem);
        return { kind: 'corrupt' };
      }
      this.reportReply(reply, reply.skipped > 0 ? `${reply.skipped} stray bytes skipped` : undefined);
      return { kind: 'reply', reply };
    }
  }

  private reportReply(reply: StpReply, note: string | undefined): void {
    if (!this.onFrame) return;
    const summary: StpFrameSummary = { direction: 'rx', op: reply.op, sid: reply.sid, tid: reply.tid, plen: reply.plen };
    if (note) summary.note = note;
    this.onFrame(summary);
  }
}

async function fillBlock(source: BlockSource, frame: Uint8Array, offset: number, length: number, signal: AbortSignal | undefined): Promise<void> {
  const target = frame.subarray(STP_HEADER_LENGTH, STP_HEADER_LENGTH + length);
  if (source.readInto) {
    await source.readInto(target, offset, signal);
    return;
  }
  const bytes = await source.read(offset, length, signal);
  if (bytes.length !== length) {
    throw new RangeError(`${source.name} returned ${bytes.length} bytes for a read of ${length} at ${offset}.`);
  }
  target.set(bytes);
}
