/**
 * What an AT command got back, and the rules that sort the lines of a reply:
 * final result codes, the echo of the command, info lines that belong to the
 * command, and unsolicited lines that only happened to arrive meanwhile.
 * Pure text rules, no I/O (PROTOCOL.md sections 1, 2 and 8).
 */
export interface AtReply {
  /** The command as sent, without its line ending. */
  command: string;
  /** Info lines of the reply, in order, without echo, blank lines or unsolicited lines. */
  lines: string[];
  /** The final result code line: OK, ERROR, +CME ERROR: …, +CMS ERROR: …, NO CARRIER, ABORTED. */
  final: string;
  isOk: boolean;
  /** Every byte the reply consumed, echo and unsolicited lines included. */
  raw: Uint8Array;
  /** From the end of the write to the final result code. */
  durationMs: number;
}

const FINAL_EXACT = new Set(['OK', 'ERROR', 'NO CARRIER', 'ABORTED', 'BUSY', 'NO ANSWER', 'NO DIALTONE']);
const FINAL_PREFIXES = ['+CME ERROR:', '+CMS ERROR:'];

export function isFinalResultCode(line: string): boolean {
  const text = line.trim();
  return FINAL_EXACT.has(text) || FINAL_PREFIXES.some((prefix) => text.startsWith(prefix));
}

/**
 * Whether `partial` (a line whose end has not arrived yet) could still become a
 * final result code; lets a binary reader wait for the rest instead of giving up.
 */
export function couldBecomeFinalResultCode(partial: string): boolean {
  const text = partial.trimStart();
  if (text.length === 0) return true;
  const candidates = [...FINAL_EXACT, ...FINAL_PREFIXES];
  if (candidates.some((code) => code.startsWith(text))) return true;
  // "+CME ERROR: <text>" has no fixed end; a line this long is not one.
  return FINAL_PREFIXES.some((prefix) => text.startsWith(prefix)) && text.length < MAX_ERROR_LINE_CHARS;
}

const MAX_ERROR_LINE_CHARS = 256;

/**
 * The name a command's info lines carry: `AT+SMUPGRADE?` → `+SMUPGRADE`, `AT^RESET` → `^RESET`.
 * Undefined for commands without one (`AT`, `ATI1`, `AT!="showver"`), whose info lines are bare.
 */
export function commandName(command: string): string | undefined {
  const match = /^AT([+^][A-Z0-9_]+)/i.exec(command.trim());
  return match?.[1]?.toUpperCase();
}

function lineName(line: string): string | undefined {
  const match = /^([+^][A-Z0-9_]+)/i.exec(line.trim());
  return match?.[1]?.toUpperCase();
}

/**
 * A `+NAME…` line is the command's own info line when its name matches the command's
 * (`+SMUPGRADE: success` answers `AT+SMUPGRADE?`); any other `+`/`^` line is unsolicited
 * (`+SYSSTART`, `+CEREG: 1`, or `+SMUPGRADE: …` arriving while `AT` was asked).
 * Names are compared by prefix because the modem's undocumented replies may extend them.
 */
export function isUnsolicitedDuring(line: string, command: string): boolean {
  const name = lineName(line);
  if (!name) return false;
  const own = commandName(command);
  if (!own) return true;
  return !(name.startsWith(own) || own.startsWith(name));
}

/** The application echoes until ATE0; the bootrom and the updater never do. */
export function isEchoOf(line: string, command: string): boolean {
  return line.trim().toUpperCase() === command.trim().toUpperCase();
}

/**
 * Bytes a modem never sends in text: the high half (what a UART at the wrong baud
 * makes of text, PROTOCOL.md section 6) and control bytes other than tab, CR and LF.
 */
export function isGarbageByte(byte: number): boolean {
  return byte >= 0x80 || (byte < 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0x0a);
}

export function countGarbageBytes(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (isGarbageByte(byte)) count++;
  return count;
}

/** A line (latin1 text) holding any byte a modem would not send as text. */
export function isGarbledLine(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (isGarbageByte(line.charCodeAt(i))) return true;
  return false;
}

export interface ScannedLine {
  /** The line without its terminator, latin1. */
  text: string;
  start: number;
  /** Index just past the terminator. */
  end: number;
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * The complete line starting at `from`, ended by \r\n, \r or \n (all three are seen on
 * this modem's line), or undefined while its end has not arrived. A lone \r at the end
 * of the input ends the line; the \n that may follow later reads as a blank line.
 */
export function scanLine(bytes: Uint8Array, from: number): ScannedLine | undefined {
  for (let i = from; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte !== CR && byte !== LF) continue;
    const end = byte === CR && bytes[i + 1] === LF ? i + 2 : i + 1;
    return { text: latin1(bytes, from, i), start: from, end };
  }
  return undefined;
}

/** All complete lines of `bytes` and the index where the unfinished rest begins. */
export function splitCompleteLines(bytes: Uint8Array): { lines: string[]; restAt: number } {
  const lines: string[] = [];
  let at = 0;
  for (let line = scanLine(bytes, 0); line; line = scanLine(bytes, at)) {
    lines.push(line.text);
    at = line.end;
  }
  return { lines, restAt: at };
}

export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}
