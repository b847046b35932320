import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonLines, runInProcess } from './cliHarness';

const ROOT = join(__dirname, '..', '..');

test('crashdump README.md: "not a modem crash dump", exit 2, nothing decoded', async () => {
  const run = await runInProcess(['crashdump', join(ROOT, 'README.md')]);
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /README\.md is not a modem crash dump: it is a text file/);
  assert.doesNotMatch(run.stderr + run.stdout, /Modem crash dump|589/);
  const json = await runInProcess(['crashdump', '--json', join(ROOT, 'README.md')]);
  assert.equal(json.code, 2);
  assert.equal((jsonLines(json.stdout)[0]!.error as { code: string }).code, 'usage');
});

test('crashdump of a binary file announcing 589 MB is refused with the announced size', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pycom-crashdump-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'noise.bin');
  // "# Py" read as a big-endian u32 is 589 320 313; NUL bytes make it binary.
  writeFileSync(file, Buffer.from([0x23, 0x20, 0x50, 0x79, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0]));
  const run = await runInProcess(['crashdump', file]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /announce 589320313 bytes \(562 MiB\)/);
});

test('crashdump of the captured seed still decodes, exit 0', async () => {
  const run = await runInProcess(['crashdump', join(ROOT, 'test', 'fixtures', 'crashdump-seed-33080.bin')]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Modem crash dump \(firmware 5\.1\.1\.0 \[33080\]/);
});
