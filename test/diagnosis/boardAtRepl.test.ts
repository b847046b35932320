import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnoseFailure } from '../../src/core/diagnosis/diagnose';
import { recogniseBoardRepl } from '../../src/core/at/replRecogniser';
import { BoardAtReplError } from '../../src/core/engine/upgradeErrors';
import { latin1ToBytes } from '../../src/core/transport/framers';

const REPL_ANSWER = latin1ToBytes(
  'AT\r\nTraceback (most recent call last):\r\n  File "<stdin>", line 1, in <module>\r\nNameError: name \'AT\' isn\'t defined\r\n>>> ',
);

test('a BoardAtReplError is diagnosed as board-at-repl with its port and its own advice, not as a silent modem or a wrong baud rate', () => {
  const error = new BoardAtReplError('/dev/ttyUSB0', 115_200, recogniseBoardRepl(REPL_ANSWER)!, REPL_ANSWER);
  error.step = 'detect';
  const { diagnosis, evidence } = diagnoseFailure(error, { context: { platform: 'linux' } });
  assert.equal(diagnosis.cause, 'board-at-repl');
  assert.equal(diagnosis.title, "/dev/ttyUSB0 is the board's Python REPL, not the modem");
  assert.equal(diagnosis.action, error.action);
  assert.ok(diagnosis.evidence.some((line) => /\(board-at-repl\) at step "detect".*NameError/.test(line)), diagnosis.evidence.join('\n'));
  assert.equal(evidence.garbageSeen, undefined, 'REPL text is not wrong-baud garbage');
});

test('a front end\'s own advice replaces the default one, and the diagnosis follows it', () => {
  const error = new BoardAtReplError('COM3', 115_200, recogniseBoardRepl(REPL_ANSWER)!, REPL_ANSWER).withAction('Run it with --via-board.');
  assert.equal(error.code, 'board-at-repl');
  assert.equal(diagnoseFailure(error).diagnosis.action, 'Run it with --via-board.');
});
