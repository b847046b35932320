import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deadline } from '../../src/core/time/deadline';
import type { ByteTransport } from '../../src/core/transport/byteTransport';
import { makeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { at, readUntil, send, sendImage, startModem, wakeUp } from './modemHarness';

const FIXTURES = '/work/shared/fixtures';

/** Reads the binary reply the way its header announces it: CRLF, u32 total, total bytes, CRLF OK. */
async function readCrashDumpReply(host: ByteTransport): Promise<{ all: Uint8Array; total: number }> {
  await send(host, 'AT+FSRDFILE="/fs/crashdump"\r');
  const all = await host.read(
    {
      description: 'crash dump reply',
      frame(pending: Uint8Array) {
        if (pending.length < 6) return undefined;
        const total = new DataView(pending.buffer, pending.byteOffset).getUint32(2);
        const end = 6 + total + 6;
        return pending.length >= end ? { value: pending.slice(0, end), consumed: end } : undefined;
      },
    },
    { deadline: Deadline.in(3000, 'crash dump') },
  );
  return { all, total: new DataView(all.buffer).getUint32(2) };
}

function records(all: Uint8Array, total: number): Array<{ tag: number; data: Uint8Array }> {
  const view = new DataView(all.buffer);
  const out: Array<{ tag: number; data: Uint8Array }> = [];
  let at = 6;
  while (at < 6 + total) {
    const tag = view.getUint32(at);
    const length = view.getUint32(at + 4);
    out.push({ tag, data: all.slice(at + 8, at + 8 + length) });
    at += 8 + length;
  }
  assert.equal(at, 6 + total, 'records end exactly at the announced total');
  return out;
}

test('the default crash dump is byte for byte the 33080 capture where the capture is known', async () => {
  const rig = startModem();
  try {
    await at(rig.host, 'ATE0');
    const { all, total } = await readCrashDumpReply(rig.host);
    assert.equal(total, 12118);
    const seed = readFileSync(join(FIXTURES, 'crashdump-seed-33080.bin'));
    const rest = readFileSync(join(FIXTURES, 'crashdump-seed-33080-rest.txt'));
    assert.deepEqual(Buffer.from(all.subarray(0, 100)), seed);
    // The capture's continuation starts "ed\n": the capturing tool's one-byte "flush" ate
    // the 'l' of "failed" between the two reads, so the dump continues one byte later.
    assert.equal(String.fromCharCode(all[100]!), 'l');
    assert.deepEqual(Buffer.from(all.subarray(101, 201)), rest);
    assert.equal(Buffer.from(all.subarray(all.length - 6)).toString('latin1'), '\r\nOK\r\n');
    const recs = records(all, total);
    assert.deepEqual(recs.map((r) => r.tag), [0, 2, 4, 5, 7]);
    assert.equal(recs[1]!.data.at(-1), 0, 'build string is NUL-terminated');
    assert.equal(recs[2]!.data.length, 936);
    // The next command's reply is clean: nothing of the dump spilled over.
    assert.equal(await at(rig.host, 'AT+SMOD?'), '\r\n2\r\nOK\r\n');
  } finally {
    await rig.stop();
  }
});

test('with echo on the dump follows the echoed command; other files are refused', async () => {
  const rig = startModem();
  try {
    assert.equal(await at(rig.host, 'AT+FSRDFILE="/fs/other"'), 'AT+FSRDFILE="/fs/other"\r\r\nERROR\r\n');
    await send(rig.host, 'AT+FSRDFILE="/fs/crashdump"\r');
    assert.equal(await readUntil(rig.host, '\r'), 'AT+FSRDFILE="/fs/crashdump"\r');
  } finally {
    await rig.stop();
  }
});

test('crash-mid-transfer: silence at ~40 %, +SYSSTART, state 4, and a dump that describes the new crash', async () => {
  const rig = startModem({ faults: ['crash-mid-transfer'] });
  const image = makeSyntheticFirmware({ kind: 'full', network: 'CAT-M1', build: 41065, size: 50_000 });
  try {
    await at(rig.host, 'ATE0');
    await at(rig.host, 'AT+SMSWBOOT=3,1');
    await wakeUp(rig.host);
    await at(rig.host, 'AT+SMSTPU="ON_THE_FLY"');
    await assert.rejects(sendImage(rig.host, image, { requestMs: 40 }), /no reply to op/);
    const stored = rig.modem.stored[0]!;
    assert.equal(stored.isComplete, false);
    assert.ok(stored.length >= 0.4 * image.length && stored.length < 0.5 * image.length, `crashed at ${stored.length}`);
    await readUntil(rig.host, '+SYSSTART\r\n', 3000);
    assert.equal(await at(rig.host, 'AT+SMOD?'), '\r\n4\r\nOK\r\n');
    const { all, total } = await readCrashDumpReply(rig.host);
    const recs = records(all, total);
    const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
    assert.match(text(recs.find((r) => r.tag === 2)!.data), /^5\.1\.1\.0 \[38638\] by robot-soft/);
    assert.match(text(recs.find((r) => r.tag === 4)!.data), /^Assertion failed\nFile: hal_misc\.c@420\n/);
  } finally {
    await rig.stop();
  }
});
