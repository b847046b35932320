import fc from 'fast-check';
import { ModemToolError } from '../../src/core/errors';

/**
 * Cases per property: `FUZZ_RUNS` (the dedicated `npm run fuzz` sets 10,000); 200 by
 * default so the folder stays fast in CI. `FUZZ_SEED` replays a failure fast-check reported.
 */
export const FUZZ_RUNS = readPositiveInt('FUZZ_RUNS', 200);
const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

function readPositiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/**
 * Parameters for one property. `share` scales the count down for properties whose cases
 * wait on real (short) deadlines, so a 10,000 run of the folder stays within minutes.
 */
export function fuzzParams<T>(share = 1): fc.Parameters<T> {
  const params: fc.Parameters<T> = { numRuns: Math.max(1, Math.round(FUZZ_RUNS * share)) };
  if (FUZZ_SEED !== undefined && Number.isFinite(FUZZ_SEED)) params.seed = FUZZ_SEED;
  return params;
}

/** Runs `work` and rethrows anything that is not one of the project's typed errors. */
export function onlyTypedErrors<T>(work: () => T): T | ModemToolError {
  try {
    return work();
  } catch (error) {
    if (error instanceof ModemToolError) return error;
    throw error;
  }
}

export async function onlyTypedErrorsAsync<T>(work: () => Promise<T>): Promise<T | ModemToolError> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ModemToolError) return error;
    throw error;
  }
}

/**
 * Per-call time bound for pure parsers. Linear parsers take well under a millisecond on
 * the inputs fuzzed here; the bound is generous because the test machine is shared and
 * loaded, and a super-linear regex on the longest fuzzed runs takes seconds.
 */
export const PARSE_TIME_BOUND_MS = 1_000;

export function timed<T>(work: () => T): { value: T; elapsedMs: number } {
  const started = performance.now();
  const value = work();
  return { value, elapsedMs: performance.now() - started };
}
