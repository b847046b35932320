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
  raw: Uint8Array;
}

/**
 * This much garbage settles it: the line runs at another speed, and waiting for the
 * deadline would only delay the diagnosis. (Fewer bytes may be a one-off glitch.)
 */
export const CONCLUSIVE_GARBAGE_BYTES = 64;

/** The longest text reply believed (showver is under 1 KiB); past it the line is babbling. */
export const MAX_TEXT_REPLY_BYTES = 64 * 1024;

/**
 * Frames the reply to `command` by its final result code, never by a byte count: the
 * reply is as long as the modem makes it, and bytes after the final code stay unread
 * for whoever asks next. A garbled line is never taken for a final code, so garbage
 * cannot make a reply look OK.
 */
export function atReplyFramer(command: string): Framer<FramedAtReply> {
  // Input only grows between calls until a frame is returned, so the lines already
  // sorted stay sorted: each call only looks at what is new.
  const lines: string[] = [];
  const unsolicited: string[] = [];
  const garbledLines: string[] = [];
  let hasEcho = false;
  let at = 0;
  let garbageCountedTo = 0;
  let garbageBytes = 0;

  return {
    description: `reply to ${command}`,
    frame(pending) {
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
      for (let line = scanLine(pending, at); line; line = scanLine(pending, at)) {
        at = line.end;
        const text = line.text;
        if (text.trim() === '') continue;
        if (isGarbledLine(text)) {
          garbledLines.push(text);
          continue;
        }
        if (!hasEcho && lines.length === 0 && isEchoOf(text, command)) {
          hasEcho = true;
          continue;
        }
        if (isFinalResultCode(text)) {
          return {
            value: { lines, final: text.trim(), unsolicited, garbledLines, hasEcho, raw: pending.slice(0, at) },
            consumed: at,
          };
        }
        if (isUnsolicitedDuring(text, command)) unsolicited.push(text.trim());
        else lines.push(text.trimEnd());
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
