import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROGRESS_EVENT_INTERVAL_MS } from '../../src/core/engine/progressFigures';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { MiB, engineRig, TEST_TIMEOUTS } from '../support/engineRig';

const progressOf = (events: UpgradeEvent[]) => events.flatMap((e) => (e.kind === 'progress' && e.step === 'transfer' ? [e] : []));
const logsOf = (events: UpgradeEvent[]) => events.flatMap((e) => (e.kind === 'log' ? [e.message] : []));

test('a transfer emits a bounded number of events: paced progress, STP digests, the data phase start and end', async (t) => {
  const rig = engineRig({ state: 2, build: 38638 });
  t.after(() => rig.close());
  const size = 4 * MiB + 4321;
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size });
  const outcome = await rig.engine.upgrade(rig.request([file]));
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));

  const progress = progressOf(rig.events);
  const seconds = (progress.at(-1)!.atMs - progress[0]!.atMs) / 1000;
  assert.ok(progress.length <= seconds * (1000 / PROGRESS_EVENT_INTERVAL_MS) + 12, `${progress.length} progress events in ${seconds} s`);
  assert.equal(progress[0]!.bytesDone, 0);
  assert.equal(progress.at(-1)!.bytesDone, size);

  // 2083 blocks are 8332 frames; the session's own frames and the digests are a few dozen lines.
  const stp = rig.events.filter((e) => e.kind === 'stp');
  assert.ok(stp.length < 20 + seconds * 2, `${stp.length} STP events`);
  assert.ok(stp.some((e) => e.kind === 'stp' && /^TRANSFER_BLOCK ×\d+ acknowledged/.test(e.summary)));
  const logs = logsOf(rig.events);
  assert.ok(logs.some((m) => m.startsWith(`STP data phase: CATM1-41065.dup, ${size} bytes`)));
  assert.ok(logs.some((m) => m.startsWith(`STP data phase done: 2083 blocks, ${size} bytes acknowledged`)));
});

test('a transfer that fails reports how far it got: the last progress and the data phase end', async (t) => {
  const rig = engineRig({ state: 2, faults: ['crash-mid-transfer'] });
  t.after(() => rig.close());
  const file = await rig.firmware('CATM1-41065.dup', { kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 1 });
  const outcome = await rig.engine.upgrade(rig.request([file], { timeouts: { ...TEST_TIMEOUTS, stpRequestMs: 300 } }));
  assert.equal(outcome.outcome, 'failed');
  const stopped = logsOf(rig.events)
    .map((m) => /^STP data phase stopped after (\d+) blocks \((\d+) of (\d+) bytes acknowledged\)/.exec(m))
    .find(Boolean);
  assert.ok(stopped, 'the data phase end is logged');
  const acknowledged = Number(stopped[2]);
  assert.ok(acknowledged > 0 && acknowledged < 4 * MiB + 1);
  assert.equal(Number(stopped[1]), Math.ceil(acknowledged / 2016));
  assert.equal(progressOf(rig.events).at(-1)?.bytesDone, acknowledged, 'the last progress is where it stopped');
  // Every acknowledged block is in a digest, the ones just before the failure too.
  const digested = rig.events
    .flatMap((e) => (e.kind === 'stp' ? [/^TRANSFER_BLOCK ×(\d+) acknowledged/.exec(e.summary)] : []))
    .reduce((sum, match) => sum + (match ? Number(match[1]) : 0), 0);
  assert.equal(digested, Number(stopped[1]));
});
