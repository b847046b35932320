// `npm run bench`: every figure measured side by side in one run, one line each.
// Started by bench/start.mjs, which builds what is measured (the production bundles, the
// compiled vscode stub, this bench bundled) and passes their paths in the environment.
//   npm run bench                      all figures
//   npm run bench -- --only stp-paced  some (ids: activation, parse, stp-unpaced, stp-paced, board-push, cli-memory)
//   npm run bench -- --verbose         with how each figure splits
//   npm run bench -- --write           and record the output in BENCHMARKS.md
import { cpus, loadavg } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { activationFigure } from './activation';
import type { Figure } from './benchSupport';
import { boardPushFigure } from './boardPush';
import { cliMemoryFigure } from './cliMemory';
import { parseThroughputFigure } from './parseThroughput';
import { measurePtyRoundTrips } from './ptyRoundTrip';
import { runStpInProcess } from './stpInProcess';
import { STP_BENCH_IMAGE_BYTES, stpPacedFigure, stpUnpacedFigure } from './stpTransfer';

/** The paced transfer idles about half a block's line time (11 ms) before each reply. */
const PACED_IDLE_GAP_MS = 11;
const FIGURE_IDS = ['activation', 'parse', 'stp-unpaced', 'stp-paced', 'board-push', 'cli-memory'] as const;
type FigureId = (typeof FIGURE_IDS)[number];

const BEGIN_MARK = '<!-- bench:begin -->';
const END_MARK = '<!-- bench:end -->';

interface BenchPaths {
  distDir: string;
  stubPath: string;
  repoRoot: string;
}

function pathsFromEnvironment(): BenchPaths {
  const distDir = process.env.BENCH_DIST;
  const stubPath = process.env.BENCH_VSCODE_STUB;
  const repoRoot = process.env.BENCH_REPO_ROOT;
  if (!distDir || !stubPath || !repoRoot) throw new Error('Run the bench with `npm run bench` (bench/start.mjs builds what it measures).');
  return { distDir, stubPath, repoRoot };
}

async function inProcessFigure(): Promise<Figure> {
  // The first transfer in a process runs cold (the JIT has not warmed up), as a CLI run does.
  const cold = await runStpInProcess(STP_BENCH_IMAGE_BYTES);
  const warm = await runStpInProcess(STP_BENCH_IMAGE_BYTES);
  const rate = (run: typeof cold) => run.payloadBytes / 1e6 / (run.elapsedMs / 1000);
  const perCycleUs = (run: typeof cold) => (run.elapsedMs * 1000) / run.cycles;
  return {
    id: 'stp-in-process',
    line:
      `STP host code alone (in-process instant modem, ${(STP_BENCH_IMAGE_BYTES / 1e6).toFixed(1)} MB): cold ${rate(cold).toFixed(1)} MB/s ` +
      `(${perCycleUs(cold).toFixed(0)} µs/cycle), warm ${rate(warm).toFixed(1)} MB/s (${perCycleUs(warm).toFixed(0)} µs/cycle)`,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',')) : undefined;
  for (const id of only ?? []) {
    if (!(FIGURE_IDS as readonly string[]).includes(id)) throw new Error(`no figure "${id}"; ids: ${FIGURE_IDS.join(', ')}`);
  }
  const isVerbose = args.includes('--verbose');
  const isWriting = args.includes('--write');
  const paths = pathsFromEnvironment();
  const wanted = (id: FigureId) => !only || only.has(id);

  const startedMs = performance.now();
  const lines: string[] = [];
  const print = (text: string) => {
    lines.push(text);
    console.log(text);
  };
  const show = (figure: Figure) => {
    print(figure.line);
    if (isVerbose || isWriting) for (const detail of figure.details ?? []) print(`    ${detail}`);
  };
  print(
    `bench ${new Date().toISOString()}: node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  if (wanted('activation')) show(activationFigure(paths.stubPath, paths.distDir));
  if (wanted('parse')) show(parseThroughputFigure());
  if (wanted('stp-unpaced')) {
    show(await inProcessFigure());
    show(await stpUnpacedFigure());
  }
  if (wanted('stp-paced')) {
    const floor = await measurePtyRoundTrips(300, PACED_IDLE_GAP_MS, 'direct');
    const relayFloor = await measurePtyRoundTrips(300, PACED_IDLE_GAP_MS, 'relay');
    show(await stpPacedFigure(floor, relayFloor));
  }
  if (wanted('board-push')) show(await boardPushFigure());
  if (wanted('cli-memory')) show(await cliMemoryFigure(join(paths.distDir, 'cli.js')));

  print(`bench took ${((performance.now() - startedMs) / 1000).toFixed(0)} s; load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (isWriting) await recordInBenchmarksMd(resolve(paths.repoRoot, 'BENCHMARKS.md'), ['npm run bench -- --write', ...args.filter((a) => a !== '--write')].join(' '), lines);
}

/** Replaces the block between the bench markers in BENCHMARKS.md with this run's output. */
async function recordInBenchmarksMd(path: string, command: string, lines: string[]): Promise<void> {
  const text = await readFile(path, 'utf8');
  const begin = text.indexOf(BEGIN_MARK);
  const end = text.indexOf(END_MARK);
  if (begin < 0 || end < begin) throw new Error(`${path} has no ${BEGIN_MARK} … ${END_MARK} block to fill`);
  const block = [BEGIN_MARK, '', `Produced by \`${command}\`:`, '', '```text', ...lines, '```', '', END_MARK].join('\n');
  await writeFile(path, text.slice(0, begin) + block + text.slice(end + END_MARK.length));
  console.log(`recorded in ${path}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
