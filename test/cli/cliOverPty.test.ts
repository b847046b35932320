import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SerialPortOpener } from '../../src/core/transport/serialTransport';
import { writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { serveModemOnTransport } from '../../src/sim/modem/serveModem';
import { openPtyPair, ptySkipReason } from '../support/ptyPair';
import { fileBytes, MiB } from '../support/engineRig';
import { jsonLines } from './cliHarness';

const skip = ptySkipReason();
const CLI = join(__dirname, '..', '..', 'src', 'cli', 'main.ts');

/** Runs the real CLI as a child process (through tsx, so no build is needed) and collects its output. */
function runCliProcess(args: string[], budgetMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not finish within ${budgetMs} ms\n${stderr}\n${stdout.slice(-3000)}`));
    }, budgetMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function upgradeOverPty(
  t: { after(fn: () => unknown): void },
  firmware: Parameters<typeof writeSyntheticFirmware>[1] & { name: string },
) {
  const dir = mkdtempSync(join(tmpdir(), 'cli-pty-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pty = await openPtyPair();
  t.after(() => pty.close());
  const deviceIo = await new SerialPortOpener().open(pty.devicePath, { baudRate: 921_600 });
  const served = serveModemOnTransport(deviceIo, { timeScale: 0.001, keepImageBytes: true, build: 38638 });
  t.after(() => served.stop());
  const file = join(dir, firmware.name);
  await writeSyntheticFirmware(file, firmware);
  const run = await runCliProcess(['upgrade', '--port', pty.hostPath, '--json', '--timeout-scale', '0.2', '--transcript-dir', dir, file], 60_000);
  return { run, file, modem: served.modem, events: jsonLines(run.stdout) };
}

test('CLI over a real pty: ON_THE_FLY full image, JSON events, stored byte for byte', { skip }, async (t) => {
  const { run, file, modem, events } = await upgradeOverPty(t, { name: 'CATM1-41065.dup', kind: 'full', network: 'CAT-M1', build: 41065, size: 4 * MiB + 2017 });
  assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
  const result = events.at(-1)!;
  assert.equal(result.kind, 'result');
  assert.equal(result.outcome, 'success');
  assert.ok(events.some((e) => e.kind === 'plan' && e.path === 'on-the-fly'));
  assert.deepEqual(modem.stored.at(-1)?.bytes, fileBytes(file));
  assert.equal(modem.build, 41065);
});

test('CLI over a real pty: FFF diff, JSON events, stored byte for byte', { skip }, async (t) => {
  const { run, file, modem, events } = await upgradeOverPty(t, { name: 'upgdiff_38638-to-41065.dup', kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 450_000 });
  assert.equal(run.code, 0, run.stderr + run.stdout.slice(-2000));
  assert.equal(events.at(-1)!.outcome, 'success');
  assert.ok(events.some((e) => e.kind === 'plan' && e.path === 'fff'));
  assert.deepEqual(modem.stored.at(-1)?.bytes, fileBytes(file));
  const after = events.find((e) => e.kind === 'modemInfo' && e.phase === 'after') as { report: { softwareBuild: number } } | undefined;
  assert.equal(after?.report.softwareBuild, 41065);
});

/** Starts the CLI as a long-running child and resolves once a stdout line matches `ready`. */
function startCliProcess(args: string[], ready: RegExp, budgetMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const isReady = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${budgetMs} ms: ${stderr}${stdout}`)), budgetMs);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (ready.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before ready: ${stderr}${stdout}`));
    });
  });
  return { child, isReady, exited, output: () => ({ stdout, stderr }) };
}

test('`sim --port` serves a modem on a pty until Ctrl-C; `info` reads it over the other end', { skip }, async (t) => {
  const pty = await openPtyPair();
  t.after(() => pty.close());
  const sim = startCliProcess(['sim', '--port', pty.devicePath, '--build', '39529', '--time-scale', '0.01'], /^ready: /m, 20_000);
  t.after(() => sim.child.kill('SIGKILL'));
  await sim.isReady;
  const info = await runCliProcess(['info', '--port', pty.hostPath, '--json'], 30_000);
  assert.equal(info.code, 0, info.stderr);
  const last = jsonLines(info.stdout).at(-1)!;
  assert.equal(last.state, 2);
  assert.equal((last.report as { softwareBuild: number }).softwareBuild, 39529);
  sim.child.kill('SIGINT');
  assert.equal(await sim.exited, 0, sim.output().stderr);
  assert.match(sim.output().stderr, /Cancelling/);
});
