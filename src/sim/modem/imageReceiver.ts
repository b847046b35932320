import { createHash, type Hash } from 'node:crypto';
import { isElf, readSyntheticHeader, type SyntheticHeader } from '../firmwareImage';
import type { StpMethod } from './atInterpreter';

/** What arrived by STP in one session, name-less (the modem never learns a file name). */
export interface StoredImage {
  kind: 'updater' | 'firmware';
  method: StpMethod;
  length: number;
  /** Hex. */
  sha256: string;
  /** Only with keepImageBytes. */
  bytes?: Uint8Array;
  /** False when the session never reached its closing RESET (crash, unplug, idle, stop). */
  isComplete: boolean;
  header?: SyntheticHeader;
}

/** Shares of the expected image size at which a real modem's transfer pauses (7–10 % and 99 %). */
export const STALL_SHARES = [0.08, 0.99] as const;

/**
 * Sizes assumed when an image carries no synthetic header announcing its size: STP
 * never says how much is coming, so the stall and fault points are estimates.
 */
export const TYPICAL_IMAGE_BYTES: Record<StpMethod, number> = {
  recovery: 340_000,
  'on-the-fly': 5_500_000,
  fff: 1_000_000,
};

/** The first bytes kept to read a synthetic header from. */
const HEAD_BYTES = 256;

/** Collects one session's bytes: hash and length always, every byte only when asked. */
export class ImageReceiver {
  private readonly hash: Hash = createHash('sha256');
  private readonly chunks: Uint8Array[] | undefined;
  private head = new Uint8Array(0);
  private received = 0;
  private expected: number;
  private readonly stallsLeft: number[] = [...STALL_SHARES];
  private finished: StoredImage | undefined;

  constructor(
    readonly method: StpMethod,
    options: { keepBytes?: boolean; expectedBytes?: number } = {},
  ) {
    this.chunks = options.keepBytes ? [] : undefined;
    this.expected = options.expectedBytes ?? TYPICAL_IMAGE_BYTES[method];
  }

  get length(): number {
    return this.received;
  }

  /** How far along the expected size the transfer is (may pass 1 when the estimate was low). */
  get share(): number {
    return this.received / this.expected;
  }

  get header(): SyntheticHeader | undefined {
    return readSyntheticHeader(this.head);
  }

  store(bytes: Uint8Array): void {
    if (bytes.length === 0 || this.finished) return;
    this.hash.update(bytes);
    this.chunks?.push(bytes.slice());
    if (this.head.length < HEAD_BYTES) {
      const head = new Uint8Array(Math.min(HEAD_BYTES, this.head.length + bytes.length));
      head.set(this.head, 0);
      head.set(bytes.subarray(0, head.length - this.head.length), this.head.length);
      this.head = head;
      const size = readSyntheticHeader(head)?.size;
      if (size) this.expected = size;
    }
    this.received += bytes.length;
  }

  /** True once per stall point the transfer has reached. */
  takeDueStall(): boolean {
    if (this.stallsLeft.length && this.share >= this.stallsLeft[0]!) {
      this.stallsLeft.shift();
      return true;
    }
    return false;
  }

  finish(isComplete: boolean): StoredImage {
    if (this.finished) return this.finished;
    const header = this.header;
    this.finished = {
      kind: this.method === 'recovery' || isElf(this.head) ? 'updater' : 'firmware',
      method: this.method,
      length: this.received,
      sha256: this.hash.digest('hex'),
      isComplete,
      ...(header ? { header } : {}),
      ...(this.chunks ? { bytes: joinChunks(this.chunks, this.received) } : {}),
    };
    return this.finished;
  }
}

function joinChunks(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
