import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const fixtures = join(__dirname, '..', 'fixtures');

/** The first 100 bytes of the 33080 capture, as the modem sent them (leading CRLF included). */
export const seedHead = new Uint8Array(readFileSync(join(fixtures, 'crashdump-seed-33080.bin')));
/** The 100 bytes that arrived as the next command's reply in the forum thread. */
export const seedRest = new Uint8Array(readFileSync(join(fixtures, 'crashdump-seed-33080-rest.txt')));

export const SEED_TOTAL_LENGTH = 12118;
const TAG4_DECLARED = 936;
/** Offset (after CRLF) where the tag-4 data starts: total u32, tag 0 record, tag 2 record, tag 4 header. */
const TAG4_DATA_AT = 4 + (8 + 4) + (8 + 53) + 8;

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function ascii(text: string): number[] {
  return [...text].map((c) => c.charCodeAt(0) & 0xff);
}

/**
 * The whole 33080 dump as it would have arrived: the two captured pieces, then a
 * plausible rest (the assertion text's end, a register record and a stack record, whose
 * binary holds bytes that look like "\r\nOK\r\n" to a reader that scans for it).
 * `lengthIncludesHeader` picks the reading of the u32 total; the real one is unknown.
 */
export function seedCrashDump(options: { lengthIncludesHeader: boolean }): Uint8Array {
  const body: number[] = [...seedHead.subarray(2), ...seedRest];
  const assertionTail = ascii(' ==ZSP_STATE_IDLE)\n');
  body.push(...assertionTail);
  while (body.length < TAG4_DATA_AT + TAG4_DECLARED) body.push(0);
  const bodyLength = options.lengthIncludesHeader ? SEED_TOTAL_LENGTH : SEED_TOTAL_LENGTH + 4;
  const registers: number[] = [];
  for (let i = 0; i < 16; i++) registers.push(...u32((0x40000000 + i * 0x1111) >>> 0));
  body.push(...u32(6), ...u32(registers.length), ...registers);
  const stackLength = bodyLength - body.length - 8;
  const stack: number[] = [];
  let state = 0x33080;
  for (let i = 0; i < stackLength; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    stack.push((state >>> 16) & 0xff);
  }
  stack.splice(100, 6, ...ascii('\r\nOK\r\n'));
  stack.splice(300, 9, ...ascii('\r\nERROR\r\n'));
  body.push(...u32(8), ...u32(stackLength), ...stack);
  if (body.length !== bodyLength) throw new Error(`seed dump is ${body.length} bytes, meant ${bodyLength}`);
  return new Uint8Array([0x0d, 0x0a, ...body]);
}
