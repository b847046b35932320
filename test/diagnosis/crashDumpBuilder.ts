import { parseCrashDump, type CrashDump } from '../../src/core/parse/crashDump';

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function text(value: string): number[] {
  return [...Buffer.from(value, 'latin1')];
}

function record(tag: number, data: number[]): number[] {
  return [...u32(tag), ...u32(data.length), ...data];
}

/**
 * A whole crash dump in the layout of PROTOCOL.md §4 (CRLF, u32 total, tag records),
 * with any build string and assertion text, parsed by the real parser.
 */
export function crashDumpWith(options: { buildString: string; assertion: string; extra?: number[] }): CrashDump {
  const body = [
    ...record(0, u32(1)),
    ...record(2, [...text(options.buildString), 0]),
    ...record(4, [...text(options.assertion), 0]),
    ...(options.extra ? record(6, options.extra) : []),
  ];
  return parseCrashDump(new Uint8Array([0x0d, 0x0a, ...u32(body.length), ...body]));
}

export const L1DSP_ASSERTION =
  "Assertion failed\nFile: l1DspReset.c@96\n'LPU RIP: 00000000 00000003 00000000 (s->state ==ZSP_STATE_RUN || s->state ==ZSP_STATE_IDLE)";

export const dump33080 = (): CrashDump =>
  crashDumpWith({ buildString: '5.1.1.0 [33080] by robot-soft at 2017-10-27 07:49:11', assertion: L1DSP_ASSERTION });

export const dump41065 = (): CrashDump =>
  crashDumpWith({
    buildString: '5.2.0.0 [41065] by robot-soft at 2019-03-01 10:00:00',
    assertion: "Assertion failed\nFile: hal_misc.c@420\n'Spurious Int",
  });
