import { dotUnprintable } from './controlChars';
/**
 * The modem's last crash, from the binary reply to AT+FSRDFILE="/fs/crashdump"
 * (PROTOCOL.md section 4). The layout is inferred from two captures, so every
 * field is optional and the raw bytes are always kept.
 */
export interface CrashDumpRecord {
  tag: number;
  /** Length the record announced. */
  declaredLength: number;
  /** Bytes actually present (shorter than declared when truncated). */
  data: Uint8Array;
}

export interface CrashDump {
  /** Total length announced by the first u32, if present. */
  declaredTotalLength?: number;
  /** Bytes received after the leading CRLF. */
  receivedLength: number;
  isTruncated: boolean;
  /** Tag 0 value (1 or 2 in captures). */
  formatVersion?: number;
  /** Tag 2, e.g. "5.1.1.0 [33080] by robot-soft at 2017-10-27 07:49:11". */
  buildString?: string;
  /** The [NNNNN] of the build string. */
  build?: number;
  /** Tag 4 text as received. */
  assertionText?: string;
  /** From "File: l1DspReset.c@96". */
  file?: string;
  line?: number;
  /** The assertion message after the File line, e.g. "'LPU RIP: ...". */
  message?: string;
  records: CrashDumpRecord[];
  raw: Uint8Array;
  /** Problems met while parsing, in words (never thrown). */
  warnings: string[];
}

/** Record tags seen in the captures (PROTOCOL.md section 4). */
export const CRASH_DUMP_TAG = { version: 0, build: 2, assertion: 4 } as const;

/**
 * A total above this is not a crash dump (the captures hold 12118 and 23598 bytes):
 * the header is garbage, so records are parsed from what arrived and nothing more is expected.
 */
export const MAX_PLAUSIBLE_CRASH_DUMP_BYTES = 16 * 1024 * 1024;

const RECORD_HEADER_BYTES = 8;

/** The File line comes right after "Assertion failed" (the captures' records are 936 and 308 bytes). */
const ASSERTION_LOCATION_SEARCH_CHARS = 4096;

function latin1Text(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

/** Text up to the first NUL (the build string is NUL-terminated; the assertion text may be). */
function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return latin1Text(nul === -1 ? bytes : bytes.subarray(0, nul));
}

/**
 * Reads the binary reply to AT+FSRDFILE="/fs/crashdump": an optional leading CRLF, a
 * big-endian u32 total, then `u32 tag, u32 length, data` records. Never throws: a cut,
 * padded or nonsensical dump yields what could be read plus `warnings`. Record data are
 * views of what arrived, so an announced length of 4 GB allocates nothing.
 */
export function parseCrashDump(bytes: Uint8Array): CrashDump {
  const body = stripLeadingLineBreak(bytes);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const warnings: string[] = [];
  const dump: CrashDump = { receivedLength: body.length, isTruncated: false, records: [], raw: bytes, warnings };

  if (body.length < 4) {
    dump.isTruncated = true;
    warnings.push(body.length === 0 ? 'The crash dump is empty.' : `Only ${body.length} bytes arrived: not even the total length.`);
    return dump;
  }
  const declared = view.getUint32(0, false);
  dump.declaredTotalLength = declared;

  // Whether the total counts its own 4 bytes is not known; either reading ends the dump.
  let limit = body.length;
  if (declared > MAX_PLAUSIBLE_CRASH_DUMP_BYTES) {
    warnings.push(`The declared total of ${declared} bytes is not plausible; records were read from the ${body.length} bytes received.`);
  } else {
    limit = Math.min(body.length, declared + 4);
    if (body.length < declared) {
      dump.isTruncated = true;
      warnings.push(`Only ${body.length} of the ${declared} bytes the dump announced arrived.`);
    } else if (body.length > declared + 4) {
      warnings.push(`${body.length - declared - 4} bytes follow the announced end of the dump and were ignored.`);
    }
  }

  let at = 4;
  while (at < limit) {
    if (at === declared) break;
    if (limit - at < RECORD_HEADER_BYTES) {
      if (limit === body.length && declared + 4 > body.length) dump.isTruncated = true;
      warnings.push(`${limit - at} bytes at offset ${at} are too few for a record header.`);
      break;
    }
    const tag = view.getUint32(at, false);
    const declaredLength = view.getUint32(at + 4, false);
    const dataStart = at + RECORD_HEADER_BYTES;
    const available = Math.min(declaredLength, limit - dataStart);
    const record: CrashDumpRecord = { tag, declaredLength, data: body.subarray(dataStart, dataStart + available) };
    dump.records.push(record);
    if (available < declaredLength) {
      dump.isTruncated = true;
      warnings.push(`Record tag ${tag} announced ${declaredLength} bytes; ${available} arrived.`);
      break;
    }
    at = dataStart + declaredLength;
  }

  for (const record of dump.records) readKnownRecord(dump, record);
  return dump;
}

function stripLeadingLineBreak(bytes: Uint8Array): Uint8Array {
  if (bytes[0] === 0x0d && bytes[1] === 0x0a) return bytes.subarray(2);
  if (bytes[0] === 0x0a || bytes[0] === 0x0d) return bytes.subarray(1);
  return bytes;
}

function readKnownRecord(dump: CrashDump, record: CrashDumpRecord): void {
  const { tag, data } = record;
  if (tag === CRASH_DUMP_TAG.version && dump.formatVersion === undefined) {
    if (data.length >= 4) {
      dump.formatVersion = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, false);
    } else {
      dump.warnings.push(`Record tag 0 holds ${data.length} bytes, not a 4-byte value.`);
    }
  } else if (tag === CRASH_DUMP_TAG.build && dump.buildString === undefined) {
    dump.buildString = cString(data);
    const build = /\[(\d+)\]/.exec(dump.buildString);
    if (build) dump.build = Number(build[1]);
  } else if (tag === CRASH_DUMP_TAG.assertion && dump.assertionText === undefined) {
    const text = cString(data);
    dump.assertionText = text;
    // Searched near the start only: each "File:" makes the search scan to its line's end,
    // so a babbling record of "File:File:…" took quadratic time (minutes for 1 MB).
    const location = /File:\s*([^\r\n]*?)@(\d+)/.exec(text.slice(0, ASSERTION_LOCATION_SEARCH_CHARS));
    if (location) {
      dump.file = location[1]!.trim();
      dump.line = Number(location[2]);
      const afterFileLine = text.slice(location.index + location[0].length).replace(/^[^\r\n]*[\r\n]+/, '');
      const message = afterFileLine.trim();
      if (message) dump.message = message;
    } else {
      const message = text.replace(/^\s*Assertion failed\s*/i, '').trim();
      if (message) dump.message = message;
    }
  }
}

/** A few lines a person can read (and paste into a forum post). */
export function formatCrashDumpText(dump: CrashDump): string {
  const lines: string[] = [];
  const firmware = dump.buildString !== undefined ? printable(dump.buildString) : dump.build !== undefined ? `build ${dump.build}` : 'unknown';
  lines.push(`Modem crash dump (firmware ${firmware})`);
  const heading = dump.assertionText !== undefined ? firstLine(dump.assertionText) : undefined;
  if (dump.file !== undefined) lines.push(`  Assertion at ${printable(dump.file)}${dump.line !== undefined ? `, line ${dump.line}` : ''}`);
  else if (heading !== undefined) lines.push(`  ${printable(heading)}${dump.isTruncated && dump.assertionText === heading ? '…' : ''}`);
  // Without a File line the message is the assertion text itself (the seed's "Assertion fai"): once is enough.
  const message = dump.message !== undefined ? firstLine(dump.message) : undefined;
  if (message !== undefined && !(dump.file === undefined && heading !== undefined && heading.includes(message))) {
    lines.push(`  ${printable(message)}`);
  }
  lines.push(`  ${sizeText(dump)}, ${dump.records.length} record${dump.records.length === 1 ? '' : 's'}${dump.isTruncated ? ', truncated' : ''}`);
  const knownTags = new Set<number>(Object.values(CRASH_DUMP_TAG));
  const unknownTags = [...new Set(dump.records.map((record) => record.tag).filter((tag) => !knownTags.has(tag)))];
  if (unknownTags.length) lines.push(`  Other records: tag ${unknownTags.join(', ')}`);
  for (const warning of dump.warnings) lines.push(`  Note: ${warning}`);
  return lines.join('\n');
}

/**
 * Received against announced, counted alike. `receivedLength` includes the 4-byte total
 * itself, which the total may or may not count (the captures do not say): a whole dump of
 * 12118 announced bytes arrives as 12122. Only a cut dump says "N of M"; a whole one
 * (nothing missing) says how many bytes arrived.
 */
function sizeText(dump: CrashDump): string {
  if (dump.declaredTotalLength === undefined || !dump.isTruncated) return `${dump.receivedLength} bytes`;
  return `${dump.receivedLength} of ${dump.declaredTotalLength} bytes`;
}

function firstLine(text: string): string {
  return text.split(/\r\n|\r|\n/)[0] ?? '';
}

/** Device text goes into logs and panels: keep it to printable characters. */
const printable = dotUnprintable;
