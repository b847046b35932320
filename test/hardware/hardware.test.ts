/**
 * `npm run test:hardware`: read-only checks on a real GPy/FiPy/G01 and a report to attach
 * to an issue. Skips (exit 0) unless PYCOM_TEST_PORT names the board's port; see the
 * README's "Testing on your own board" for the variables.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SerialPortOpener } from '../../src/core/transport/serialTransport';
import { laneConfigFromEnv } from './lane/laneConfig';
import { runLane } from './lane/runLane';

const configured = laneConfigFromEnv(process.env, { cwd: process.cwd(), now: new Date() });

if ('skipReason' in configured) {
  test('hardware lane', { skip: configured.skipReason }, () => undefined);
  process.stdout.write(`hardware lane skipped: ${configured.skipReason}\n`);
} else if ('configError' in configured) {
  test('hardware lane', () => assert.fail(configured.configError));
} else {
  const { config } = configured;
  test(`hardware lane on ${config.portPath}`, async (t) => {
    // Ctrl-C stops the running check; the lane still releases the port and writes the report.
    // `node --test` runs this file in a child and, on Ctrl-C, exits and SIGTERMs the child:
    // both signals must reach the lane, or the port and the board's REPL are left mid-command.
    const cancel = new AbortController();
    const onSigint = () => cancel.abort(new Error('Ctrl-C'));
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    let run;
    try {
      run = await runLane(config, {
        opener: new SerialPortOpener(),
        signal: cancel.signal,
        onProgress: (p) => {
          if (p.phase === 'start') t.diagnostic(`${p.check.id}: ${p.check.title}`);
          else t.diagnostic(`${p.result.id}: ${p.result.status} (${(p.result.durationMs / 1000).toFixed(1)} s) ${p.result.summary}`);
        },
      });
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
    process.stdout.write(`hardware report: ${config.reportPath}\nraw transcript: ${config.transcriptPath}\n`);
    if (run.isBoardInMirrorMode) process.stdout.write('The board is in mirror mode: unplug it and plug it back in.\n');
    for (const result of run.results) {
      await t.test(result.id, { skip: result.status === 'skip' ? result.summary : false }, () => {
        assert.equal(result.status, 'pass', result.summary);
      });
    }
    assert.equal(run.isCancelled, false, 'cancelled with Ctrl-C');
  });
}
