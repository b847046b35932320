import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AtLineAssembler, formatAtReply, parseAtCommand } from '../../src/sim/modem/atInterpreter';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

test('commands are parsed into name, kind and arguments, skipping what precedes AT', () => {
  assert.deepEqual(parseAtCommand('AT'), { text: 'AT', name: '', kind: '', args: '' });
  assert.deepEqual(parseAtCommand('at+smod?'), { text: 'at+smod?', name: '+SMOD', kind: '?', args: '' });
  assert.deepEqual(parseAtCommand('+++AT+SMSWBOOT=3,1'), { text: 'AT+SMSWBOOT=3,1', name: '+SMSWBOOT', kind: '=', args: '3,1' });
  assert.deepEqual(parseAtCommand('AT!="showver"'), { text: 'AT!="showver"', name: '!', kind: '=', args: '"showver"' });
  assert.deepEqual(parseAtCommand('AT^RESET'), { text: 'AT^RESET', name: '^RESET', kind: '', args: '' });
  assert.deepEqual(parseAtCommand('AT+CFUN=?'), { text: 'AT+CFUN=?', name: '+CFUN', kind: '=?', args: '' });
  assert.equal(parseAtCommand('\xff\x80garbage'), undefined);
});

test('replies: the application frames with CRLFs, the bootrom answers bare', () => {
  assert.equal(text(formatAtReply({ result: 'OK' }, 'application')), '\r\nOK\r\n');
  assert.equal(text(formatAtReply({ result: 'ERROR' }, 'updater')), '\r\nERROR\r\n');
  assert.equal(text(formatAtReply({ result: 'OK', body: ['2'] }, 'application')), '\r\n2\r\nOK\r\n');
  assert.equal(text(formatAtReply({ result: 'OK', body: ['0'] }, 'bootrom')), '0\r\nOK\r\n');
  assert.equal(text(formatAtReply({ result: 'OK' }, 'bootrom')), 'OK\r\n');
  assert.equal(text(formatAtReply({ result: 'OK', body: Uint8Array.of(0, 13, 10, 255) }, 'application')), '\r\n\x00\r\n\xff\r\nOK\r\n');
});

test('lines end at CR or LF; what follows a line is handed back untouched', () => {
  const lines = new AtLineAssembler();
  lines.push(Uint8Array.from(Buffer.from('AT\r\nAT+S')));
  lines.push(Uint8Array.from(Buffer.from('TP\nfast\x00\x01')));
  assert.equal(lines.takeLine()!.text, 'AT');
  assert.equal(lines.takeLine()!.text, '');
  assert.equal(text(lines.takeLine()!.raw), 'AT+STP\n');
  assert.equal(text(lines.takeRest()), 'fast\x00\x01');
  assert.equal(lines.takeLine(), undefined);
});
