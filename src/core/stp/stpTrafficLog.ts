import { STP_REPLY_FLAG, StpOp, stpOpName } from './stpFrame';
import type { StpFrameSummary } from './stpSession';

/** One line of STP traffic for the event stream and the transcript. */
export interface StpTrafficLine {
  direction: 'tx' | 'rx';
  summary: string;
}

/** Routine block frames are written as one digest line at most this often. */
export const STP_DIGEST_INTERVAL_MS = 1000;

export function summarizeStpFrame(frame: StpFrameSummary): string {
  return `${stpOpName(frame.op)} sid=${frame.sid} tid=${frame.tid} plen=${frame.plen}${frame.note ? ` (${frame.note})` : ''}`;
}

/**
 * Decides which STP frames become lines. A 6 MB image is 3,000 blocks of four frames
 * each; a line per frame costs an event that every listener keeps for the whole session
 * (the diagnosis and the attempt record read them at the end), which made the CLI's
 * memory grow with the image. So the routine frames of the data phase (TRANSFER_BLOCK_CMD,
 * TRANSFER_BLOCK and their replies, without a note) are counted and written as a digest,
 * on the reply that completes a block, once STP_DIGEST_INTERVAL_MS has passed since the
 * last line: the digest's time is then the time a reply was heard, within the interval
 * of the last one. Every other frame (the session's RESET and SESSION_OPEN, a resend, a
 * stale or damaged reply) is written on its own, as it happens.
 */
export class StpTrafficLog {
  private blocks = 0;
  private bytes = 0;
  private firstTid: number | undefined;
  private lastTid = 0;
  private lastLineMs: number;
  private readonly nowMs: () => number;
  private readonly intervalMs: number;

  constructor(
    private readonly write: (line: StpTrafficLine) => void,
    options: { intervalMs?: number; nowMs?: () => number } = {},
  ) {
    this.nowMs = options.nowMs ?? (() => performance.now());
    this.intervalMs = options.intervalMs ?? STP_DIGEST_INTERVAL_MS;
    this.lastLineMs = this.nowMs();
  }

  frame(frame: StpFrameSummary): void {
    if (!isRoutineBlockFrame(frame)) {
      this.write({ direction: frame.direction, summary: summarizeStpFrame(frame) });
      this.lastLineMs = this.nowMs();
      return;
    }
    if (frame.op === StpOp.TRANSFER_BLOCK) {
      this.bytes += frame.plen;
      this.firstTid ??= frame.tid;
      this.lastTid = frame.tid;
      return;
    }
    if (frame.op !== (StpOp.TRANSFER_BLOCK | STP_REPLY_FLAG)) return;
    this.blocks += 1;
    const now = this.nowMs();
    if (now - this.lastLineMs >= this.intervalMs) this.writeDigest(now);
  }

  /** Writes the routine frames counted since the last digest (at the end of the data phase, after its last reply). */
  flush(): void {
    if (this.blocks > 0) this.writeDigest(this.nowMs());
  }

  private writeDigest(now: number): void {
    this.write({
      direction: 'rx',
      summary: `TRANSFER_BLOCK ×${this.blocks} acknowledged (tid ${this.firstTid ?? '?'}–${this.lastTid}, ${this.bytes} bytes sent; routine block frames summarized)`,
    });
    this.blocks = 0;
    this.bytes = 0;
    this.firstTid = undefined;
    this.lastLineMs = now;
  }
}

function isRoutineBlockFrame(frame: StpFrameSummary): boolean {
  if (frame.note !== undefined) return false;
  const op = frame.op & ~STP_REPLY_FLAG;
  return op === StpOp.TRANSFER_BLOCK_CMD || op === StpOp.TRANSFER_BLOCK;
}
