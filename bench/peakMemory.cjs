// Preloaded into the CLI under measurement (node --require bench/peakMemory.cjs dist/cli.js …):
// at exit it writes the process's peak resident memory (VmHWM, the kernel's own high-water
// mark, so no sample can miss the peak) and the largest V8 heap and ArrayBuffer totals seen
// by a light sampler, as JSON to the file named by BENCH_PEAK_FILE.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');

const target = process.env.BENCH_PEAK_FILE;
if (target) {
  const peaks = { heapUsedBytes: 0, heapTotalBytes: 0, arrayBuffersBytes: 0, externalBytes: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    peaks.heapUsedBytes = Math.max(peaks.heapUsedBytes, usage.heapUsed);
    peaks.heapTotalBytes = Math.max(peaks.heapTotalBytes, usage.heapTotal);
    peaks.arrayBuffersBytes = Math.max(peaks.arrayBuffersBytes, usage.arrayBuffers);
    peaks.externalBytes = Math.max(peaks.externalBytes, usage.external);
  };
  setInterval(sample, 20).unref();
  process.on('exit', () => {
    sample();
    // With --expose-gc: what is still reachable at the end (a leak), as against garbage not yet collected.
    let retainedHeapBytes;
    if (typeof global.gc === 'function') {
      global.gc();
      retainedHeapBytes = process.memoryUsage().heapUsed;
    }
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    writeFileSync(target, JSON.stringify({ vmHwmBytes: kb('VmHWM') * 1024, vmRssBytes: kb('VmRSS') * 1024, ...peaks, retainedHeapBytes }));
  });
}
