import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { createSimulatedGpy, type SimulatedGpy } from '../../src/sim/simulatedGpy';
import type { PortOpener } from '../../src/core/transport/byteTransport';

const gpys: SimulatedGpy[] = [];
const dir = mkdtempSync(join(tmpdir(), 'board-cli-'));
after(async () => {
  for (const gpy of gpys) await gpy.stop();
  rmSync(dir, { recursive: true, force: true });
});

function capture(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

async function cli(argv: string[], options: { opener?: PortOpener; stdin?: Readable } = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    isTTY: false,
    canPrompt: false,
    env: {},
    signal: new AbortController().signal,
    ...(options.opener ? { opener: options.opener } : {}),
    ...(options.stdin ? { stdin: options.stdin } : {}),
  } as Parameters<typeof runCli>[1]);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function gpy(name: string) {
  const sim = await createSimulatedGpy({ portPath: `sim:${name}`, timeScale: 0.005 });
  gpys.push(sim);
  return sim;
}

test('demo runs the whole upgrade on the simulated GPy and ends with the versions before and after', async () => {
  const result = await cli(['demo', '--time-scale', '0.01']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /board: Going into MIRROR mode/);
  assert.match(result.stdout, /Modem before: LR5\.1\.1\.0-38638 \(build 38638, CAT-M1\)/);
  assert.match(result.stdout, /Modem after: +LR5\.1\.1\.0-41065 \(build 41065, CAT-M1\)/);
});

test('demo --fault patch-fails exits 1 with what to do', async () => {
  const result = await cli(['demo', '--time-scale', '0.01', '--fault', 'patch-fails']);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /Patch didn't apply/);
  assert.match(result.stdout, /What to do:/);
});

test('board info, push, ls, rm on the simulated GPy', async () => {
  const sim = await gpy('cli-board');
  const info = await cli(['board', 'info', '--port', sim.portPath, '--json'], { opener: sim.registry });
  assert.equal(info.code, 0, info.stderr);
  const identity = JSON.parse(info.stdout);
  assert.equal(identity.machine, 'GPy');
  assert.equal(identity.hasLteModem, true);

  const local = join(dir, 'hello.txt');
  writeFileSync(local, 'hello board\n');
  const push = await cli(['board', 'push', local, '--port', sim.portPath], { opener: sim.registry });
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /\/flash\/hello\.txt: 12 B copied and verified/);
  const again = await cli(['board', 'push', local, '--port', sim.portPath], { opener: sim.registry });
  assert.match(again.stdout, /already on the board/);
  const ls = await cli(['board', 'ls', '--port', sim.portPath], { opener: sim.registry });
  assert.match(ls.stdout, /\s12 {2}hello\.txt/);
  const rm = await cli(['board', 'rm', 'hello.txt', '--port', sim.portPath], { opener: sim.registry });
  assert.match(rm.stdout, /Removed \/flash\/hello\.txt/);
  assert.equal(sim.board.stats.ctrlFReceived, 0);
});

test('board without an action, or an unknown one, is a usage error (exit 2)', async () => {
  assert.equal((await cli(['board', '--port', 'x'])).code, 2);
  const sim = await gpy('cli-usage');
  const result = await cli(['board', 'frobnicate', '--port', sim.portPath], { opener: sim.registry });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /no action named "frobnicate"/);
});

test('repl with piped input: keys go to the board, its output comes back, Ctrl-F is held back', async () => {
  const sim = await gpy('cli-repl');
  const stdin = Readable.from([Buffer.from('print(6*7)\r\x06')]);
  const result = await cli(['repl', '--port', sim.portPath, '--linger-ms', '300'], { opener: sim.registry, stdin });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /print\(6\*7\)\r\n42\r\n>>> /);
  assert.match(result.stderr, /Ctrl-F not sent/);
  assert.equal(sim.board.stats.ctrlFReceived, 0);
  assert.equal(sim.boardLink.isOpen('host'), false);
});
