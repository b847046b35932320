import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperationAbortedError, UsageError } from '../../src/core/errors';
import { bytesSource, openFileSource } from '../../src/core/files/fileSource';
import { imageBytes } from './stpTestPeer';

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stp-file-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a file source reads on demand, by offset, into a new array or a given one', async () => {
  await withTempDir(async (dir) => {
    const image = imageBytes(70_000, 21);
    const path = join(dir, 'CATM1-41065.dup');
    await writeFile(path, image);
    const source = await openFileSource(path);
    try {
      assert.equal(source.name, 'CATM1-41065.dup');
      assert.equal(source.size, 70_000);
      assert.deepEqual(await source.read(65_536, 2016), image.subarray(65_536, 65_536 + 2016));
      const frame = new Uint8Array(16 + 100);
      await source.readInto!(frame.subarray(16), 69_900);
      assert.deepEqual(frame.subarray(16), image.subarray(69_900));
      await assert.rejects(source.read(69_990, 20), RangeError);
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(source.read(0, 10, controller.signal), OperationAbortedError);
    } finally {
      await source.close();
      await source.close();
    }
  });
});

test('a file that shrinks during the transfer is a UsageError, not silent zeros', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'shrinks.dup');
    await writeFile(path, imageBytes(10_000));
    const source = await openFileSource(path);
    try {
      await truncate(path, 5000);
      const error = await source.read(4000, 2016).catch((e: unknown) => e);
      assert.ok(error instanceof UsageError, String(error));
      assert.match(error.message, /shorter/);
    } finally {
      await source.close();
    }
  });
});

test('a missing file or a folder is refused as UsageError with an action', async () => {
  await withTempDir(async (dir) => {
    const missing = await openFileSource(join(dir, 'nope.dup')).catch((e: unknown) => e);
    assert.ok(missing instanceof UsageError);
    assert.match(missing.message, /not found/);
    assert.ok(missing.action.length > 0);
    const folder = await openFileSource(dir).catch((e: unknown) => e);
    assert.ok(folder instanceof UsageError, String(folder));
    assert.match(folder.action, /not a folder/);
  });
});

test('bytesSource reads slices and checks ranges', async () => {
  const bytes = imageBytes(100);
  const source = bytesSource('mem', bytes);
  assert.equal(source.size, 100);
  assert.deepEqual(await source.read(10, 5), bytes.subarray(10, 15));
  await assert.rejects(source.read(99, 2), RangeError);
});
