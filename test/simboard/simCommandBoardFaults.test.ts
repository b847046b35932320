import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryLink, MemoryPortRegistry } from '../../src/core/transport/memoryLink';
import { bytesToLatin1, latin1ToBytes, untilBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { runInProcess } from '../cli/cliHarness';
import { ANSWER_MS } from './boardHarness';

test('sim --board --board-fault lte-in-use: the served board raises Modem not disabled', async () => {
  // The CLI serves on the link's host end; this test plays the user on the other.
  const registry = new MemoryPortRegistry();
  const link = registry.add(new MemoryLink('sim:cli-board', { baudRate: 115200 }));
  const controller = new AbortController();
  const served = runInProcess(['sim', '--board', '--port', 'sim:cli-board', '--time-scale', '0.001', '--board-fault', 'lte-in-use'], {
    opener: registry,
    signal: controller.signal,
  });
  const user = link.open('device');
  const until = async (delimiter: string) =>
    bytesToLatin1(await user.read(untilBytes(delimiter), { deadline: Deadline.in(ANSWER_MS * 4, JSON.stringify(delimiter)) }));
  try {
    await until('>>> ');
    await user.write(latin1ToBytes('import sqnsupgrade; sqnsupgrade.uart()\r'));
    // The updater's own '>>> GPy with firmware…' line is not the prompt: read to the error, then the prompt.
    assert.match(await until('Modem not disabled\r\n'), /Preparing modem for upgrade\.\.\.\r\nTraceback[\s\S]*OSError: Modem not disabled\r\n$/);
    assert.equal(await until('>>> '), '>>> ');
  } finally {
    controller.abort();
    const run = await served;
    assert.equal(run.code, 0, run.stderr);
    await user.close();
  }
});

test('sim: an unknown --board-fault, or one without --board, is a usage error', async () => {
  const unknown = await runInProcess(['sim', '--board', '--port', 'sim:none', '--board-fault', 'melted']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no board fault named "melted"[\s\S]*lte-in-use, no-upgrade-mode, bootrom-write-fails, updater-load-fails/);
  const alone = await runInProcess(['sim', '--port', 'sim:none', '--board-fault', 'lte-in-use']);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--board-fault needs --board/);
});
