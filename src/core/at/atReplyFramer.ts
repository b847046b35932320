import { ProtocolError } from '../errors';
import type { Framer } from '../transport/byteTransport';
import { GarbledReplyError } from './atErrors';
import {
  isEchoOf,
  isFinalResultCode,
  isGarbageByte,
  isGarbledLine,
  isUnsolicitedDuring,
  scanLine,
} from './atReply';

/** One AT reply cut from the input: everything up to and including its final result code. */
export interface FramedAtReply {
  lines: string[];
  final: string;
  unsolicited: string[];
  /** Complete lines that held bytes a modem never sends as text. */
  garbledLines: string[];
  hasEcho: boolean;
  /**
   * Whole replies to OTHER commands that arrived first and were skipped: each began
   * with the echo of its own command (a late answer to a probe that had timed out).
   */
  staleReplies: StaleReply[];
  raw: Uint8Array;
}

/** A late reply to an earlier command, recognised by its echo and skipped. */
export interface StaleReply {
  /** The echoed command line, e.g. "AT". */
  echo: string;
  lines: string[];
  final: string;
}

/**
 * This much garbage settles it: the line runs at another speed, and waiting for the
 * deadline would only delay the diagnosis. (Fewer bytes may be a one-off glitch.)
 */
export const CONCLUSIVE_GARBAGE_BYTES = 64;

/** The longest text reply believed (showver is under 1 KiB); past it the line is babbling. */
export const MAX_TEXT_REPLY_BYTES = 64 * 1024;

export interface AtReplyFramerOptions {
  /**
   * Commands sent earlier whose replies never came (they timed out). A reply that
   * begins with the echo of one of them is that command's late answer, not ours: it is
   * skipped up to its final code (kept in `staleReplies`) and the reading goes on.
   * Only these echoes count, so an info line that merely starts with "AT" is safe.
   */
  lateEchoes?: readonly string[];
}

/**
 * Frames the reply to `command` by its final result code, never by a byte count: the
 * reply is as long as the modem makes it, and bytes after the final code stay unread
 * for whoever asks next. A garbled line is never taken for a final code, so garbage
 * cannot make a reply look OK.
 */
export function atReplyFramer(command: string, options: AtReplyFramerOptions = {}): Framer<FramedAtReply> {
  const lateEchoes = options.lateEchoes ?? [];
  // Input only grows between calls until a frame is returned, so the lines already
  // sorted stay sorted: each call only looks at what is new.
  const lines: string[] = [];
  const unsolicited: string[] = [];
  const garbledLines: string[] = [];
  let hasEcho = false;
  const staleReplies: StaleReply[] = [];
  /** Set while skipping a reply whose echo named another command, up to its final code. */
  let stale: StaleReply | undefined;
  let at = 0;
  let garbageCountedTo = 0;
  let garbageBytes = 0;

  return {
    description: `reply to ${command}`,
    frame(pending) {
      for (let line = scanLine(pending, at); line; line = scanLine(pending, at)) {
        at = line.end;
        const text = line.text;
        if (text.trim() === '') continue;
        if (isGarbledLine(text)) {
          garbledLines.push(text);
          continue;
        }
        if (stale) {
          // The modem answers in order: this reply ends before ours begins.
          if (isFinalResultCode(text)) {
            stale.final = text.trim();
            staleReplies.push(stale);
            stale = undefined;
          } else if (isUnsolicitedDuring(text, stale.echo)) {
            unsolicited.push(text.trim());
          } else {
            stale.lines.push(text.trimEnd());
          }
          continue;
        }
        if (!hasEcho && lines.length === 0 && isEchoOf(text, command)) {
          hasEcho = true;
          continue;
        }
        if (!hasEcho && lines.length === 0 && lateEchoes.some((late) => isEchoOf(text, late))) {
          // A probe that timed out is answered late (echo "AT", then OK): that OK is not ours.
          stale = { echo: text.trim(), lines: [], final: '' };
          continue;
        }
        if (isFinalResultCode(text)) {
          return {
            value: { lines, final: text.trim(), unsolicited, garbledLines, hasEcho, staleReplies, raw: pending.slice(0, at) },
            consumed: at,
          };
        }
        if (isUnsolicitedDuring(text, command)) unsolicited.push(text.trim());
        else lines.push(text.trimEnd());
      }
      // Judged only when no final code has come: noise that lands in the same chunk right
      // after a clean OK (a reboot at another speed) belongs to whoever reads next.
      for (; garbageCountedTo < pending.length; garbageCountedTo++) {
        if (isGarbageByte(pending[garbageCountedTo]!)) garbageBytes++;
      }
      if (garbageBytes >= CONCLUSIVE_GARBAGE_BYTES) throw new GarbledReplyError(command, pending.slice(), garbageBytes);
      if (pending.length > MAX_TEXT_REPLY_BYTES) {
        throw new ProtocolError(
          `The reply to ${command} ran past ${MAX_TEXT_REPLY_BYTES} bytes without a final result code.`,
          'Power-cycle the board (unplug it) and retry; if it repeats, save the transcript and report it.',
          pending.slice(-256),
        );
      }
      return undefined;
    },
  };
}

/** The next non-blank line, for waiting on unsolicited lines between commands. */
export function nonBlankLineFramer(description: string): Framer<string> {
  return {
    description,
    frame(pending) {
      let at = 0;
      for (let line = scanLine(pending, 0); line; line = scanLine(pending, at)) {
        at = line.end;
        if (line.text.trim() !== '') return { value: line.text.trim(), consumed: at };
      }
      return undefined;
    },
  };
}
