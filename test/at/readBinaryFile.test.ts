import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUp } from './scriptedModem';
import { seedCrashDump, seedHead, seedRest, SEED_TOTAL_LENGTH } from '../parse/seedCrashDump';
import { parseCrashDump } from '../../src/core/parse/crashDump';
import { binaryReplyFramer, MAX_BINARY_REPLY_BYTES } from '../../src/core/at/binaryReplyFramer';
import { BinaryReplyOverflowError } from '../../src/core/at/atErrors';
import { bytesToLatin1, concatBytes, latin1ToBytes } from '../../src/core/transport/framers';
import { ReadTimeoutError } from '../../src/core/errors';
import { Deadline, type Clock } from '../../src/core/time/deadline';

const CRASHDUMP = 'AT+FSRDFILE="/fs/crashdump"';

function chunked(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}


const OK = latin1ToBytes('\r\nOK\r\n');

for (const lengthIncludesHeader of [true, false]) {
  test(`seed replay: the whole 12118-byte dump is read, and the next command gets its own OK (total ${lengthIncludesHeader ? 'counts' : 'excludes'} its 4 bytes)`, async () => {
    const dump = seedCrashDump({ lengthIncludesHeader });
    // The two captured pieces are where the forum thread saw them.
    assert.deepEqual(dump.subarray(0, 100), seedHead);
    assert.deepEqual(dump.subarray(100, 200), seedRest);
    const { channel, modem, close } = setUp((command) => {
      if (command === CRASHDUMP) return [...chunked(dump, 700), OK];
      if (command === 'AT+SQNSUPGRADENTF="started"') return ['\r\nOK\r\n'];
      return undefined;
    });
    const { data, reply } = await channel.readBinaryFile('/fs/crashdump', { timeoutMs: 2000 });
    assert.equal(reply.isOk, true);
    assert.equal(data.length, lengthIncludesHeader ? SEED_TOTAL_LENGTH : SEED_TOTAL_LENGTH + 4);
    assert.deepEqual(data, dump.subarray(2));

    const next = await channel.command('AT+SQNSUPGRADENTF="started"', { timeoutMs: 1000 });
    assert.equal(bytesToLatin1(next.raw), '\r\nOK\r\n');
    assert.deepEqual(next.lines, []);
    assert.deepEqual(modem.received, [`${CRASHDUMP}\r\n`, 'AT+SQNSUPGRADENTF="started"\r\n']);

    const parsed = parseCrashDump(data);
    assert.equal(parsed.build, 33080);
    assert.equal(parsed.file, 'l1DspReset.c');
    assert.equal(parsed.line, 96);
    assert.equal(parsed.isTruncated, false);
    assert.deepEqual(parsed.records.map((r) => r.tag), [0, 2, 4, 6, 8]);
    close();
  });
}

test('the dump arriving a few bytes at a time is read the same', async () => {
  const dump = seedCrashDump({ lengthIncludesHeader: true });
  const { channel, close } = setUp(() => [...chunked(concatBytes(dump, OK), 97)]);
  const { data } = await channel.readBinaryFile('/fs/crashdump', { timeoutMs: 5000 });
  assert.deepEqual(data, dump.subarray(2));
  close();
});

test('a missing file answers ERROR or +CME ERROR: isOk false and empty data', async () => {
  const answers = ['\r\nERROR\r\n', '\r\n+CME ERROR: 4\r\n'];
  let index = 0;
  const { channel, close } = setUp(() => [answers[index++]!]);
  for (const expected of ['ERROR', '+CME ERROR: 4']) {
    const { data, reply } = await channel.readBinaryFile('/fs/crashdump', { timeoutMs: 1000 });
    assert.equal(reply.isOk, false);
    assert.equal(reply.final, expected);
    assert.equal(data.length, 0);
  }
  close();
});

test('an echo and a +FSRDFILE info line before the data are accepted', async () => {
  const dump = seedCrashDump({ lengthIncludesHeader: false });
  const { channel, modem, close } = setUp(() => [`\r\n+FSRDFILE: ${dump.length - 2}\r\n`, dump, OK]);
  modem.hasEcho = true;
  const { data, reply } = await channel.readBinaryFile('/fs/crashdump', { timeoutMs: 2000 });
  assert.deepEqual(reply.lines, [`+FSRDFILE: ${dump.length - 2}`]);
  assert.deepEqual(data, dump.subarray(2));
  close();
});

test('an unbelievable declared length is read to the final result code instead', async () => {
  // 0x00F00000 = 15 MiB announced; 40 bytes sent.
  const body = new Uint8Array([0x00, 0xf0, 0x00, 0x00, ...Array.from({ length: 36 }, (_, i) => i + 0x20)]);
  const { channel, close } = setUp(() => ['\r\n', body, OK]);
  const { data, reply } = await channel.readBinaryFile('/fs/crashdump', { timeoutMs: 1000 });
  assert.equal(reply.isOk, true);
  assert.deepEqual(data, body);
  close();
});

test('a dump shorter than it announced is salvaged at the deadline, up to its OK', async () => {
  // Cut before the stack record, whose random bytes hold an "\r\nOK\r\n" a scan would stop at.
  const dump = seedCrashDump({ lengthIncludesHeader: true }).subarray(0, 1100);
  const { channel, close } = setUp(() => [dump, OK]);
  const { data, reply } = await channel.readBinaryFile('/fs/crashdump', { timeoutMs: 80 });
  assert.equal(reply.isOk, true);
  assert.deepEqual(data, dump.subarray(2));
  assert.equal(parseCrashDump(data).isTruncated, true);
  close();
});

/**
 * A clock that stands still until `started` resolves, then runs at real speed: a deadline
 * on it gives the peer all the time a loaded machine needs to answer, and only then
 * starts counting its budget down.
 */
function clockStartingWhen(started: Promise<void>): Clock {
  const heldAtMs = performance.now();
  let startedAtMs: number | undefined;
  void started.then(() => (startedAtMs = performance.now()));
  return { nowMs: () => (startedAtMs === undefined ? heldAtMs : heldAtMs + (performance.now() - startedAtMs)) };
}

test('silence during a binary read is a ReadTimeoutError', async () => {
  const { channel, host, close } = setUp(() => [seedHead]);
  // The silence starts once the head has arrived; from then on the 50 ms deadline is what ends the read.
  let headAtMs = Infinity;
  const headArrived = new Promise<void>((resolve) => {
    let receivedBytes = 0;
    const stop = host.onTap((tap) => {
      if (tap.direction !== 'rx') return;
      receivedBytes += tap.bytes.length;
      if (receivedBytes < seedHead.length) return;
      headAtMs = performance.now();
      stop();
      resolve();
    });
  });
  const deadline = Deadline.in(50, 'file read timeout', clockStartingWhen(headArrived));
  const error = await channel.readBinaryFile('/fs/crashdump', { deadline }).catch((e) => e);
  const endedAtMs = performance.now();
  assert.ok(error instanceof ReadTimeoutError, String(error));
  assert.equal(error.lastBytes.length, seedHead.length);
  assert.equal(error.waitedMs, 50);
  assert.ok(endedAtMs - headAtMs >= 50, `the read gave up ${endedAtMs - headAtMs} ms after the head, before its 50 ms of silence`);
  close();
});

test('the binary framer gives up past its byte bound instead of growing without end', () => {
  const framer = binaryReplyFramer(CRASHDUMP);
  const flood = new Uint8Array(MAX_BINARY_REPLY_BYTES + 1);
  flood.set([0x0d, 0x0a, 0x7f, 0xff, 0xff, 0xff]);
  assert.throws(() => framer.frame(flood), BinaryReplyOverflowError);
});

test('the binary framer waits while a final code could still be arriving', () => {
  const framer = binaryReplyFramer(CRASHDUMP);
  const body = new Uint8Array([0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(framer.frame(concatBytes(latin1ToBytes('\r\n'), body, latin1ToBytes('\r\nO'))), undefined);
  const framed = framer.frame(concatBytes(latin1ToBytes('\r\n'), body, latin1ToBytes('\r\nOK\r\nleft')));
  assert.ok(framed);
  assert.deepEqual(framed.value.data, body);
  assert.equal(framed.value.lengthRule, 'includes-header');
  assert.equal(framed.consumed, 2 + body.length + 6);
});
