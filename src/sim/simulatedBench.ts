import type { SimulatedModemOptions } from './modem/simulatedModemOptions';

/**
 * A bench of simulated GPys, as `demo --boards N` and the editor's `sim:GPy#N` ports
 * build it: board N answers on `sim:GPy#N` with an IMEI of its own, and board 2 runs an
 * older build, so a table of the bench shows boards that did not start alike.
 */
export const BENCH_BUILD_BEFORE = 38638;
export const BENCH_OTHER_BUILD_BEFORE = 37746;
const BENCH_PORT_PREFIX = 'sim:GPy#';

/** `sim:GPy#1` for index 0. */
export function benchPortPath(index: number): string {
  return `${BENCH_PORT_PREFIX}${index + 1}`;
}

/** The board's index for `sim:GPy#N`, undefined for any other path. */
export function benchIndexOf(portPath: string): number | undefined {
  if (!portPath.startsWith(BENCH_PORT_PREFIX)) return undefined;
  const n = Number(portPath.slice(BENCH_PORT_PREFIX.length));
  return Number.isInteger(n) && n >= 1 ? n - 1 : undefined;
}

/** A valid (Luhn) IMEI per board, so reports and tables tell them apart. */
export function benchImei(index: number): string {
  const body = `3543470946${String(index + 1).padStart(4, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    const digit = Number(body[body.length - 1 - i]);
    const doubled = i % 2 === 0 ? digit * 2 : digit;
    sum += doubled > 9 ? doubled - 9 : doubled;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** The modem of board `index`: its build and IMEI; the caller adds state and faults. */
export function benchModemOptions(index: number): Pick<SimulatedModemOptions, 'build' | 'imei'> {
  return { build: index === 1 ? BENCH_OTHER_BUILD_BEFORE : BENCH_BUILD_BEFORE, imei: benchImei(index) };
}
