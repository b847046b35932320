import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { createSimulatedGpy, type SimulatedGpy } from '../../src/sim/simulatedGpy';
import type { PortOpener } from '../../src/core/transport/byteTransport';
import { writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { parseLastAttempt } from '../../src/core/engine/lastAttempt';

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

async function gpy(name: string, options: Parameters<typeof createSimulatedGpy>[0] = {}) {
  const sim = await createSimulatedGpy({ portPath: `sim:${name}`, timeScale: 0.005, ...options });
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

test('board upgrade remembers the attempt in last-attempt.json and writes --report, like upgrade: a failure, then a success', async () => {
  const transcripts = mkdtempSync(join(dir, 'transcripts-'));
  const firmware = join(dir, 'upgdiff_38638-to-41065.dup');
  await writeSyntheticFirmware(firmware, { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 600_000 });
  const lastAttempt = () => parseLastAttempt(JSON.parse(readFileSync(join(transcripts, 'last-attempt.json'), 'utf8')));

  const lopy = await gpy('cli-board-lopy', { board: { machine: 'LoPy4' } });
  const failedReport = join(dir, 'board-failed.md');
  const failed = await cli(['board', 'upgrade', firmware, '--port', lopy.portPath, '--transcript-dir', transcripts, '--report', failedReport], { opener: lopy.registry });
  assert.equal(failed.code, 1, failed.stdout + failed.stderr);
  assert.match(failed.stdout, new RegExp(`Diagnostic report: ${failedReport.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const failedMarkdown = readFileSync(failedReport, 'utf8');
  assert.match(failedMarkdown, /\*\*Outcome:\*\* failed — The board half of the upgrade failed/);
  assert.match(failedMarkdown, /### Diagnosis: The board \(LoPy4\) has no LTE modem/);
  assert.match(failedMarkdown, /Rule: no-lte-modem/);
  assert.match(failedMarkdown, /\| upgdiff\\_38638-to-41065\.dup \| 600000 \| diff 38638 → 41065 \|/);
  const failedAttempt = lastAttempt();
  // The board half writes its own transcript now: the failed attempt points at it.
  assert.ok(failedAttempt?.transcriptPath?.startsWith(transcripts), failedAttempt?.transcriptPath);
  assert.match(readFileSync(failedAttempt?.transcriptPath ?? '', 'utf8'), /STEP board-identify fail/);
  assert.deepEqual(
    { ...failedAttempt, startedAt: '', transcriptPath: '' },
    {
      portPath: lopy.portPath,
      files: [firmware],
      startedAt: '',
      outcome: 'failed',
      resumeHint: 'The modem was not changed; the board is at its REPL. Fix the cause above and run the upgrade again.',
      transcriptPath: '',
    },
  );

  const sim = await gpy('cli-board-upgrade', { board: { timeScale: 0.005 }, modem: { timeScale: 0.001, keepImageBytes: false } });
  const report = join(dir, 'board-success.md');
  const done = await cli(['board', 'upgrade', firmware, '--port', sim.portPath, '--transcript-dir', transcripts, '--report', report, '--json'], { opener: sim.registry });
  assert.equal(done.code, 0, done.stdout + done.stderr);
  const lines = done.stdout.trim().split('\n').map((line) => JSON.parse(line) as { kind: string; path?: string });
  assert.deepEqual(lines.at(-1), { kind: 'report', path: report });
  assert.match(readFileSync(report, 'utf8'), /\*\*Outcome:\*\* success/);
  const recorded = lastAttempt();
  assert.equal(recorded?.outcome, 'success');
  assert.equal(recorded?.path, 'fff');
  assert.deepEqual(recorded?.files, [firmware]);
  assert.match(recorded?.transcriptPath ?? '', new RegExp(`^${transcripts}`));
});
