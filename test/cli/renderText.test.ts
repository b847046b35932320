import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { jsonReplacer } from '../../src/cli/renderJson';
import { TextRenderer } from '../../src/cli/renderText';
import { Captured } from './cliHarness';

function progress(bytesDone: number, bytesTotal = 1000): UpgradeEvent {
  return { kind: 'progress', step: 'transfer', fileIndex: 1, fileName: 'x.dup', bytesDone, bytesTotal, bytesPerSecond: 100, etaMs: 5000, atMs: 0 };
}

test('on a TTY the bar redraws in place, at most every 100 ms, and ends with a newline', () => {
  const out = new Captured();
  let now = 0;
  const renderer = new TextRenderer(out, { isTTY: true, verbose: false, nowMs: () => now });
  renderer.render(progress(0));
  now = 50;
  renderer.render(progress(100));
  now = 200;
  renderer.render(progress(500));
  renderer.render(progress(1000));
  renderer.render({ kind: 'step', step: 'transfer', title: 'Send the firmware', phase: 'done', atMs: 0 });
  const redraws = out.text.split('\r\x1b[2K').length - 1;
  assert.equal(redraws, 3, 'the 50 ms redraw was skipped, the final one never is');
  assert.match(out.text, /\[#{15}-{15}\]  50\.0 %/);
  assert.match(out.text, /100\.0 % 1 kB\/1 kB 100 B\/s\n  ✓ Send the firmware\n$/);
});

test('in a pipe progress is a plain line per 10 %', () => {
  const out = new Captured();
  const renderer = new TextRenderer(out, { isTTY: false, verbose: false });
  for (let done = 0; done <= 1000; done += 10) renderer.render(progress(done));
  const lines = out.text.trim().split('\n');
  assert.equal(lines.length, 11);
  assert.ok(!out.text.includes('\r'));
  assert.match(lines[0]!, /x\.dup:   0\.0 % 0 B\/1 kB 100 B\/s ETA 0:05/);
});

test('AT exchanges only with --verbose; STP frames never (they are in the transcript)', () => {
  const quiet = new Captured();
  const loud = new Captured();
  const at: UpgradeEvent = { kind: 'at', command: 'AT+SMOD?', reply: '2', final: 'OK', durationMs: 3, atMs: 0 };
  const stp: UpgradeEvent = { kind: 'stp', direction: 'tx', summary: 'RESET', atMs: 0 };
  new TextRenderer(quiet, { isTTY: false, verbose: false }).render(at);
  const verbose = new TextRenderer(loud, { isTTY: false, verbose: true });
  verbose.render(at);
  verbose.render(stp);
  assert.equal(quiet.text, '');
  assert.equal(loud.text, '    AT+SMOD? → 2 | OK\n');
});

test('--json writes bytes as hex', () => {
  assert.equal(JSON.stringify({ raw: new Uint8Array([0, 15, 255]) }, jsonReplacer), '{"raw":"000fff"}');
  const view = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
  assert.equal(JSON.stringify(view, jsonReplacer), '"0203"');
});

test('a diagnosis is a paragraph (title and rule, why, what to do) that replaces the bare error action; preflight shows its lines', () => {
  const out = new Captured();
  const renderer = new TextRenderer(out, { isTTY: false, verbose: false });
  renderer.render({
    kind: 'preflight',
    isReady: true,
    results: [{ id: 'old-bootrom', title: 'Bootrom needs the recovery method?', status: 'warn', detail: 'old 33080 bootrom', action: 'Add updater.elf.' }],
    atMs: 0,
  });
  renderer.render({ kind: 'diagnosis', diagnosis: { cause: 'modem-silent', title: 'The modem stopped answering', action: 'Power-cycle it.', evidence: ['Silent for 90 s.', 'Last AT command: AT → (nothing).'] }, atMs: 0 });
  renderer.render({ kind: 'result', outcome: 'failed', message: 'Upgrade failed: silent', error: { code: 'timeout', message: 'silent', action: 'The error action.' }, atMs: 0 });
  assert.equal(
    out.text,
    [
      'Preflight:',
      '  [warn] Bootrom needs the recovery method?: old 33080 bootrom',
      '         → Add updater.elf.',
      '  0 failures, 1 warning: ready to upgrade.',
      '',
      'Diagnosis: The modem stopped answering [modem-silent]',
      '  Why: Silent for 90 s.',
      '       Last AT command: AT → (nothing).',
      '  What to do: Power-cycle it.',
      '',
      'Upgrade failed: silent',
      '',
    ].join('\n'),
  );
});
