import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryLink, MemoryPortRegistry } from '../../src/core/transport/memoryLink';
import { bytesToLatin1, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { runInProcess } from '../cli/cliHarness';
import { ANSWER_MS } from './boardHarness';

test('sim --board --sd FILE: the served board has an SD card with the file; the board mounts it at /sd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-sd-'));
  const file = join(dir, 'upgdiff_38638-to-41065.dup');
  writeFileSync(file, new Uint8Array(1000));
  const registry = new MemoryPortRegistry();
  const link = registry.add(new MemoryLink('sim:cli-sd', { baudRate: 115200 }));
  const controller = new AbortController();
  const served = runInProcess(['sim', '--board', '--port', 'sim:cli-sd', '--time-scale', '0.001', '--sd', file], { opener: registry, signal: controller.signal });
  const user = link.open('device');
  const until = async (delimiter: string) =>
    bytesToLatin1(await user.read(untilBytes(delimiter), { deadline: Deadline.in(ANSWER_MS * 4, JSON.stringify(delimiter)) }));
  try {
    await until('>>> ');
    await user.write(latin1ToBytes("import os; from machine import SD; os.mount(SD(), '/sd'); print(os.listdir('/sd'), os.stat('/sd/upgdiff_38638-to-41065.dup')[6])\r"));
    assert.match(await until('>>> '), /\['upgdiff_38638-to-41065\.dup'\] 1000\r\n>>> $/);
  } finally {
    controller.abort();
    const run = await served;
    assert.equal(run.code, 0, run.stderr);
    await user.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sim: --sd without --board, or a file that cannot be read, is a usage error', async () => {
  const alone = await runInProcess(['sim', '--port', 'sim:none', '--sd', 'x.dup']);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--sd needs --board/);
  const missing = await runInProcess(['sim', '--board', '--port', 'sim:none', '--sd', '/nonexistent/x.dup']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read --sd \/nonexistent\/x\.dup/);
});
