import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseFailure } from '../../src/core/diagnosis/diagnose';
import { boardAtReplError } from '../support/boardAtRepl';

test('a BoardAtReplError is diagnosed as board-at-repl with its port and its own advice, not as a silent modem or a wrong baud rate', () => {
  const error = boardAtReplError('/dev/ttyUSB0');
  error.step = 'detect';
  const { diagnosis, evidence } = diagnoseFailure(error, { context: { platform: 'linux' } });
  assert.equal(diagnosis.cause, 'board-at-repl');
  assert.equal(diagnosis.title, "/dev/ttyUSB0 is the board's Python REPL, not the modem");
  assert.equal(diagnosis.action, error.action);
  assert.ok(diagnosis.evidence.some((line) => /\(board-at-repl\) at step "detect".*NameError/.test(line)), diagnosis.evidence.join('\n'));
  assert.equal(evidence.garbageSeen, undefined, 'REPL text is not wrong-baud garbage');
});

test('a front end\'s own advice replaces the default one, and the diagnosis follows it', () => {
  const error = boardAtReplError('COM3').withAction('Run it with --via-board.');
  assert.equal(error.code, 'board-at-repl');
  assert.equal(diagnoseFailure(error).diagnosis.action, 'Run it with --via-board.');
});
