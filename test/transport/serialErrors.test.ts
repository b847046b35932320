import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyOpenFailure, toPortOpenError, SerialBindingError } from '../../src/core/transport/serialErrors';
import { PortOpenError, isModemToolError } from '../../src/core/errors';

// The texts serialport's bindings produce (strerror on Unix, error names on Windows).
const cases: Array<[NodeJS.Platform, string, string]> = [
  ['linux', 'Error Resource temporarily unavailable Cannot lock port', 'busy'],
  ['linux', 'Error: Device or resource busy, cannot open /dev/ttyACM0', 'busy'],
  ['darwin', 'Error: Resource busy, cannot open /dev/cu.usbmodem1', 'busy'],
  ['win32', 'Opening COM3: Access denied', 'busy'],
  ['linux', 'Error: No such file or directory, cannot open /dev/ttyUSB9', 'missing'],
  ['win32', 'Opening COM9: File not found', 'missing'],
  ['linux', 'Error: Permission denied, cannot open /dev/ttyACM0', 'permission'],
  ['darwin', 'Error: Permission denied, cannot open /dev/cu.usbserial', 'permission'],
  ['linux', 'Error baud rate of 123 is not supported on your platform', 'other'],
];

test('open failures are classified from serialport texts on each platform', () => {
  for (const [platform, text, expected] of cases) {
    assert.equal(classifyOpenFailure(new Error(text), platform), expected, `${platform}: ${text}`);
  }
});

test('each failure carries advice a user can follow on their system', () => {
  const busy = toPortOpenError('/dev/ttyACM0', new Error('Error Resource temporarily unavailable Cannot lock port'), { platform: 'linux' });
  assert.equal(busy.failure, 'busy');
  assert.match(busy.action, /`fuser \/dev\/ttyACM0` or `lsof \/dev\/ttyACM0`/);
  assert.match(busy.message, /in use by another program/);

  const winBusy = toPortOpenError('COM3', new Error('Opening COM3: Access denied'), { platform: 'win32' });
  assert.match(winBusy.action, /close the REPL terminal or the other program holding COM3/i);
  assert.doesNotMatch(winBusy.action, /fuser/);

  const denied = toPortOpenError('/dev/ttyACM0', new Error('Error: Permission denied, cannot open /dev/ttyACM0'), { platform: 'linux' });
  assert.match(denied.action, /sudo usermod -aG dialout \$USER/);
  assert.match(denied.action, /log out and back in/);
  const macDenied = toPortOpenError('/dev/tty.usbmodem1', new Error('Error: Permission denied'), { platform: 'darwin' });
  assert.match(macDenied.action, /\/dev\/cu\./);

  const missing = toPortOpenError('/dev/ttyUSB9', new Error('Error: No such file or directory, cannot open /dev/ttyUSB9'), {
    platform: 'linux',
    presentPaths: ['/dev/ttyACM0'],
  });
  assert.equal(missing.failure, 'missing');
  assert.match(missing.action, /Ports present: \/dev\/ttyACM0/);
  assert.ok(missing.cause instanceof Error);

  const already = new PortOpenError('x', 'busy', 'd', 'a');
  assert.equal(toPortOpenError('x', already, { platform: 'linux' }), already);
});

test('a binding that cannot load is a typed error that says what to do', () => {
  const error = new SerialBindingError(new Error('Cannot find module bindings.node'));
  assert.ok(isModemToolError(error));
  assert.equal(error.code, 'serial-binding');
  assert.match(error.message, /bindings\.node/);
  assert.match(error.action, /npm rebuild serialport/);
});
