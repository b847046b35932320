// Preloaded into the CLI under measurement (node --require bench/peakMemory.cjs dist/cli.js …):
// at exit it writes the process's peak resident memory (VmHWM, the kernel's own high-water
// mark, so no sample can miss the peak), the largest V8 heap and ArrayBuffer totals seen
// by a light sampler, and how much the heap allocated and how often it collected (from
// v8.GCProfiler), as JSON to the file named by BENCH_PEAK_FILE. The allocation figure is
// what drives the peak: V8 grows its young generation when much survives its scavenges.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const v8 = require('node:v8');

/**
 * Bytes allocated on the V8 heap while the profiler ran: what each collection found in
 * use, less what the one before it left, plus what was added since the last one.
 */
function allocationFrom(statistics, startUsedBytes, endUsedBytes) {
  let allocatedBytes = 0;
  let leftBytes = startUsedBytes;
  const gcCounts = {};
  let youngGenerationMaxBytes = 0;
  for (const gc of statistics) {
    allocatedBytes += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - leftBytes);
    leftBytes = gc.afterGC.heapStatistics.usedHeapSize;
    gcCounts[gc.gcType] = (gcCounts[gc.gcType] ?? 0) + 1;
    for (const space of [...gc.beforeGC.heapSpaceStatistics, ...gc.afterGC.heapSpaceStatistics]) {
      if (space.spaceName === 'new_space') youngGenerationMaxBytes = Math.max(youngGenerationMaxBytes, space.spaceSize);
    }
  }
  allocatedBytes += Math.max(0, endUsedBytes - leftBytes);
  return { allocatedBytes, gcCounts, youngGenerationMaxBytes };
}

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
  const gcProfiler = new v8.GCProfiler();
  const startUsedBytes = v8.getHeapStatistics().used_heap_size;
  gcProfiler.start();
  process.on('exit', () => {
    sample();
    // Before the forced collection below, which is the bench's, not the CLI's.
    const allocation = allocationFrom(gcProfiler.stop()?.statistics ?? [], startUsedBytes, v8.getHeapStatistics().used_heap_size);
    // With --expose-gc: what is still reachable at the end (a leak), as against garbage not yet collected.
    let retainedHeapBytes;
    if (typeof global.gc === 'function') {
      global.gc();
      retainedHeapBytes = process.memoryUsage().heapUsed;
    }
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    writeFileSync(target, JSON.stringify({ vmHwmBytes: kb('VmHWM') * 1024, vmRssBytes: kb('VmRSS') * 1024, ...peaks, retainedHeapBytes, ...allocation }));
  });
}
