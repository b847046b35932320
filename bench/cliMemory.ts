// Peak resident memory of the CLI during a full upgrade: `cli.js upgrade` as a child
// process against `cli.js sim` (another process) on a pty pair, for a 2 MB and a 6 MB
// image. The peak is the kernel's VmHWM, written at exit by bench/peakMemory.cjs
// (preloaded), so no sampling interval can miss it. The image is streamed if the peak is
// flat in its size; the retained heap after a forced GC and the largest ArrayBuffer total
// tell a leak or a whole-file copy from garbage the collector had not yet reclaimed, and
// the heap allocated per image byte and the young generation's size tell how much garbage
// a block makes (V8 grows the young generation, and the peak, with what survives it).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSyntheticFirmware } from '../src/sim/firmwareImage';
import { openPtyPair } from '../test/support/ptyPair';
import { exited } from './childProcesses';
import { goalMark, mb, withTempDir, type Figure } from './benchSupport';

export const MEMORY_GOAL_BYTES = 80 * 1024 * 1024;
const SMALL_IMAGE_BYTES = 2_000_000;
const LARGE_IMAGE_BYTES = 6_000_000;
/** The simulated modem runs its waits (and its line) this much faster than a real one. */
const SIM_TIME_SCALE = '0.001';
const UPGRADE_BUDGET_MS = 180_000;

export interface PeakMemory {
  imageBytes: number;
  vmHwmBytes: number;
  heapTotalBytes: number;
  arrayBuffersBytes: number;
  retainedHeapBytes: number;
  /** V8 heap bytes allocated over the whole run (bench/peakMemory.cjs). */
  allocatedBytes: number;
  /** Collections by V8's name for them: 'Scavenge', 'MarkSweepCompact', ... */
  gcCounts: Record<string, number>;
  /** The largest the young generation (new space) grew: what a high allocation rate inflates. */
  youngGenerationMaxBytes: number;
  elapsedMs: number;
}

export async function measureUpgradePeak(cliPath: string, imageBytes: number, nodeFlags: string[] = []): Promise<PeakMemory> {
  return withTempDir('bench-mem-', async (dir) => {
    const imagePath = join(dir, 'CATM1-41065.dup');
    await writeSyntheticFirmware(imagePath, { kind: 'full', network: 'CAT-M1', build: 41065, size: imageBytes });
    const ptys = await openPtyPair();
    // Its stderr stays closed: stopping it with SIGINT makes it print "Cancelling...".
    const sim = spawn(process.execPath, [cliPath, 'sim', '--port', ptys.devicePath, '--time-scale', SIM_TIME_SCALE], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      await lineFrom(sim, /^ready:/, 30_000);
      const peakFile = join(dir, 'peak.json');
      const startedMs = performance.now();
      const upgrade = spawn(
        process.execPath,
        [...nodeFlags, '--expose-gc', '--require', join(__dirname, 'peakMemory.cjs'), cliPath, 'upgrade', '--port', ptys.hostPath, '--timeout-scale', '0.1', '--transcript-dir', dir, imagePath],
        { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BENCH_PEAK_FILE: peakFile } },
      );
      let output = '';
      upgrade.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      upgrade.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await exitCode(upgrade, UPGRADE_BUDGET_MS);
      const elapsedMs = performance.now() - startedMs;
      if (code !== 0) throw new Error(`the CLI upgrade exited ${code}:\n${output.slice(-2000)}`);
      const peak = JSON.parse(await readFile(peakFile, 'utf8')) as Omit<PeakMemory, 'imageBytes' | 'elapsedMs'>;
      return { imageBytes, elapsedMs, ...peak };
    } finally {
      sim.kill('SIGINT');
      await exited(sim, 5_000);
      await ptys.close();
    }
  });
}

export async function cliMemoryFigure(cliPath: string): Promise<Figure> {
  const small = await measureUpgradePeak(cliPath, SMALL_IMAGE_BYTES);
  const large = await measureUpgradePeak(cliPath, LARGE_IMAGE_BYTES);
  // The same run with V8's young generation capped: shows what the rest of the peak is.
  const capped = await measureUpgradePeak(cliPath, LARGE_IMAGE_BYTES, ['--max-semi-space-size=1']);
  const isGoalMet = large.vmHwmBytes < MEMORY_GOAL_BYTES && small.vmHwmBytes < MEMORY_GOAL_BYTES;
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const describe = (run: PeakMemory) =>
    `${mb(run.imageBytes)}: peak RSS ${mib(run.vmHwmBytes)} (V8 heap ${mib(run.heapTotalBytes)}, live after GC ${mib(run.retainedHeapBytes)}, ` +
    `ArrayBuffers at most ${mib(run.arrayBuffersBytes)}; ${(run.elapsedMs / 1000).toFixed(1)} s); ${allocationText(run)}`;
  // What one more image byte costs in allocation, start-up and the AT steps left out.
  const allocatedPerImageByte = (large.allocatedBytes - small.allocatedBytes) / (large.imageBytes - small.imageBytes);
  return {
    id: 'cli-memory',
    isGoalMet,
    line:
      `CLI full upgrade peak RSS: ${mib(small.vmHwmBytes)} for ${mb(small.imageBytes)}, ${mib(large.vmHwmBytes)} for ${mb(large.imageBytes)} ` +
      `(ratio ${(large.vmHwmBytes / small.vmHwmBytes).toFixed(2)} for 3 × the image; goal < 80 MiB: ${goalMark(isGoalMet)}); ` +
      `live heap after GC ${mib(small.retainedHeapBytes)} / ${mib(large.retainedHeapBytes)}, ArrayBuffers ≤ ${mib(large.arrayBuffersBytes)}: streamed; ` +
      `with --max-semi-space-size=1 the 6 MB peak is ${mib(capped.vmHwmBytes)}`,
    details: [
      describe(small),
      describe(large),
      `with node --max-semi-space-size=1, ${describe(capped)}`,
      `heap allocation per image byte (the ${mb(large.imageBytes)} run less the ${mb(small.imageBytes)} one): ${allocatedPerImageByte.toFixed(1)} bytes`,
    ],
  };
}

function allocationText(run: PeakMemory): string {
  const collections = Object.entries(run.gcCounts)
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  return (
    `heap allocated ${(run.allocatedBytes / 1024 / 1024).toFixed(0)} MiB, ${collections || 'no collections'}, ` +
    `new space (young generation) up to ${(run.youngGenerationMaxBytes / 1024 / 1024).toFixed(0)} MiB`
  );
}

function lineFrom(child: ChildProcess, pattern: RegExp, withinMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => done(new Error(`no line matching ${pattern} within ${withinMs} ms; got: ${text}`)), withinMs);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) done(undefined, line);
    };
    const onExit = (code: number | null) => done(new Error(`exited (${code}) before a line matching ${pattern}: ${text}`));
    const done = (error?: Error, line?: string) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      // Keep draining so the child never blocks on a full pipe.
      child.stdout!.resume();
      if (error) reject(error);
      else resolve(line!);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

function exitCode(child: ChildProcess, withinMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not finish within ${withinMs} ms`));
    }, withinMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}
