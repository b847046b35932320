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
