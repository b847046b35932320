import { CRASH_DUMP_TAG, parseCrashDump, type CrashDump } from './crashDump';

/**
 * A file that claims to be a saved crash dump is checked before it is decoded: read as a
 * dump, README.md announced a total of 589 MB ("# Py" as a big-endian u32) and decoded to
 * noise. The captures hold 12118 and 23598 bytes; a megabyte leaves a generous margin for
 * firmware that dumps more.
 */
export const MAX_CRASH_DUMP_FILE_BYTES = 1024 * 1024;

/** The u32 total plus one record header: less cannot hold the build record. */
const MIN_CRASH_DUMP_BYTES = 4 + 8;

/** How much of the start decides "text": the dump's header and first records are binary. */
const TEXT_SNIFF_BYTES = 512;

export type CrashDumpFileCheck =
  | { isCrashDump: true; dump: CrashDump }
  | { isCrashDump: false; reason: string };

/**
 * Whether `bytes` (a whole saved file) is a modem crash dump, and why not in words. A
 * cut dump (the forum's first 100 bytes) is still one: it has the header and the build.
 */
export function checkCrashDumpFile(bytes: Uint8Array): CrashDumpFileCheck {
  const body = bytes[0] === 0x0d && bytes[1] === 0x0a ? bytes.subarray(2) : bytes;
  if (body.length < MIN_CRASH_DUMP_BYTES) {
    return { isCrashDump: false, reason: `it holds ${bytes.length} bytes, too few for a crash dump's header and build record` };
  }
  if (isText(bytes.subarray(0, TEXT_SNIFF_BYTES))) {
    return { isCrashDump: false, reason: 'it is a text file; a crash dump starts with binary lengths and tags' };
  }
  const declared = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0, false);
  if (declared > MAX_CRASH_DUMP_FILE_BYTES) {
    return {
      isCrashDump: false,
      reason: `its first 4 bytes announce ${declared} bytes (${formatMiB(declared)}); a modem crash dump holds tens of kilobytes`,
    };
  }
  const dump = parseCrashDump(bytes);
  if (!dump.records.some((record) => record.tag === CRASH_DUMP_TAG.build)) {
    return { isCrashDump: false, reason: 'it has no firmware build record (tag 2), which every crash dump starts with' };
  }
  return { isCrashDump: true, dump };
}

export function looksLikeCrashDump(bytes: Uint8Array): boolean {
  return checkCrashDumpFile(bytes).isCrashDump;
}

/**
 * Text: no NUL and almost only printable ASCII, tabs, line breaks or UTF-8 sequences.
 * Every dump header holds NUL bytes (small big-endian numbers).
 */
function isText(bytes: Uint8Array): boolean {
  if (bytes.length === 0 || bytes.includes(0)) return false;
  let printable = 0;
  for (const byte of bytes) if (byte === 0x09 || byte === 0x0a || byte === 0x0d || byte >= 0x20) printable++;
  return printable / bytes.length > 0.95;
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;
}
