import type { BoardIdentity } from '../../../src/core/board/boardIdentity';
import { REPL_LINE } from '../../../src/core/board/fullUpgrade';
import type { UpgradeOutcome } from '../../../src/core/engine/upgradeEngine';
import type { CrashDump } from '../../../src/core/parse/crashDump';
import { RawRepl } from '../../../src/core/repl/rawRepl';
import { Deadline } from '../../../src/core/time/deadline';
import type { ByteTransport, PortOpener } from '../../../src/core/transport/byteTransport';
import type { ModemInfoOutput } from './infoOutput';
import type { LaneConfig } from './laneConfig';
import type { RawTranscript } from './rawTranscript';

/** Cleanup gets its own short budget: it runs after a cancel too, when the lane's signal is already aborted. */
const CLEANUP_BUDGET_MS = 5_000;

/** One exchange of the friendly-REPL round trip, as sent and received. */
export interface ReplExchange {
  sent: string;
  received: string;
  tookMs: number;
}

/** What the checks learnt, for the report. */
export interface LaneFindings {
  identity?: BoardIdentity;
  infoOutput?: { stdout: string; stderr: string; parsed: ModemInfoOutput };
  stateOutput?: { stdout: string; stderr: string };
  push?: { remotePath: string; bytes: number; sha256: string; readBackSha256?: string; scheme?: string; elapsedMs: number };
  replExchanges?: ReplExchange[];
  crashDump?: { dump?: CrashDump };
  upgrade?: UpgradeOutcome;
}

/**
 * The lane's hold on the board: one port, opened when a REPL check first needs it and
 * released before a check that opens the port itself (mirror mode, the upgrade) and at
 * the end, on every path.
 */
export class LaneSession {
  readonly findings: LaneFindings = {};
  /** Set once something put the board in mirror mode: its REPL is gone until a power-cycle. */
  isBoardInMirrorMode = false;
  private io: ByteTransport | undefined;
  private rawRepl: RawRepl | undefined;

  constructor(
    readonly config: LaneConfig,
    /** Records every port it opens (see RawTranscript.recording). */
    readonly opener: PortOpener,
    readonly transcript: RawTranscript,
    readonly signal: AbortSignal,
  ) {}

  /** The board's raw REPL on the lane's port, opening the port and (re-)entering raw mode as needed. */
  async repl(): Promise<RawRepl> {
    if (this.isBoardInMirrorMode) throw new Error('The board is in mirror mode: its REPL is gone until it is power-cycled.');
    if (!this.io || !this.io.isOpen) {
      this.rawRepl = undefined;
      this.io = await this.opener.open(this.config.portPath, REPL_LINE, this.signal);
    }
    if (!this.rawRepl) this.rawRepl = await RawRepl.enter(this.io, { signal: this.signal });
    else if (this.rawRepl.state !== 'raw') await this.rawRepl.resync({ signal: this.signal });
    return this.rawRepl;
  }

  /** The port with the board at its friendly `>>>` prompt (left by Ctrl-B), for terminal-like exchanges. */
  async friendlyPort(): Promise<ByteTransport> {
    const repl = await this.repl();
    await repl.exit({ signal: this.signal });
    return this.io!;
  }

  /**
   * Leaves the board at its friendly `>>>` prompt when the lane had it in the raw REPL
   * (best effort, under its own deadline), then closes the port.
   */
  async releasePort(): Promise<void> {
    const io = this.io;
    const repl = this.rawRepl;
    this.io = undefined;
    this.rawRepl = undefined;
    if (!io) return;
    try {
      if (io.isOpen && repl && repl.state !== 'friendly' && repl.state !== 'detached') {
        const deadline = Deadline.in(CLEANUP_BUDGET_MS, 'the >>> prompt before closing');
        if (repl.state !== 'raw') await repl.resync({ deadline });
        await repl.exit({ deadline });
        this.transcript.note('left the board at its friendly REPL');
      }
    } catch (error) {
      this.transcript.note(`could not bring the board back to its friendly REPL: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await io.close().catch(() => undefined);
    }
  }
}
