import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One measured figure: `line` is what `npm run bench` prints for it. */
export interface Figure {
  id: string;
  line: string;
  /** Undefined when the figure has no goal. */
  isGoalMet?: boolean;
  /** Extra lines for BENCHMARKS.md and --verbose: how the figure splits. */
  details?: string[];
}

/** Bytes per second on an 8N1 line: 10 bit times per byte. */
export function lineBytesPerSecond(baudRate: number): number {
  return baudRate / 10;
}

export async function withTempDir<T>(prefix: string, job: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    return await job(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}

export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(0)} %`;
}

export function goalMark(isMet: boolean): string {
  return isMet ? 'goal met' : 'GOAL MISSED';
}
