import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROGRESS_EVENT_INTERVAL_MS, ProgressPacer, formatBytes, formatDuration, progressFigures, type PacedProgress } from '../../src/core/engine/progressFigures';

test('no rate and no ETA until two samples span time and bytes', () => {
  assert.deepEqual(progressFigures([], 1000), { percent: 0, bytesPerSecond: 0 });
  assert.deepEqual(progressFigures([{ atMs: 5, bytesDone: 100 }], 1000), { percent: 10, bytesPerSecond: 0 });
  assert.equal(progressFigures([{ atMs: 5, bytesDone: 0 }, { atMs: 5, bytesDone: 100 }], 1000).etaMs, undefined);
});

test('rate is the average from first to last sample; ETA is what is left at that rate', () => {
  const figures = progressFigures(
    [
      { atMs: 1000, bytesDone: 0 },
      { atMs: 1500, bytesDone: 10_000 },
      { atMs: 3000, bytesDone: 20_000 },
    ],
    100_000,
  );
  assert.equal(figures.bytesPerSecond, 10_000);
  assert.equal(figures.etaMs, 8_000);
  assert.equal(figures.percent, 20);
});

test('a stall lowers the average rate instead of stopping the ETA', () => {
  const before = progressFigures([{ atMs: 0, bytesDone: 0 }, { atMs: 1000, bytesDone: 50_000 }], 100_000);
  const stalled = progressFigures([{ atMs: 0, bytesDone: 0 }, { atMs: 1000, bytesDone: 50_000 }, { atMs: 11_000, bytesDone: 50_001 }], 100_000);
  assert.ok(stalled.bytesPerSecond < before.bytesPerSecond / 5);
  assert.ok(stalled.etaMs! > before.etaMs!);
});

test('percent is clamped and an empty file is complete', () => {
  assert.equal(progressFigures([{ atMs: 0, bytesDone: 0 }], 0).percent, 100);
  assert.equal(progressFigures([{ atMs: 0, bytesDone: 2000 }], 1000).percent, 100);
});

test('sizes and durations read as a person expects', () => {
  assert.equal(formatBytes(96), '96 B');
  assert.equal(formatBytes(812_400), '812 kB');
  assert.equal(formatBytes(5_835_531), '5.8 MB');
  assert.equal(formatDuration(65_000), '1:05');
  assert.equal(formatDuration(3_723_000), '1:02:03');
});

/** Feeds a transfer of `blocks` equal blocks, one every `msPerBlock`, and returns the events the pacer let through. */
function pacedTransfer(total: number, blocks: number, msPerBlock: number): { events: PacedProgress[]; durationMs: number } {
  let now = 0;
  const pacer = new ProgressPacer(total, { nowMs: () => now });
  const events: PacedProgress[] = [];
  const offer = (done: number) => {
    const figures = pacer.sample(done);
    if (figures) events.push(figures);
  };
  offer(0);
  for (let block = 1; block <= blocks; block++) {
    now += msPerBlock;
    offer(Math.min(total, Math.round((total * block) / blocks)));
  }
  return { events, durationMs: now };
}

test('a fast transfer gets a few progress events a second, the first and always the last', () => {
  const total = 6_000_000;
  const { events, durationMs } = pacedTransfer(total, 2977, 1);
  const perSecondLimit = 1000 / PROGRESS_EVENT_INTERVAL_MS;
  // One per interval, plus one per tenth of the file that fell between two intervals, plus the last.
  assert.ok(events.length <= (durationMs / 1000) * perSecondLimit + 11 + 1, `${events.length} events in ${durationMs} ms`);
  assert.ok(events.length >= (durationMs / 1000) * perSecondLimit, `${events.length} events in ${durationMs} ms`);
  assert.equal(events[0]!.bytesDone, 0);
  assert.equal(events.at(-1)!.bytesDone, total);
  assert.equal(events.at(-1)!.percent, 100);
  // The rate runs from the first sample to the latest: 6 MB in 2977 ms.
  assert.ok(Math.abs(events.at(-1)!.bytesPerSecond - total / 2.977) < 1, `${events.at(-1)!.bytesPerSecond} B/s`);
});

test('a transfer shorter than the interval still reports each tenth of the file', () => {
  const { events } = pacedTransfer(100_000, 50, 0);
  assert.deepEqual(
    events.map((e) => Math.floor(e.percent / 10) * 10),
    [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
  );
});

test('a slow transfer reports every block (each is more than an interval apart)', () => {
  const { events } = pacedTransfer(20_160, 10, 250);
  assert.equal(events.length, 11);
});

test('a transfer that stops gets its latest sample reported once, for the diagnosis', () => {
  let now = 0;
  const pacer = new ProgressPacer(1_000_000, { nowMs: () => now });
  assert.ok(pacer.sample(0));
  now = 10;
  assert.equal(pacer.sample(2016), undefined, 'too soon after the first event');
  const last = pacer.unreported();
  assert.equal(last?.bytesDone, 2016);
  assert.equal(pacer.unreported(), undefined, 'reported already');
  now = 20;
  assert.ok(pacer.sample(4032) === undefined && pacer.unreported()?.bytesDone === 4032);
});
