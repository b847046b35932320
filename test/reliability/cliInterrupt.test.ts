// Issue 10, Ctrl-C in the CLI: `pycom-modem demo` interrupted mid-transfer exits 1 after
// saying where the modem stands; a second Ctrl-C quits at once with 130. The CLI is
// bundled like scripts/build.mjs bundles dist/cli.js, into node_modules/.cache so that
// its externals resolve and other helpers' dist/ is left alone.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, test } from 'node:test';
import * as esbuild from 'esbuild';

const repoRoot = resolve(__dirname, '../..');
const cliPath = join(repoRoot, 'node_modules/.cache/reliability-cli/cli.js');
/** The demo's whole run takes ~5 s at its default time scale; a run that never ends is a failure, not a wait. */
const RUN_LIMIT_MS = 60_000;
/** Cancel within one second of the blocking read, plus the process tearing down the simulated GPy. */
const EXIT_AFTER_INTERRUPT_MS = 3_000;

before(async () => {
  mkdirSync(join(repoRoot, 'node_modules/.cache/reliability-cli'), { recursive: true });
  await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: cliPath,
    external: ['vscode', 'serialport', '@serialport/*', '@micropython/micropython-webassembly-pyscript', '@micropython/micropython-webassembly-pyscript/*'],
    logLevel: 'warning',
  });
});

interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
  /** ms from the first SIGINT to the exit. */
  exitAfterMs: number;
}

/** Runs the demo and sends `interrupts` SIGINTs once the transfer passed 20 %. */
function interruptDemo(interrupts: 1 | 2): Promise<Interrupted> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cliPath, 'demo'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let interruptedAtMs = 0;
    const limit = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not end within ${RUN_LIMIT_MS} ms:\n${stdout.slice(-2000)}\n${stderr}`));
    }, RUN_LIMIT_MS);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (interruptedAtMs === 0 && /\.dup:\s+[2-9]\d\.\d %/.test(stdout)) {
        interruptedAtMs = performance.now();
        child.kill('SIGINT');
      }
    });
    let hasSentSecond = false;
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      // Signals sent back to back can merge into one: the second goes once the first was taken.
      if (interrupts === 2 && !hasSentSecond && /Cancelling/.test(stderr)) {
        hasSentSecond = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(limit);
      resolvePromise({ code, stdout, stderr, exitAfterMs: interruptedAtMs ? performance.now() - interruptedAtMs : -1 });
    });
  });
}

test('Ctrl-C mid-transfer: the demo cancels, says the modem is in upgrade mode and how to resume, exits 1', async (t) => {
  const run = await interruptDemo(1);
  t.diagnostic(`exited ${run.code} ${Math.round(run.exitAfterMs)} ms after Ctrl-C`);
  assert.ok(run.exitAfterMs > 0, `the transfer was reached:\n${run.stdout.slice(-1500)}`);
  assert.equal(run.code, 1, run.stdout.slice(-1500) + run.stderr);
  assert.ok(run.exitAfterMs < EXIT_AFTER_INTERRUPT_MS, `exited ${Math.round(run.exitAfterMs)} ms after Ctrl-C`);
  assert.match(run.stderr, /Cancelling/);
  const all = run.stdout + run.stderr;
  assert.match(all, /cancel/i);
  // Where the modem stands: the ON_THE_FLY transfer was interrupted, the modem stays in upgrade mode.
  assert.match(all, /upgrade mode/);
  assert.match(all, /run the same upgrade again|resume/i);
});

test('a second Ctrl-C quits at once: 130, or 1 when the cancel had already finished', async (t) => {
  const run = await interruptDemo(2);
  t.diagnostic(`exited ${run.code} ${Math.round(run.exitAfterMs)} ms after the first Ctrl-C`);
  assert.ok(run.code === 130 || run.code === 1, `exit code ${run.code}: ${run.stderr}`);
  assert.ok(run.exitAfterMs > 0 && run.exitAfterMs < EXIT_AFTER_INTERRUPT_MS);
});
