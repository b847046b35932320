import { ModemToolError } from '../errors';
import { stpOpName } from './stpFrame';

/**
 * A request got no usable reply after every attempt: the modem stayed silent (it drops
 * requests it rejects, PROTOCOL.md §8) or every reply arrived damaged.
 */
export class StpNoReplyError extends ModemToolError {
  readonly code = 'stp-no-reply';
  constructor(
    readonly op: number,
    readonly tid: number,
    readonly attempts: number,
    /** Wait per attempt. */
    readonly requestTimeoutMs: number,
    /** Replies that arrived for this request but failed a CRC check or made no sense (a residue over the block). */
    readonly corruptReplies: number,
    /** Bytes that had arrived without making a reply, at the last timeout (may be empty). */
    readonly lastBytes: Uint8Array,
  ) {
    super(
      `The modem did not answer STP ${stpOpName(op)} (tid ${tid}) after ${attempts} attempt${attempts === 1 ? '' : 's'} ` +
        `of ${Math.round(requestTimeoutMs / 1000)} s each` +
        (corruptReplies > 0 ? ` (${corruptReplies} repl${corruptReplies === 1 ? 'y' : 'ies'} were damaged or implausible)` : '') +
        (lastBytes.length > 0 ? ` (${lastBytes.length} stray bytes received)` : '') +
        '.',
      // Thrown only once the request's whole silence budget ran out (as long as the published
      // updater reads a silent line): only then is a power cycle advice.
      (corruptReplies > 0
        ? 'The line damaged the replies. '
        : `The modem stayed silent for about ${silentMinutes(attempts * requestTimeoutMs)}, longer than its normal pauses. `) +
        'Power-cycle the board now (unplug it, plug it back in) and run the upgrade again: the tool detects an interrupted ' +
        'upgrade and resumes it. If the modem stays silent, read its crash dump and try the recovery method (updater.elf).',
    );
  }
}

function silentMinutes(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** The modem answered, and the answer refuses the request (SESSION_OPEN with ok = 0, a block it never takes). */
export class StpRejectedError extends ModemToolError {
  readonly code = 'stp-rejected';
  constructor(
    readonly op: number,
    readonly tid: number,
    readonly attempts: number,
    readonly detail: string,
  ) {
    super(
      `The modem refused STP ${stpOpName(op)} (tid ${tid}): ${detail}.`,
      'Power-cycle the board and run the upgrade again. If the modem refuses again, use the recovery method ' +
        '(updater.elf with the full .dup image).',
    );
  }
}
