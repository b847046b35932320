import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, formatDuration, progressFigures } from '../../src/core/engine/progressFigures';

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
