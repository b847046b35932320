/**
 * The bytes of /fs/crashdump as the simulated modem serves them after the `\r\n` of
 * AT+FSRDFILE: a big-endian u32 total length, then records `u32 tag, u32 length, data`
 * (PROTOCOL.md section 4, an inference from two captures). The total counts the
 * record bytes that follow it.
 */
import { concatBytes } from '../../core/transport/framers';
export const CRASH_TAG_FORMAT = 0;
export const CRASH_TAG_BUILD = 2;
export const CRASH_TAG_ASSERTION = 4;
/** Tags no capture explains; a parser must skip them. */
export const CRASH_TAG_REGISTERS = 5;
export const CRASH_TAG_STACK = 7;

export interface CrashDumpSpec {
  /** Tag 0 value (1 and 2 in the captures). */
  formatVersion: number;
  /** Tag 2, without the NUL the modem adds. */
  buildString: string;
  /** Tag 4 text. */
  assertionText: string;
  /** Tag 4 record length: the text is NUL-padded up to it (936 in the 33080 capture). */
  assertionRecordBytes?: number;
  /** Total announced by the first u32; the stack record is sized to reach it. */
  totalLength?: number;
  /** Seed of the register and stack bytes. */
  seed?: number;
}

/** The 33080 capture's text as far as it was seen, completed plausibly after that. */
export const CAPTURE_33080_ASSERTION =
  "Assertion failed\nFile: l1DspReset.c@96\n'LPU RIP: 00000000 00000003 00000000 " +
  "(s->state ==ZSP_STATE_RUN || s->state ==ZSP_STATE_STOPPED)'\n";

export const CAPTURE_33080_SPEC: CrashDumpSpec = {
  formatVersion: 1,
  buildString: '5.1.1.0 [33080] by robot-soft at 2017-10-27 07:49:11',
  assertionText: CAPTURE_33080_ASSERTION,
  assertionRecordBytes: 936,
  totalLength: 12118,
  seed: 33080,
};

/** The dump a crash in the middle of an STP transfer leaves (fault 'crash-mid-transfer'). */
export function midTransferCrashSpec(buildString: string): CrashDumpSpec {
  return {
    formatVersion: 2,
    buildString,
    assertionText: "Assertion failed\nFile: hal_misc.c@420\n'Spurious Int 0x0000002a on core 0'\n",
    assertionRecordBytes: 308,
    totalLength: 23598,
    seed: 39529,
  };
}

const REGISTER_RECORD_BYTES = 64;
const RECORD_HEADER_BYTES = 8;

export function buildCrashDumpImage(spec: CrashDumpSpec): Uint8Array {
  const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  const formatData = u32(spec.formatVersion);
  const buildData = concatBytes(ascii(spec.buildString), new Uint8Array([0]));
  const text = ascii(spec.assertionText);
  const assertionData = new Uint8Array(Math.max(spec.assertionRecordBytes ?? text.length + 1, text.length));
  assertionData.set(text, 0);
  const random = seededBytes(spec.seed ?? 1);
  const registers = random(REGISTER_RECORD_BYTES);
  const fixedBytes =
    5 * RECORD_HEADER_BYTES + formatData.length + buildData.length + assertionData.length + registers.length;
  const stackBytes = Math.max(0, (spec.totalLength ?? fixedBytes + 1024) - fixedBytes);
  const records = concatBytes(
    record(CRASH_TAG_FORMAT, formatData),
    record(CRASH_TAG_BUILD, buildData),
    record(CRASH_TAG_ASSERTION, assertionData),
    record(CRASH_TAG_REGISTERS, registers),
    record(CRASH_TAG_STACK, random(stackBytes)),
  );
  return concatBytes(u32(records.length), records);
}

function record(tag: number, data: Uint8Array): Uint8Array {
  return concatBytes(u32(tag), u32(data.length), data);
}

function u32(value: number): Uint8Array {
  return new Uint8Array([(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
}


function seededBytes(seed: number): (count: number) => Uint8Array {
  let state = seed >>> 0 || 1;
  return (count) => {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      out[i] = state & 0xff;
    }
    return out;
  };
}
