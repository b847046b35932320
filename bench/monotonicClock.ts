/**
 * performance.now() counts from each process's own start; process.hrtime is
 * CLOCK_MONOTONIC, one clock for every process on the machine. Tap times (performance.now())
 * moved onto it can be compared between the host and the modem process.
 */
function measureOffsetMs(): number {
  // The first performance.now() of a process loads perf_hooks (milliseconds): warm it up,
  // then read the two clocks back to back and take the tightest bracket.
  performance.now();
  let best = { widthMs: Infinity, offsetMs: 0 };
  for (let i = 0; i < 20; i++) {
    const before = performance.now();
    const monotonicMs = Number(process.hrtime.bigint()) / 1e6;
    const after = performance.now();
    if (after - before < best.widthMs) best = { widthMs: after - before, offsetMs: monotonicMs - (before + after) / 2 };
  }
  return best.offsetMs;
}

const offsetMs = measureOffsetMs();

export function toMonotonicMs(performanceMs: number): number {
  return performanceMs + offsetMs;
}
