import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MiB, engineRig } from '../support/engineRig';

// The user's firmware files are read, never written; the session's record goes to the
// transcript folder only; names the device supplies (crash-dump build strings) never
// become host paths.

function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = statSync(path);
    const digest = stat.isFile() ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'dir';
    entries.set(name, `${stat.size}:${stat.mtimeMs}:${digest}`);
  }
  return entries;
}

/** A crash dump whose build and assertion strings look like paths outside every folder. */
function hostileCrashDump(): Uint8Array {
  const text = (s: string) => Buffer.from(s, 'latin1');
  const record = (tag: number, data: Buffer) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(tag, 0);
    head.writeUInt32BE(data.length, 4);
    return Buffer.concat([head, data]);
  };
  const version = Buffer.alloc(4);
  version.writeUInt32BE(1, 0);
  const body = Buffer.concat([
    record(0, version),
    record(2, text('../../../../tmp/pycom-evil-build [33080] by robot-soft at 2017-10-27 07:49:11\0')),
    record(4, text('Assertion failed\nFile: ../../pycom-evil.c@96\n<img src=x onerror=alert(1)>')),
  ]);
  const total = Buffer.alloc(4);
  total.writeUInt32BE(body.length, 0);
  return new Uint8Array(Buffer.concat([text('\r\n'), total, body, text('\r\nOK\r\n')]));
}

test('a failing upgrade reads the firmware files only and writes only into the transcript folder', async () => {
  // A diff that does not apply fails after the transfer; the engine then reads the crash dump.
  const rig = engineRig({ faults: ['patch-fails'], crashDump: hostileCrashDump() });
  const transcriptDir = mkdtempSync(join(tmpdir(), 'transcripts-'));
  try {
    const firmware = await rig.firmware('upgdiff_38638-to-41065.dup', { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: MiB / 2 });
    const before = snapshot(rig.dir);
    const outcome = await rig.engine.upgrade(rig.request([firmware], { transcriptDir }));
    assert.equal(outcome.outcome, 'failed');
    assert.match(outcome.crashDump?.buildString ?? '(none read)', /pycom-evil/, 'the device did supply path-like strings');
    assert.deepEqual(snapshot(rig.dir), before, 'the firmware folder is exactly as it was');
    const written = readdirSync(transcriptDir);
    assert.ok(written.length > 0, 'the session left its transcript');
    for (const name of written) assert.match(name, /^(pycom-modem-[0-9TZ:.-]+\.log|last-attempt\.json)$/);
    assert.ok(outcome.transcriptPath?.startsWith(transcriptDir));
    assert.equal(readdirSync(tmpdir()).some((name) => name.startsWith('pycom-evil')), false, 'no file named by the device');
  } finally {
    rmSync(transcriptDir, { recursive: true, force: true });
    await rig.close();
  }
});
