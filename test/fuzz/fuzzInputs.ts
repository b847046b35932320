import fc from 'fast-check';
import assert from 'node:assert/strict';
import type { Framer } from '../../src/core/transport/byteTransport';
import { concatBytes } from '../../src/core/transport/framers';

/** Ways a line damages a reply: what a glitch, a baud mismatch or a lost byte does. */
type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'overwrite'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'duplicate'; at: number; count: number }
  | { kind: 'prefix'; bytes: Uint8Array };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ kind: fc.constant('prefix' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
);


export function applyMutation(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  const at = bytes.length === 0 ? 0 : mutation.kind === 'prefix' ? 0 : mutation.at % (bytes.length + 1);
  switch (mutation.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      out[at % bytes.length]! ^= 1 << mutation.bit;
      return out;
    }
    case 'overwrite': {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      out[at % bytes.length] = mutation.byte;
      return out;
    }
    case 'truncate':
      return bytes.slice(0, at);
    case 'delete':
      return concatBytes(bytes.subarray(0, at), bytes.subarray(at + mutation.count));
    case 'insert':
      return concatBytes(bytes.subarray(0, at), mutation.bytes, bytes.subarray(at));
    case 'duplicate':
      return concatBytes(bytes.subarray(0, at + mutation.count), bytes.subarray(at));
    case 'prefix':
      return concatBytes(mutation.bytes, bytes);
  }
}

/** `seed` damaged by one to four mutations (bit flips, cuts, insertions, garbage before). */
export function mutated(seed: Uint8Array | fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const seeds = seed instanceof Uint8Array ? fc.constant(seed) : seed;
  return fc
    .tuple(seeds, fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
    .map(([bytes, mutations]) => mutations.reduce(applyMutation, bytes));
}

/** Cut points for delivering `length` bytes in arbitrary chunks, as an OS read would. */
export const cutPoints = fc.array(fc.nat(), { maxLength: 12 });

export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => (bytes.length === 0 ? 0 : cut % bytes.length)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    if (point <= from) continue;
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  if (from < bytes.length) chunks.push(bytes.subarray(from));
  return chunks;
}

/**
 * Text built from runs of tokens ("a" + 3000 spaces + ":"): the shapes that make a
 * backtracking regex take quadratic or cubic time, which random strings almost never hit.
 */
export function runsOf(tokens: readonly string[], options: { maxRun?: number; maxRuns?: number } = {}): fc.Arbitrary<string> {
  const run = fc.record({
    token: fc.constantFrom(...tokens),
    count: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: options.maxRun ?? 1500 })),
  });
  return fc
    .array(run, { minLength: 1, maxLength: options.maxRuns ?? 6 })
    .map((runs) => runs.map(({ token, count }) => token.repeat(count)).join(''));
}

export interface FedFrame<T> {
  value: T;
  consumed: number;
  /** Bytes pending when the frame came out. */
  pendingLength: number;
}

/**
 * Delivers `chunks` to a framer the way BufferedTransport does: all unread input each
 * time a chunk lands, a fresh framer per read (framers may keep state within one read),
 * and after a frame the next read starts on what is left. Checks the framer contract on
 * the way: a frame never claims more bytes than it was given, nor none.
 */
export function feedChunks<T>(
  makeFramer: () => Framer<T>,
  chunks: readonly Uint8Array[],
  options: { maxFrames?: number } = {},
): { frames: FedFrame<T>[]; rest: Uint8Array } {
  const maxFrames = options.maxFrames ?? Infinity;
  const frames: FedFrame<T>[] = [];
  let pending: Uint8Array = new Uint8Array(0);
  let framer = makeFramer();
  for (const chunk of chunks) {
    pending = concatBytes(pending, chunk);
    for (;;) {
      if (pending.length === 0 || frames.length >= maxFrames) break;
      const framed = framer.frame(pending);
      if (!framed) break;
      assert.ok(Number.isInteger(framed.consumed), `consumed ${framed.consumed} is not an integer`);
      assert.ok(framed.consumed >= 1, `a frame consumed ${framed.consumed} bytes`);
      assert.ok(framed.consumed <= pending.length, `consumed ${framed.consumed} of ${pending.length} pending bytes`);
      frames.push({ value: framed.value, consumed: framed.consumed, pendingLength: pending.length });
      pending = pending.slice(framed.consumed);
      framer = makeFramer();
    }
  }
  return { frames, rest: pending };
}

