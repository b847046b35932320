import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STP_REPLY_FLAG, StpOp } from '../../src/core/stp/stpFrame';
import type { StpFrameSummary } from '../../src/core/stp/stpSession';
import { STP_DIGEST_INTERVAL_MS, StpTrafficLog, type StpTrafficLine } from '../../src/core/stp/stpTrafficLog';

function recorder(): { lines: StpTrafficLine[]; log: StpTrafficLog; advance(ms: number): void } {
  let now = 0;
  const lines: StpTrafficLine[] = [];
  const log = new StpTrafficLog((line) => lines.push(line), { nowMs: () => now });
  return { lines, log, advance: (ms) => (now += ms) };
}

/** The four frames of one routine block, as StpSession reports them. */
function block(log: StpTrafficLog, cmdTid: number, length = 2016): void {
  const frames: StpFrameSummary[] = [
    { direction: 'tx', op: StpOp.TRANSFER_BLOCK_CMD, sid: 1, tid: cmdTid, plen: 2 },
    { direction: 'rx', op: StpOp.TRANSFER_BLOCK_CMD | STP_REPLY_FLAG, sid: 1, tid: cmdTid, plen: 0 },
    { direction: 'tx', op: StpOp.TRANSFER_BLOCK, sid: 1, tid: cmdTid + 1, plen: length },
    { direction: 'rx', op: StpOp.TRANSFER_BLOCK | STP_REPLY_FLAG, sid: 1, tid: cmdTid + 1, plen: 2 },
  ];
  for (const frame of frames) log.frame(frame);
}

test('session frames are lines of their own, as they happen', () => {
  const { lines, log } = recorder();
  log.frame({ direction: 'tx', op: StpOp.RESET, sid: 0, tid: 0, plen: 0 });
  log.frame({ direction: 'rx', op: StpOp.SESSION_OPEN | STP_REPLY_FLAG, sid: 1, tid: 1, plen: 4 });
  assert.deepEqual(lines, [
    { direction: 'tx', summary: 'RESET sid=0 tid=0 plen=0' },
    { direction: 'rx', summary: 'SESSION_OPEN reply sid=1 tid=1 plen=4' },
  ]);
});

test('routine block frames become one digest per interval, on a reply, and the rest on flush', () => {
  const { lines, log, advance } = recorder();
  // 100 blocks, 25 ms each: 2.5 s.
  for (let i = 0; i < 100; i++) {
    advance(25);
    block(log, 2 + 2 * i);
  }
  assert.equal(lines.length, Math.floor((100 * 25) / STP_DIGEST_INTERVAL_MS), 'one digest per elapsed interval');
  log.flush();
  log.flush();
  const counts = lines.map((line) => Number(/^TRANSFER_BLOCK ×(\d+) acknowledged/.exec(line.summary)?.[1]));
  assert.equal(counts.reduce((a, b) => a + b, 0), 100, 'every block counted once');
  assert.ok(lines.every((line) => line.direction === 'rx'));
  assert.match(lines[0]!.summary, /^TRANSFER_BLOCK ×40 acknowledged \(tid 3–81, 80640 bytes sent; routine block frames summarized\)$/);
  assert.match(lines.at(-1)!.summary, /\(tid 163–201, 40320 bytes sent/);
});

test('a frame with a note interrupts nothing: it is its own line, and the digest counts on', () => {
  const { lines, log, advance } = recorder();
  block(log, 2);
  log.frame({ direction: 'tx', op: StpOp.TRANSFER_BLOCK, sid: 1, tid: 5, plen: 2016, note: 'resend 2/4' });
  log.frame({ direction: 'rx', op: StpOp.TRANSFER_BLOCK | STP_REPLY_FLAG, sid: 1, tid: 3, plen: 2, note: 'stale' });
  assert.deepEqual(
    lines.map((line) => line.summary),
    ['TRANSFER_BLOCK sid=1 tid=5 plen=2016 (resend 2/4)', 'TRANSFER_BLOCK reply sid=1 tid=3 plen=2 (stale)'],
  );
  advance(STP_DIGEST_INTERVAL_MS);
  block(log, 6);
  assert.match(lines.at(-1)!.summary, /^TRANSFER_BLOCK ×2 acknowledged \(tid 3–7, 4032 bytes sent/);
});
