import '../support/registerVscodeStub';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { __stub, Uri } from '../support/vscodeStub';
import { LocalCopyMismatchError, localFileFor, pruneCopies, writeVerified } from '../../src/commands/localFileCopy';

beforeEach(() => __stub.reset());

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'pycom-copy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const firmware = new Uint8Array(Array.from({ length: 300_000 }, (_, i) => (i * 7919) & 0xff));

test('a remote file (vscode-remote:) is read through workspace.fs and copied locally, byte for byte, under its own name', async (t) => {
  const dir = scratch(t);
  const uri = Uri.parse('vscode-remote://ssh-remote+pi/home/pi/fw/CATM1-41065.dup');
  __stub.remoteFiles.set(uri.toString(), firmware);
  const local = await localFileFor(uri as never, { copiesFolder: dir });
  assert.equal(local.isCopy, true);
  assert.equal(local.sizeBytes, firmware.length);
  assert.ok(local.path.startsWith(dir) && local.path.endsWith('CATM1-41065.dup'), local.path);
  assert.deepEqual(new Uint8Array(readFileSync(local.path)), firmware);
  assert.deepEqual(__stub.fsReads, [uri.toString()]);
  // Same content again: the same copy, and no stray partial files.
  const again = await localFileFor(uri as never, { copiesFolder: dir });
  assert.equal(again.path, local.path);
  assert.deepEqual(readdirSync(join(local.path, '..')), ['CATM1-41065.dup']);
});

test('a local file: URI is used in place, without reading it through workspace.fs', async (t) => {
  const dir = scratch(t);
  const path = join(dir, 'updater.elf');
  writeFileSync(path, firmware.subarray(0, 1000));
  const local = await localFileFor(Uri.file(path) as never, { copiesFolder: join(dir, 'copies') });
  assert.deepEqual(local, { path, isCopy: false });
  assert.deepEqual(__stub.fsReads, []);
});

test('a copy that differs from what was read is refused, and neither it nor its partial file stays', async (t) => {
  const dir = scratch(t);
  const target = join(dir, 'a.dup');
  const read = firmware.subarray(0, 5000);
  const expected = { sizeBytes: read.length, sha256: createHash('sha256').update(read).digest('hex') };
  // What reaches the disk is one byte off what was read (a file changed between read and write).
  const written = new Uint8Array(read);
  written[0] = written[0]! ^ 0xff;
  await assert.rejects(writeVerified(written, target, { source: 'vscode-remote://wsl+Ubuntu/fw/a.dup', expected }), (error: unknown) => {
    assert.ok(error instanceof LocalCopyMismatchError);
    assert.equal(error.found.sizeBytes, 5000);
    assert.notEqual(error.found.sha256, expected.sha256);
    assert.match(error.message, /does not match what was read/);
    return true;
  });
  assert.deepEqual(readdirSync(dir), []);
  await writeVerified(read, target, { source: 'x', expected });
  assert.deepEqual(readdirSync(dir), ['a.dup']);
});

test('a remote file that cannot be read fails before anything is copied', async (t) => {
  const dir = scratch(t);
  await assert.rejects(localFileFor(Uri.parse('vscode-remote://ssh-remote+pi/missing.dup') as never, { copiesFolder: dir }), /EntryNotFound/);
  assert.deepEqual(readdirSync(dir), []);
});

test('copies unused for 30 days are pruned; the one in use is kept', async (t) => {
  const dir = scratch(t);
  const old = join(dir, 'old');
  const current = join(dir, 'current');
  for (const folder of [old, current]) {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder);
    const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    utimesSync(folder, longAgo, longAgo);
  }
  await pruneCopies(dir, current);
  assert.deepEqual(readdirSync(dir), ['current']);
});
