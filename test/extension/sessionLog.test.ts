import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { groupByStep, SessionLog } from '../../src/views/sessionLog';

const progress = (bytesDone: number, atMs: number, fileIndex = 1): UpgradeEvent => ({
  kind: 'progress',
  step: 'transfer',
  fileIndex,
  fileName: 'f.dup',
  bytesDone,
  bytesTotal: 10_000,
  bytesPerSecond: 1,
  atMs,
});

test('progress history is thinned to about one point per interval, keeping the first and the last', () => {
  const log = new SessionLog(20, 200);
  const session = log.start({ kind: 'upgrade', title: 'u', portPath: 'p' });
  let live = 0;
  log.changes.on((c) => c.kind === 'event' && live++);
  for (let i = 0; i < 1000; i++) log.record(session, progress(i, i * 10));
  assert.equal(live, 1000, 'listeners see every event');
  const kept = session.events.filter((e) => e.kind === 'progress');
  assert.ok(kept.length >= 45 && kept.length <= 60, `kept ${kept.length}`);
  assert.equal((kept[0] as { bytesDone: number }).bytesDone, 0);
  assert.equal((kept[kept.length - 1] as { bytesDone: number }).bytesDone, 999);
  log.record(session, progress(10_000, 10_001));
  assert.equal((session.events[session.events.length - 1] as { bytesDone: number }).bytesDone, 10_000, 'the final 100 % is never replaced');
});

test('old sessions are dropped past the limit', () => {
  const log = new SessionLog(3);
  for (let i = 0; i < 5; i++) log.start({ kind: 'info', title: `s${i}`, portPath: 'p' });
  assert.deepEqual(log.sessions.map((s) => s.title), ['s2', 's3', 's4']);
});

test('events group under the step running when they happened', () => {
  const events: UpgradeEvent[] = [
    { kind: 'log', level: 'info', message: 'before any step', atMs: 0 },
    { kind: 'step', step: 'detect', title: 'Detect', phase: 'start', atMs: 1 },
    { kind: 'at', command: 'AT', reply: '', final: 'OK', durationMs: 1, atMs: 2 },
    { kind: 'step', step: 'detect', title: 'Detect', phase: 'done', atMs: 3 },
    { kind: 'step', step: 'transfer', title: 'Send', phase: 'start', atMs: 4 },
    progress(5, 5),
  ];
  const groups = groupByStep(events);
  assert.deepEqual(groups.map((g) => [g.step, g.phase, g.events.length]), [
    ['general', undefined, 1],
    ['detect', 'done', 3],
    ['transfer', 'start', 2],
  ]);
});

