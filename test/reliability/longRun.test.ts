// Issue 10, long run: many consecutive simulated upgrades in one process, one engine,
// one port, with no leaked handles, listeners or growing memory. LONG_RUN=50 runs the
// fifty of the issue; CI runs fewer. Figures are printed at start, middle and end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { engineRig, fileBytes, MATRIX_RIG } from '../support/engineRig';
import { filesFor, FROM_BUILD, TARGET_BUILD } from './rowRunner';

const RUNS = Math.max(4, Number.parseInt(process.env.LONG_RUN ?? '', 10) || 8);
/** Runs before the baseline: module loading, JIT and first-use caches are not leaks. */
const WARM_UP_RUNS = 2;
/** Heap growth allowed from the baseline to the end, whatever the run count (a leak of one run's events would pass it in ~20 runs). */
const HEAP_GROWTH_LIMIT_BYTES = 6 * 1024 * 1024;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

interface Figures {
  run: number;
  heapUsedMb: number;
  rssMb: number;
  handles: Record<string, number>;
  engineListeners: number;
}

function countResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Lets pending close callbacks and timers of the finished run fire before counting. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

async function figures(run: number, engineListeners: number): Promise<Figures> {
  await settle();
  collectGarbage();
  const memory = process.memoryUsage();
  return {
    run,
    heapUsedMb: Math.round((memory.heapUsed / 1024 / 1024) * 10) / 10,
    rssMb: Math.round((memory.rss / 1024 / 1024) * 10) / 10,
    handles: countResources(),
    engineListeners,
  };
}

const line = (f: Figures) =>
  `after run ${String(f.run).padStart(2)}: heap ${f.heapUsedMb} MB, rss ${f.rssMb} MB, engine listeners ${f.engineListeners}, active ${JSON.stringify(f.handles)}`;

test(`${RUNS} consecutive upgrades in one process: no leaked handles, listeners or memory`, async (t) => {
  const rig = engineRig({ state: 2, build: FROM_BUILD }, MATRIX_RIG);
  t.after(() => rig.close());
  const { files } = await filesFor(rig, 'fff');
  const sent = fileBytes(files[0]!);
  const listenersAtStart = rig.engine.events.listenerCount;
  const samples: Figures[] = [];
  let baseline: Figures | undefined;
  const started = performance.now();

  for (let run = 1; run <= RUNS; run++) {
    const outcome = await rig.upgrade(files);
    assert.equal(outcome.outcome, 'success', `run ${run}: ${JSON.stringify(outcome.error)}`);
    assert.deepEqual(rig.modem.stored.at(-1)?.bytes, sent, `run ${run}: image stored byte for byte`);
    assert.equal(rig.modem.build, TARGET_BUILD);
    assert.equal(rig.link.isOpen('host'), false, `run ${run}: port released`);
    // Keep the events of this run only: the rig's own record must not be what grows.
    rig.events.length = 0;
    // The next run needs the old build again: a fresh modem, as if reflashed.
    await rig.powerCycle({ state: 2, build: FROM_BUILD });
    if (run === WARM_UP_RUNS) samples.push((baseline = await figures(run, rig.engine.events.listenerCount)));
    else if (run === Math.ceil((RUNS + WARM_UP_RUNS) / 2) || run === RUNS) samples.push(await figures(run, rig.engine.events.listenerCount));
  }
  const totalMs = performance.now() - started;
  for (const sample of samples) t.diagnostic(line(sample));
  t.diagnostic(`${RUNS} upgrades in ${Math.round(totalMs)} ms (${Math.round(totalMs / RUNS)} ms each)`);

  const end = samples.at(-1)!;
  assert.ok(baseline);
  assert.equal(end.engineListeners, listenersAtStart, 'listeners on the engine');
  assert.deepEqual(end.handles, baseline.handles, 'active handles, by kind');
  const growth = (end.heapUsedMb - baseline.heapUsedMb) * 1024 * 1024;
  assert.ok(growth < HEAP_GROWTH_LIMIT_BYTES, `heap grew ${Math.round(growth / 1024)} KiB from run ${baseline.run} to run ${end.run}`);
});
