// Several boards at once: `cli.js demo --boards N` (N simulated GPys, each board and modem
// pacing its own line, upgraded in parallel in one process) against `--boards 1`, in the
// same bench run. Each is a child process with bench/peakMemory.cjs preloaded, so its peak
// RSS is the kernel's VmHWM at exit, as in bench/cliMemory.ts. Goals: 4 boards take at
// most 1.3 × one board's time, and peak at most 1.5 × one board's RSS.
// Started by bench/start.mjs (`npm run bench -- --only fleet`), which passes BENCH_DIST.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { goalMark, withTempDir, type Figure } from './benchSupport';

const FLEET_BOARDS = 4;
/** The simulated line and modem run 50 × real time: a paced transfer of some seconds per board. */
const SIM_TIME_SCALE = '0.02';
const TIME_GOAL_RATIO = 1.3;
const MEMORY_GOAL_RATIO = 1.5;
const RUN_BUDGET_MS = 300_000;

interface FleetRun {
  boards: number;
  elapsedMs: number;
  vmHwmBytes: number;
}

async function measureDemo(cliPath: string, boards: number): Promise<FleetRun> {
  return withTempDir('bench-fleet-', async (dir) => {
    const peakFile = join(dir, 'peak.json');
    const startedMs = performance.now();
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--require', join(__dirname, 'peakMemory.cjs'), cliPath, 'demo', '--boards', String(boards), '--time-scale', SIM_TIME_SCALE, '--transcript-dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BENCH_PEAK_FILE: peakFile } },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`demo --boards ${boards} did not finish within ${RUN_BUDGET_MS} ms`));
      }, RUN_BUDGET_MS);
      child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    const elapsedMs = performance.now() - startedMs;
    if (code !== 0) throw new Error(`demo --boards ${boards} exited ${code}:\n${output.slice(-2000)}`);
    const peak = JSON.parse(await readFile(peakFile, 'utf8')) as { vmHwmBytes: number };
    return { boards, elapsedMs, vmHwmBytes: peak.vmHwmBytes };
  });
}

export async function fleetFigure(cliPath: string): Promise<Figure> {
  const one = await measureDemo(cliPath, 1);
  const fleet = await measureDemo(cliPath, FLEET_BOARDS);
  const timeRatio = fleet.elapsedMs / one.elapsedMs;
  const memoryRatio = fleet.vmHwmBytes / one.vmHwmBytes;
  const isGoalMet = timeRatio <= TIME_GOAL_RATIO && memoryRatio <= MEMORY_GOAL_RATIO;
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return {
    id: 'fleet',
    isGoalMet,
    line:
      `Fleet: ${FLEET_BOARDS} simulated GPys in parallel ${seconds(fleet.elapsedMs)} vs one ${seconds(one.elapsedMs)} ` +
      `(× ${timeRatio.toFixed(2)}, goal ≤ ${TIME_GOAL_RATIO}); peak RSS ${mib(fleet.vmHwmBytes)} vs ${mib(one.vmHwmBytes)} ` +
      `(× ${memoryRatio.toFixed(2)}, goal ≤ ${MEMORY_GOAL_RATIO}): ${goalMark(isGoalMet)}`,
    details: [`each: cli.js demo --boards N --time-scale ${SIM_TIME_SCALE} (5.8 MB image ON_THE_FLY per board, boards and modems in the CLI's process)`],
  };
}

if (require.main === module) {
  const distDir = process.env.BENCH_DIST;
  if (!distDir) throw new Error('Run the bench with `npm run bench -- --only fleet` (bench/start.mjs builds what it measures).');
  fleetFigure(join(distDir, 'cli.js')).then(
    (figure) => {
      console.log(figure.line);
      for (const detail of figure.details ?? []) console.log(`    ${detail}`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : String(error));
      process.exit(1);
    },
  );
}
