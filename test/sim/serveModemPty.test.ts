import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPortOpener } from '../../src/core/transport/serialTransport';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { makeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { serveModemOnTransport } from '../../src/sim/modem/serveModem';
import { openPtyPair, ptySkipReason } from '../support/ptyPair';
import { at, sendImage } from './modemHarness';

test('the simulator shares no code with the host codecs under test (src/core/stp, src/core/at)', () => {
  const dir = join(__dirname, '../../src/sim/modem');
  for (const name of readdirSync(dir)) {
    const source = readFileSync(join(dir, name), 'utf8');
    assert.doesNotMatch(source, /from '\.\.\/\.\.\/core\/(stp|at)\//, name);
  }
});

test('serveModemOnTransport serves over a MemoryLink and resolves `closed` when the host side goes', async () => {
  const link = new MemoryLink('served0', { baudRate: 921600 });
  const served = serveModemOnTransport(link.open('device'), { timeScale: 0.001 });
  const host = link.open('host');
  assert.equal(await at(host, 'AT+SMOD?'), 'AT+SMOD?\r\r\n2\r\nOK\r\n');
  link.unplug();
  await served.closed;
  await served.stop();
});

test('FFF over a real pty pair (socat) with serialport on the host side', { skip: ptySkipReason() }, async () => {
  const pair = await openPtyPair();
  const opener = new SerialPortOpener();
  const device = await opener.open(pair.devicePath, { baudRate: 921600 });
  const served = serveModemOnTransport(device, { timeScale: 0.001, keepImageBytes: true });
  const host = await opener.open(pair.hostPath, { baudRate: 921600 });
  const image = makeSyntheticFirmware({ kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 100_000 });
  try {
    await at(host, 'ATE0');
    assert.equal(await at(host, 'AT+SMSTPU'), '\r\nOK\r\n');
    await sendImage(host, image, { requestMs: 1000 });
    assert.equal(served.modem.stored[0]!.sha256, createHash('sha256').update(image).digest('hex'));
    assert.deepEqual(served.modem.stored[0]!.bytes, image);
  } finally {
    await host.close();
    await served.stop();
    await pair.close();
  }
});
