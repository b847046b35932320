/**
 * The hardware lane against the simulated GPy served by `pycom-modem sim --board` on one
 * end of a socat pty pair: the same serial code path a real board gets, so the lane is
 * known to work before anyone plugs a board in.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, type as osType } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { listDir } from '../../src/core/board/boardFiles';
import { RawRepl } from '../../src/core/repl/rawRepl';
import { writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { Deadline } from '../../src/core/time/deadline';
import type { ByteTransport, PortOpener } from '../../src/core/transport/byteTransport';
import { bytesToLatin1, untilBytes } from '../../src/core/transport/framers';
import { SerialPortOpener } from '../../src/core/transport/serialTransport';
import { openPtyPair, ptySkipReason } from '../support/ptyPair';
import { laneConfigFromEnv, NO_PORT_SKIP_REASON, type LaneConfig } from './lane/laneConfig';
import { runLane } from './lane/runLane';

const skip = ptySkipReason();
const REPO = join(__dirname, '..', '..');
const CLI = join(REPO, 'src', 'cli', 'main.ts');
const ENTRY = join(__dirname, 'hardware.test.ts');
const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };

/** The simulated board boots an interpreter first: allow for a loaded machine. */
const SIM_READY_WITHIN_MS = 30_000;
/** A whole lane run on the simulator takes about a second; this bounds a hang, not the speed. */
const LANE_BUDGET_MS = 60_000;
const READ_ONLY_CHECKS = ['identify', 'modem-info', 'push', 'repl-round-trip'] as const;

/** Waits for a child to exit, with a deadline; resolves with its exit code. */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('close', (code) => resolve(code));
  });
}

/** A pty pair with `pycom-modem sim --board` on its device end; both are stopped after the test. */
async function simulatedBoardOnPty(t: TestContext, timeScale = '0.05'): Promise<{ portPath: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hardware-lane-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pty = await openPtyPair();
  t.after(() => pty.close());
  const sim = spawn(process.execPath, ['--import', 'tsx', CLI, 'sim', '--board', '--port', pty.devicePath, '--time-scale', timeScale], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = exitOf(sim);
  t.after(async () => {
    sim.kill('SIGINT');
    await exited;
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sim not ready within ${SIM_READY_WITHIN_MS} ms: ${output}`)), SIM_READY_WITHIN_MS);
    sim.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    sim.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (/^ready: /m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`sim exited before ready: ${output}`));
    });
  });
  return { portPath: pty.hostPath, dir };
}

function laneConfig(env: Record<string, string>): LaneConfig {
  const configured = laneConfigFromEnv(env, { cwd: process.cwd(), now: new Date() });
  assert.ok('config' in configured, JSON.stringify(configured));
  return configured.config;
}

/** The report's table row for a check says `status`. */
function assertRow(report: string, id: string, status: 'pass' | 'fail' | 'skip'): void {
  assert.match(report, new RegExp(`^\\| \`${id}\` \\|[^|]*\\| \\*\\*${status}\\*\\* \\|`, 'm'), `row ${id} should say ${status}`);
}

/**
 * Opens the port afresh (which fails as busy if the lane still held it: the port is
 * opened with an exclusive lock), checks the board answers Enter with a bare prompt,
 * and lists /flash for files the lane left behind.
 */
async function boardAfterwards(portPath: string): Promise<{ promptAnswer: string; laneFiles: string[] }> {
  const io: ByteTransport = await new SerialPortOpener().open(portPath, { baudRate: 115_200 });
  try {
    io.drain();
    await io.write(new Uint8Array([0x0d]));
    const promptAnswer = bytesToLatin1(await io.read(untilBytes('>>> '), { deadline: Deadline.in(3_000, 'the >>> prompt') }));
    const repl = await RawRepl.enter(io);
    const laneFiles = (await listDir(repl, '/flash')).map((e) => e.name).filter((name) => name.startsWith('pycom-modem-lane-'));
    await repl.exit();
    return { promptAnswer, laneFiles };
  } finally {
    await io.close();
  }
}

test('the lane passes on a simulated GPy behind a pty: identify, info(), push, REPL round trip; port released, board at >>>', { skip, timeout: LANE_BUDGET_MS }, async (t) => {
  const { portPath, dir } = await simulatedBoardOnPty(t);
  const config = laneConfig({ PYCOM_TEST_PORT: portPath, PYCOM_TEST_REPORT: join(dir, 'report.md') });
  const run = await runLane(config, { opener: new SerialPortOpener(), signal: new AbortController().signal });

  for (const id of READ_ONLY_CHECKS) assert.equal(run.results.find((r) => r.id === id)?.status, 'pass', JSON.stringify(run.results));
  assert.equal(run.results.find((r) => r.id === 'upgrade')?.status, 'skip');
  assert.match(run.results.find((r) => r.id === 'crash-dump')!.summary, /PYCOM_TEST_MIRROR/);
  assert.equal(run.isBoardInMirrorMode, false);

  const report = readFileSync(config.reportPath, 'utf8');
  for (const id of READ_ONLY_CHECKS) assertRow(report, id, 'pass');
  assertRow(report, 'upgrade', 'skip');
  assertRow(report, 'crash-dump', 'skip');
  assert.ok(report.includes(`pycom-modem-upgrader ${version}`), 'tool version');
  assert.ok(report.includes(osType()), 'OS');
  assert.ok(report.includes(`\`${portPath}\``), 'port');
  assert.match(report, /- Board: GPy \(GPy with ESP32\)/);
  // Whatever info() printed is in the report verbatim, line for line.
  const infoStdout = run.findings.infoOutput!.stdout;
  assert.ok(infoStdout.trim().length > 0, 'info() printed nothing');
  for (const line of infoStdout.split('\r\n').filter(Boolean)) assert.ok(report.includes(line), `report lacks info() line ${line}`);
  assert.match(report, /## Transcript \(last \d+ lines\)/);

  const transcript = readFileSync(config.transcriptPath, 'utf8');
  assert.match(transcript, /tx +"print\(1\+1\)\\r"/);
  assert.match(transcript, /lane finished; port released/);

  const after = await boardAfterwards(portPath);
  assert.equal(after.promptAnswer, '\r\n>>> ');
  assert.deepEqual(after.laneFiles, []);
});

test('Ctrl-C during the push: the check stops, the rest are skipped, the test file is gone, the port is released', { skip, timeout: LANE_BUDGET_MS }, async (t) => {
  const { portPath, dir } = await simulatedBoardOnPty(t);
  const config = laneConfig({ PYCOM_TEST_PORT: portPath, PYCOM_TEST_REPORT: join(dir, 'report.md') });
  const cancel = new AbortController();
  let isPushing = false;
  // Cancels once the push has put data on the wire, as a user's Ctrl-C half way would.
  const serial = new SerialPortOpener();
  const opener: PortOpener = {
    async open(path, settings, signal) {
      const io = await serial.open(path, settings, signal);
      io.onTap((tap) => {
        if (isPushing && tap.direction === 'tx' && tap.bytes.length >= 500 && !/[^A-Za-z0-9+/=\n]/.test(bytesToLatin1(tap.bytes))) cancel.abort(new Error('Ctrl-C'));
      });
      return io;
    },
  };
  const run = await runLane(config, {
    opener,
    signal: cancel.signal,
    onProgress: (p) => (isPushing = p.phase === 'start' && p.check.id === 'push'),
  });
  assert.ok(cancel.signal.aborted, 'the push never sent data');
  assert.equal(run.isCancelled, true);
  const pushResult = run.results.find((r) => r.id === 'push')!;
  assert.equal(pushResult.status, 'fail');
  assert.match(pushResult.summary, /cancelled \(Ctrl-C\) while running/);
  for (const id of ['repl-round-trip', 'upgrade', 'crash-dump']) {
    assert.match(run.results.find((r) => r.id === id)!.summary, /cancelled \(Ctrl-C\) before it ran/);
  }
  const report = readFileSync(config.reportPath, 'utf8');
  assert.match(report, /cancelled with Ctrl-C/);
  assertRow(report, 'push', 'fail');

  const after = await boardAfterwards(portPath);
  assert.equal(after.promptAnswer, '\r\n>>> ');
  assert.deepEqual(after.laneFiles, [], 'the test file or its .part was left on /flash');
});

test('PYCOM_TEST_MIRROR=1 reads the crash dump through mirror mode; the report says to unplug the board', { skip, timeout: LANE_BUDGET_MS }, async (t) => {
  const { portPath, dir } = await simulatedBoardOnPty(t);
  const config = laneConfig({ PYCOM_TEST_PORT: portPath, PYCOM_TEST_REPORT: join(dir, 'report.md'), PYCOM_TEST_MIRROR: '1' });
  const run = await runLane(config, { opener: new SerialPortOpener(), signal: new AbortController().signal });
  const crash = run.results.find((r) => r.id === 'crash-dump')!;
  assert.equal(crash.status, 'pass', crash.summary);
  assert.equal(run.isBoardInMirrorMode, true);
  const report = readFileSync(config.reportPath, 'utf8');
  assertRow(report, 'crash-dump', 'pass');
  assert.match(report, /## Modem crash dump/);
  assert.match(report, /left in mirror mode.*unplug the board/);
});

test('PYCOM_TEST_FIRMWARE runs the whole board upgrade after the read-only checks and records its outcome', { skip, timeout: LANE_BUDGET_MS }, async (t) => {
  const { portPath, dir } = await simulatedBoardOnPty(t, '0.002');
  const firmware = join(dir, 'upgdiff_38638-to-41065.dup');
  await writeSyntheticFirmware(firmware, { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 450_000 });
  const config = laneConfig({ PYCOM_TEST_PORT: portPath, PYCOM_TEST_REPORT: join(dir, 'report.md'), PYCOM_TEST_FIRMWARE: firmware, PYCOM_TEST_TIMEOUT_SCALE: '0.2' });
  const run = await runLane(config, { opener: new SerialPortOpener(), signal: new AbortController().signal });
  for (const id of READ_ONLY_CHECKS) assert.equal(run.results.find((r) => r.id === id)?.status, 'pass', JSON.stringify(run.results));
  const upgrade = run.results.find((r) => r.id === 'upgrade')!;
  assert.equal(upgrade.status, 'pass', upgrade.summary);
  assert.equal(run.findings.upgrade?.after?.softwareBuild, 41065);
  assert.equal(run.isBoardInMirrorMode, true);
  const report = readFileSync(config.reportPath, 'utf8');
  assertRow(report, 'upgrade', 'pass');
  assert.match(report, /- Outcome: \*\*success\*\*/);
  assert.match(report, /left in mirror mode/);
});

/** Runs the `test:hardware` entry as `npm run test:hardware` does. */
function runEntry(env: Record<string, string>, budgetMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Inside a test run this marks a child of the runner; the entry must run as a top-level `node --test`.
  delete childEnv.NODE_TEST_CONTEXT;
  for (const key of ['PYCOM_TEST_PORT', 'PYCOM_TEST_MIRROR', 'PYCOM_TEST_FIRMWARE', 'PYCOM_TEST_UPDATER']) if (!(key in env)) delete childEnv[key];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', ENTRY], { cwd: REPO, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the entry did not finish within ${budgetMs} ms\n${stderr}\n${stdout}`));
    }, budgetMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('the test:hardware entry runs the lane when PYCOM_TEST_PORT names the board, and writes the report there', { skip, timeout: LANE_BUDGET_MS }, async (t) => {
  const { portPath, dir } = await simulatedBoardOnPty(t);
  const reportPath = join(dir, 'entry-report.md');
  const run = await runEntry({ PYCOM_TEST_PORT: portPath, PYCOM_TEST_REPORT: reportPath }, LANE_BUDGET_MS);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^# skipped 2$/m);
  assert.match(run.stdout, /^# fail 0$/m);
  const report = readFileSync(reportPath, 'utf8');
  for (const id of READ_ONLY_CHECKS) assertRow(report, id, 'pass');
  assert.ok(existsSync(join(dir, 'entry-report.transcript.log')));
});

test('the test:hardware entry without PYCOM_TEST_PORT is skipped, says why, and exits 0', { timeout: LANE_BUDGET_MS }, async () => {
  const run = await runEntry({}, LANE_BUDGET_MS);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.ok(run.stdout.includes(NO_PORT_SKIP_REASON), run.stdout);
  assert.match(run.stdout, /# SKIP no PYCOM_TEST_PORT/);
});
