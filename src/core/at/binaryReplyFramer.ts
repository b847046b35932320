import type { Framer } from '../transport/byteTransport';
import { BinaryReplyOverflowError } from './atErrors';
import {
  couldBecomeFinalResultCode,
  isEchoOf,
  isFinalResultCode,
  isUnsolicitedDuring,
  latin1,
  scanLine,
} from './atReply';

/**
 * A declared length above this is not believed: a crash dump is tens of kilobytes
 * (12118 and 23598 in the two public captures), and a garbled header must not make
 * the reader wait for megabytes. Such a reply is read to its final result code instead.
 */
export const MAX_BELIEVED_BINARY_BYTES = 1024 * 1024;

/**
 * A binary reply still without its final result code after this many bytes is abandoned.
 * Kept below the transport's 4 MiB pending cap, past which old input would be dropped
 * under the framer.
 */
export const MAX_BINARY_REPLY_BYTES = 2 * 1024 * 1024;

/** How the end of the data was found. */
export type BinaryLengthRule =
  /** The u32 total counts its own 4 bytes. */
  | 'includes-header'
  /** The u32 total counts only what follows it. */
  | 'excludes-header'
  /** The number on the `+FSRDFILE:` info line, counted from the first data byte. */
  | 'info-line'
  /** No believable length: read to the first final result code line. */
  | 'scanned'
  /** No data at all (file missing, or empty). */
  | 'none';

export interface FramedBinaryReply {
  /** Text lines before the data, such as an optional `+FSRDFILE: …` line. */
  lines: string[];
  unsolicited: string[];
  hasEcho: boolean;
  /** From the first data byte (the u32 total) to the end of the data; no leading CRLF. */
  data: Uint8Array;
  /** The u32 that opened the data. */
  declaredLength?: number;
  lengthRule: BinaryLengthRule;
  final: string;
  raw: Uint8Array;
}

const CR = 0x0d;
const LF = 0x0a;

function skipLineBreaks(bytes: Uint8Array, from: number): number {
  let at = from;
  while (at < bytes.length && (bytes[at] === CR || bytes[at] === LF)) at++;
  return at;
}

/** Text lines start with a printable ASCII byte; the data's u32 starts with 0x00 for any believable length. */
function isTextStart(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x20 && byte <= 0x7e;
}

/**
 * The last run of digits in `text`, as a number. Found by walking back from the end: the
 * regex `(\d+)\D*$` retried from every digit and took quadratic time on a long number.
 */
function lastNumberIn(text: string): number | undefined {
  const isDigit = (i: number) => text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39;
  let end = text.length;
  while (end > 0 && !isDigit(end - 1)) end--;
  if (end === 0) return undefined;
  let start = end - 1;
  while (start > 0 && isDigit(start - 1)) start--;
  return Number(text.slice(start, end));
}

type FinalProbe = { final: string; end: number } | 'wait' | 'no';

/** Is there a final result code line at `at` (after line breaks)? */
function probeFinalAt(bytes: Uint8Array, at: number): FinalProbe {
  const start = skipLineBreaks(bytes, at);
  if (start >= bytes.length) return 'wait';
  const line = scanLine(bytes, start);
  if (!line) {
    const partial = latin1(bytes, start, Math.min(bytes.length, start + 300));
    return couldBecomeFinalResultCode(partial) ? 'wait' : 'no';
  }
  return isFinalResultCode(line.text) ? { final: line.text.trim(), end: line.end } : 'no';
}

/**
 * Frames the reply to an AT command that answers binary data (AT+FSRDFILE): optional
 * echo and info lines, the data read by the length its first u32 declares, then the
 * final result code. The layout is inferred (PROTOCOL.md section 4), so both readings of
 * the total (with or without its own 4 bytes) are tried, and each is accepted only when a
 * final result code follows exactly there. This is the read whose fixed-count version
 * spilled a dump's tail into the next command's reply.
 *
 * `trustDeclaredLength: false` reads to the first final result code line instead; the
 * channel uses it only after the deadline, to salvage a dump the modem cut short. It can
 * stop early when the data happen to hold "\r\nOK\r\n", hence never the first choice.
 */
export function binaryReplyFramer(
  command: string,
  options: { trustDeclaredLength?: boolean } = {},
): Framer<FramedBinaryReply> {
  const trustDeclaredLength = options.trustDeclaredLength ?? true;
  // Input only grows between calls (nothing is consumed until a frame is returned),
  // so a scan for the final code can resume where the last call stopped.
  let scannedTo = 0;

  function scanForFinal(pending: Uint8Array, from: number): { dataEnd: number; final: string; end: number } | undefined {
    let at = Math.max(from, scannedTo);
    while (at < pending.length) {
      const byte = pending[at];
      if (byte !== CR && byte !== LF) {
        at++;
        continue;
      }
      const probe = probeFinalAt(pending, at);
      if (probe === 'wait') {
        scannedTo = at;
        return undefined;
      }
      if (probe !== 'no') return { dataEnd: at, final: probe.final, end: probe.end };
      at = skipLineBreaks(pending, at);
    }
    scannedTo = pending.length;
    return undefined;
  }

  return {
    description: `binary reply to ${command}`,
    frame(pending) {
      if (pending.length > MAX_BINARY_REPLY_BYTES) throw new BinaryReplyOverflowError(command, pending.length);
      const lines: string[] = [];
      const unsolicited: string[] = [];
      let hasEcho = false;
      let infoLineLength: number | undefined;
      let at = 0;
      for (;;) {
        at = skipLineBreaks(pending, at);
        if (at >= pending.length) return undefined;
        if (!isTextStart(pending[at])) break;
        const line = scanLine(pending, at);
        if (!line) return undefined;
        at = line.end;
        const text = line.text.trim();
        if (!hasEcho && lines.length === 0 && isEchoOf(text, command)) {
          hasEcho = true;
        } else if (isFinalResultCode(text)) {
          const value: FramedBinaryReply = {
            lines,
            unsolicited,
            hasEcho,
            data: new Uint8Array(0),
            lengthRule: 'none',
            final: text,
            raw: pending.slice(0, at),
          };
          return { value, consumed: at };
        } else if (/^\+FSRDFILE\b/i.test(text)) {
          lines.push(text);
          infoLineLength = lastNumberIn(text);
        } else if (isUnsolicitedDuring(text, command)) {
          unsolicited.push(text);
        } else {
          lines.push(text);
        }
      }

      const dataAt = at;
      if (pending.length - dataAt < 4) return undefined;
      const view = new DataView(pending.buffer, pending.byteOffset, pending.byteLength);
      const declaredLength = view.getUint32(dataAt, false);

      const candidates: { end: number; rule: BinaryLengthRule }[] = [];
      if (trustDeclaredLength && declaredLength <= MAX_BELIEVED_BINARY_BYTES) {
        if (declaredLength >= 4) candidates.push({ end: dataAt + declaredLength, rule: 'includes-header' });
        candidates.push({ end: dataAt + 4 + declaredLength, rule: 'excludes-header' });
      }
      if (trustDeclaredLength && infoLineLength !== undefined && infoLineLength <= MAX_BELIEVED_BINARY_BYTES && infoLineLength >= 4) {
        candidates.push({ end: dataAt + infoLineLength, rule: 'info-line' });
      }
      const finish = (dataEnd: number, final: string, end: number, lengthRule: BinaryLengthRule) => ({
        value: {
          lines,
          unsolicited,
          hasEcho,
          data: pending.slice(dataAt, dataEnd),
          declaredLength,
          lengthRule,
          final,
          raw: pending.slice(0, end),
        },
        consumed: end,
      });

      let isUndecided = false;
      for (const candidate of candidates) {
        if (pending.length < candidate.end) {
          isUndecided = true;
          continue;
        }
        const probe = probeFinalAt(pending, candidate.end);
        if (probe === 'wait') isUndecided = true;
        else if (probe !== 'no') return finish(candidate.end, probe.final, probe.end, candidate.rule);
      }
      if (isUndecided) return undefined;

      const scanned = scanForFinal(pending, dataAt + 4);
      return scanned ? finish(scanned.dataEnd, scanned.final, scanned.end, 'scanned') : undefined;
    },
  };
}
