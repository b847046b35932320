// The fault targeting the matrix rests on: which request a planned strike hits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StrikeBook } from '../../src/sim/modem/modemFaults';

test('a command strike hits the n-th matching command, `times` in a row, then never again', () => {
  const book = new StrikeBook([{ point: { at: 'command', command: 'AT+SMOD?', occurrence: 2 }, effect: 'drop', times: 2 }]);
  const hits = ['AT', 'AT+SMOD?', 'AT+SMOD?', 'ATE0', 'AT+SMOD?', 'AT+SMOD?'].map((c) => book.onCommand(c)?.effect ?? '-');
  assert.deepEqual(hits, ['-', '-', 'drop', '-', 'drop', '-']);
});

test('`after` counts from the first time the other command came, however many came before', () => {
  const book = new StrikeBook([{ point: { at: 'command', command: 'AT', after: 'AT+SMSWBOOT=3,1' }, effect: 'silent' }]);
  const hits = ['AT', 'AT', 'AT', 'AT+SMSWBOOT=3,1', 'AT', 'AT'].map((c) => book.onCommand(c)?.effect ?? '-');
  assert.deepEqual(hits, ['-', '-', '-', '-', 'silent', '-']);
});

test('an STP strike names the request, the block (resends keep their number) and the session', () => {
  const book = new StrikeBook([
    { point: { at: 'stp', request: 'block', block: 2, session: 2 }, effect: 'delay', delayMs: 70, times: 2 },
    { point: { at: 'stp', request: 'close' }, effect: 'corrupt-crc' },
  ]);
  book.onStpLine();
  assert.equal(book.onStpRequest('block', 2), undefined, 'session 1 is not struck');
  assert.equal(book.onStpRequest('close', 0)?.effect, 'corrupt-crc', 'no session given: any session');
  book.onStpLine();
  assert.equal(book.onStpRequest('block', 1), undefined);
  assert.deepEqual(book.onStpRequest('block', 2), { effect: 'delay', delayMs: 70 });
  assert.deepEqual(book.onStpRequest('block', 2), { effect: 'delay', delayMs: 70 }, 'the resend of block 2');
  assert.equal(book.onStpRequest('block', 2), undefined, 'times used up');
  assert.equal(book.onStpRequest('close', 0), undefined, 'a strike fires `times` times only');
});

test('no strikes: an empty book never answers', () => {
  const book = new StrikeBook([]);
  assert.equal(book.isEmpty, true);
  assert.equal(book.onCommand('AT'), undefined);
  assert.equal(book.onStpRequest('open', 0), undefined);
});
