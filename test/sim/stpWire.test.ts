import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simCrc16 } from '../../src/sim/modem/simCrc16';
import { buildStpFrame, STP_REQUEST_MAGIC } from '../../src/sim/modem/stpWire';
import { hex, testCrc, toHex } from './modemHarness';

test('the simulator CRC is CRC-16/XMODEM (check value of "123456789" is 0x31C3)', () => {
  const check = Uint8Array.from('123456789', (c) => c.charCodeAt(0));
  assert.equal(simCrc16(check), 0x31c3);
  assert.equal(testCrc(check), 0x31c3);
  assert.equal(simCrc16(new Uint8Array(0)), 0);
});

test('frames built by the simulator match the PROTOCOL.md test vectors', () => {
  const request = (op: number, sid: number, tid: number, payload?: Uint8Array) =>
    toHex(buildStpFrame({ magic: STP_REQUEST_MAGIC, op, sid, tid }, payload));
  assert.equal(request(0, 0, 0), toHex(hex('66617374 00 00 0000 00000000 8ae3 0000')));
  assert.equal(request(1, 1, 1), toHex(hex('66617374 01 01 0000 00000001 fb8e 0000')));
  assert.equal(request(2, 1, 2, hex('07e0')), toHex(hex('66617374 02 01 0002 00000002 27b8 64b9 07e0')));
});
