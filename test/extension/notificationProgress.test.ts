import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotificationProgress } from '../../src/commands/notificationProgress';
import type { StepId, UpgradeEvent } from '../../src/core/engine/upgradeEvents';

function progress(step: StepId, fileIndex: number, bytesDone: number, bytesTotal: number): UpgradeEvent {
  return { kind: 'progress', step, fileIndex, fileName: `f${fileIndex}`, bytesDone, bytesTotal, bytesPerSecond: 0, atMs: 0 };
}

function sum(values: (number | undefined)[]): number {
  return values.reduce<number>((total, value) => total + (value ?? 0), 0);
}

test('one file: the increments add up to its fraction, and to 100 at the end', () => {
  const bar = new NotificationProgress();
  const steps = [0, 250, 250, 500, 999, 1000].map((done) => bar.increment(progress('push-files', 1, done, 1000)));
  assert.equal(steps[0], undefined, 'nothing at 0 bytes');
  assert.equal(steps[2], undefined, 'no growth, no report');
  assert.ok(Math.abs(sum(steps.slice(0, 4)) - 50) < 1e-9);
  assert.ok(Math.abs(sum(steps) - 100) < 1e-9);
});

test('an upgrade: the plan\'s files share the bar; the board half\'s copy of updater.elf does not move it', () => {
  const bar = new NotificationProgress(['load-updater', 'transfer']);
  assert.equal(bar.increment(progress('push-files', 1, 500, 500)), undefined);
  bar.increment({ kind: 'plan', path: 'recovery', files: ['updater.elf', 'a.dup'], atMs: 0 });
  const updaterDone = sum([bar.increment(progress('load-updater', 0, 100, 200)), bar.increment(progress('load-updater', 0, 200, 200))]);
  assert.ok(Math.abs(updaterDone - 50) < 1e-9, `half the bar after updater.elf, got ${updaterDone}`);
  const firmware = sum([bar.increment(progress('transfer', 1, 5, 10)), bar.increment(progress('transfer', 1, 10, 10))]);
  assert.ok(Math.abs(updaterDone + firmware - 100) < 1e-9);
  assert.equal(bar.increment(progress('transfer', 1, 10, 10)), undefined, 'a full bar stays full');
});

test('blocks smaller than a percent are gathered into one report', () => {
  const bar = new NotificationProgress();
  const reports = Array.from({ length: 1000 }, (_, i) => bar.increment(progress('push-files', 1, i + 1, 1000)));
  assert.equal(reports.filter((r) => r !== undefined).length, 100);
  assert.ok(Math.abs(sum(reports) - 100) < 1e-9);
});
