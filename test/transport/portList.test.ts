import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePort, listSerialPorts, toPortInfo, type RawPortInfo } from '../../src/core/transport/portList';
import { lookupUsbId, parseUsbId } from '../../src/core/transport/pycomUsbIds';
import { SerialPortOpener } from '../../src/core/transport/serialTransport';
import { openPtyPair, ptySkipReason } from '../support/ptyPair';
import { Deadline } from '../../src/core/time/deadline';
import { exactBytes, latin1ToBytes, bytesToLatin1 } from '../../src/core/transport/framers';

const scratch: string[] = [];
after(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** A PATH holding one executable named udevadm (never run: the list is replaced). */
async function pathWithUdevadm(): Promise<string> {
  const bin = await tempDir('bin-');
  await writeFile(join(bin, 'udevadm'), '#!/bin/sh\nexit 0\n');
  await chmod(join(bin, 'udevadm'), 0o755);
  return bin;
}

/**
 * A /dev and /sys/class/tty like a Linux host with a Pysense (cdc-acm, ids one level
 * above the interface), an FTDI adapter (usb-serial, two levels up) and a bare ttyUSB.
 */
async function fakeLinuxTree(ttyTarget: string): Promise<{ devRoot: string; sysTtyRoot: string }> {
  const root = await tempDir('fake-linux-');
  const devRoot = join(root, 'dev');
  const sysTtyRoot = join(root, 'sys', 'class', 'tty');
  const usb = join(root, 'sys', 'devices', 'usb1');
  await mkdir(join(devRoot, 'serial', 'by-id'), { recursive: true });
  await symlink(ttyTarget, join(devRoot, 'ttyACM0'));
  await writeFile(join(devRoot, 'ttyUSB0'), '');
  await writeFile(join(devRoot, 'ttyUSB7'), '');
  await writeFile(join(devRoot, 'ttyS0'), '');
  await symlink('../../ttyACM0', join(devRoot, 'serial', 'by-id', 'usb-Pycom_Pysense_Py343434-if00'));

  const pysense = join(usb, '1-1');
  await mkdir(join(pysense, '1-1:1.0'), { recursive: true });
  await writeFile(join(pysense, 'idVendor'), '04d8\n');
  await writeFile(join(pysense, 'idProduct'), 'f012\n');
  await writeFile(join(pysense, 'manufacturer'), 'Pycom\n');
  await writeFile(join(pysense, 'serial'), 'Py343434\n');
  const ftdi = join(usb, '1-2');
  await mkdir(join(ftdi, '1-2:1.0', 'ttyUSB0'), { recursive: true });
  await writeFile(join(ftdi, 'idVendor'), '0403\n');
  await writeFile(join(ftdi, 'idProduct'), '6015\n');
  await writeFile(join(ftdi, 'manufacturer'), 'FTDI\n');

  for (const name of ['ttyACM0', 'ttyUSB0', 'ttyUSB7']) await mkdir(join(sysTtyRoot, name), { recursive: true });
  await symlink(join(pysense, '1-1:1.0'), join(sysTtyRoot, 'ttyACM0', 'device'));
  await symlink(join(ftdi, '1-2:1.0', 'ttyUSB0'), join(sysTtyRoot, 'ttyUSB0', 'device'));
  return { devRoot, sysTtyRoot };
}

test('USB ids: the documented Pycom product ids name their boards; bridges are only possible', () => {
  assert.equal(lookupUsbId('04d8', 'f012')?.board, 'Pysense');
  assert.equal(lookupUsbId('0x04D8', '0xF013')?.board, 'Pytrack');
  assert.equal(lookupUsbId('04D8', 'EF98')?.board, 'Expansion Board 3.x');
  assert.equal(lookupUsbId('04d8', 'ef38')?.board, 'Pyscan');
  assert.equal(lookupUsbId('04d8', 'f011')?.isDfuMode, true);
  assert.equal(lookupUsbId('0403', '6015')?.certainty, 'possible');
  assert.equal(lookupUsbId('04d8', '000a'), undefined);
  assert.equal(lookupUsbId(undefined, 'f012'), undefined);
  assert.equal(parseUsbId('zz12'), undefined);
});

test('port info: Pycom ids or names make a likely Pycom board; descriptions read well', () => {
  const pysense = toPortInfo({ path: '/dev/ttyACM0', vendorId: '04D8', productId: 'F012', manufacturer: 'Pycom' });
  assert.equal(pysense.board, 'Pysense');
  assert.equal(pysense.isLikelyPycom, true);
  assert.equal(pysense.vendorId, '04d8');
  assert.equal(pysense.description, '/dev/ttyACM0 — Pysense (Pycom, 04d8:f012)');

  const ftdi = toPortInfo({ path: 'COM4', vendorId: '0403', productId: '6015', manufacturer: 'FTDI' });
  assert.equal(ftdi.board, 'Expansion Board 2 (FTDI)');
  assert.equal(ftdi.isLikelyPycom, false);

  const named = toPortInfo({ path: '/dev/ttyUSB3', pnpId: 'usb-Pycom_Ltd._Expansion3_Py1234-if00' });
  assert.equal(named.isLikelyPycom, true);

  const bare = toPortInfo({ path: '/dev/ttyAMA0' });
  assert.equal(bare.isLikelyPycom, false);
  assert.equal(describePort(bare), '/dev/ttyAMA0 — serial port (unknown device)');
});

test('without udevadm on PATH serialport.list() is never called, and the real list does not crash', async () => {
  let calls = 0;
  const spy = async (): Promise<RawPortInfo[]> => {
    calls++;
    return [];
  };
  const ports = await listSerialPorts({ platform: 'linux', searchPath: '', systemList: spy });
  assert.ok(Array.isArray(ports));
  assert.equal(calls, 0);
  // The real thing, with whatever PATH this machine has (containers often lack udevadm).
  const real = await listSerialPorts();
  assert.ok(Array.isArray(real));
  for (const port of real) assert.equal(typeof port.description, 'string');
});

test('with udevadm present its list is used, merged with the scan; a failing list falls back to the scan', async () => {
  const tree = await fakeLinuxTree('/dev/null');
  const searchPath = await pathWithUdevadm();
  const listed = await listSerialPorts({
    platform: 'linux',
    searchPath,
    ...tree,
    systemList: async () => [{ path: join(tree.devRoot, 'ttyUSB7'), vendorId: '10c4', productId: 'ea60', manufacturer: 'Silicon Labs' }],
  });
  const usb7 = listed.find((port) => port.path.endsWith('ttyUSB7'));
  assert.equal(usb7?.manufacturer, 'Silicon Labs');
  assert.equal(usb7?.board, 'CP210x USB-UART');
  assert.equal(listed.length, 3);

  const fallback = await listSerialPorts({
    platform: 'linux',
    searchPath,
    ...tree,
    systemList: async () => {
      throw new Error('udevadm exited with 1');
    },
  });
  assert.deepEqual(
    fallback.map((port) => port.path.slice(tree.devRoot.length + 1)),
    ['ttyACM0', 'ttyUSB0', 'ttyUSB7'],
  );
});

test('other platforms use serialport.list() and survive it failing', async () => {
  const ports = await listSerialPorts({
    platform: 'win32',
    systemList: async () => [
      { path: 'COM7' },
      { path: 'COM3', vendorId: '04D8', productId: 'EF98', manufacturer: 'Microchip Technology, Inc.' },
    ],
  });
  assert.deepEqual(ports.map((port) => port.path), ['COM3', 'COM7']);
  assert.equal(ports[0]?.board, 'Expansion Board 3.x');
  const none = await listSerialPorts({
    platform: 'darwin',
    systemList: async () => {
      throw new Error('binding missing');
    },
  });
  assert.deepEqual(none, []);
});

test('the fallback scan finds a symlinked tty, names it from sysfs and by-id, Pycom first, and it opens', { skip: ptySkipReason() }, async () => {
  const ptys = await openPtyPair();
  try {
    const tree = await fakeLinuxTree(ptys.hostPath);
    const ports = await listSerialPorts({ platform: 'linux', searchPath: '', ...tree });
    assert.deepEqual(
      ports.map((port) => port.path.slice(tree.devRoot.length + 1)),
      ['ttyACM0', 'ttyUSB0', 'ttyUSB7'],
    );
    const [pysense, ftdi, bare] = ports;
    assert.equal(pysense?.board, 'Pysense');
    assert.equal(pysense?.isLikelyPycom, true);
    assert.equal(pysense?.serialNumber, 'Py343434');
    assert.equal(pysense?.manufacturer, 'Pycom');
    assert.equal(ftdi?.vendorId, '0403');
    assert.equal(ftdi?.board, 'Expansion Board 2 (FTDI)');
    assert.equal(bare?.vendorId, undefined);
    assert.equal(bare?.isLikelyPycom, false);

    const opener = new SerialPortOpener();
    const host = await opener.open(pysense!.path, { baudRate: 115200 });
    const device = await opener.open(ptys.devicePath, { baudRate: 115200 });
    try {
      const got = device.read(exactBytes(3), { deadline: Deadline.in(3000) });
      await host.write(latin1ToBytes('AT\r'));
      assert.equal(bytesToLatin1(await got), 'AT\r');
    } finally {
      await host.close();
      await device.close();
    }
  } finally {
    await ptys.close();
  }
});
