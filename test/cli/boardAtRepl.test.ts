import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import type { SimulatedGpy } from '../../src/sim/simulatedGpy';
import { writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { Captured, jsonLines } from './cliHarness';
import { boardsAtRepl, REPL_FOUND_WITHIN_MS } from '../support/boardAtRepl';

const { dir, boardAtRepl } = boardsAtRepl('cli-board-at-repl-');
/** Shorter probes for the tests that are not about the timing. */
const FAST = ['--timeout-scale', '0.25'];

/** A CLI run; `answer` is typed at a terminal prompt (no prompt without it). */
async function cli(gpy: SimulatedGpy, argv: string[], answer?: string) {
  const stdout = new Captured();
  const stderr = new Captured();
  const code = await runCli(argv, {
    stdout,
    stderr,
    isTTY: false,
    canPrompt: answer !== undefined,
    ...(answer !== undefined ? { stdin: Readable.from([answer]) } : {}),
    env: {},
    signal: new AbortController().signal,
    opener: gpy.registry,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

test('info on a board at its REPL: fails within seconds, names the REPL and the commands that help, exit 1', async () => {
  const gpy = await boardAtRepl('cli-info-repl');
  const started = performance.now();
  const run = await cli(gpy, ['info', '--port', gpy.portPath]);
  const tookMs = performance.now() - started;
  assert.equal(run.code, 1, run.stderr);
  assert.ok(tookMs < REPL_FOUND_WITHIN_MS, `took ${Math.round(tookMs)} ms`);
  assert.match(run.stderr, /^Error \(during: detect\): sim:cli-info-repl is the board's MicroPython REPL, not the modem/m);
  assert.match(run.stderr, /The modem answers on this port only in mirror mode\./);
  assert.match(run.stderr, /`pycom-modem info --port sim:cli-info-repl --via-board`/);
  assert.match(run.stderr, /`pycom-modem board upgrade --port sim:cli-info-repl FILE\.dup`/);
  assert.match(run.stderr, /unplug the board and plug it back in/);
  assert.equal(gpy.board.state, 'repl');
});

test('info --json carries the code; no question is asked of a script', async () => {
  const gpy = await boardAtRepl('cli-info-json');
  const run = await cli(gpy, ['info', '--port', gpy.portPath, '--json', ...FAST], 'y\n');
  assert.equal(run.code, 1);
  const last = jsonLines(run.stdout).at(-1)!;
  assert.equal(last.kind, 'error');
  assert.equal((last.error as { code: string }).code, 'board-at-repl');
  assert.match((last.error as { action: string }).action, /--via-board/);
  assert.equal(gpy.board.state, 'repl');
});

test("info --via-board asks the board's own sqnsupgrade.info(): the modem is read and the board stays at its REPL", async () => {
  const gpy = await boardAtRepl('cli-via-board');
  const run = await cli(gpy, ['info', '--port', gpy.portPath, '--via-board', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const lines = jsonLines(run.stdout);
  const info = lines.find((l) => l.kind === 'info')! as { state?: number; source?: string; isBoardInMirrorMode?: boolean; report?: { softwareBuild?: number; imei?: string } };
  assert.equal(info.state, 2);
  assert.equal(info.source, 'board-updater');
  assert.equal(info.isBoardInMirrorMode, undefined);
  assert.equal(info.report?.softwareBuild, gpy.modem.build);
  assert.match(info.report?.imei ?? '', /^\d{15}$/);
  assert.ok(lines.some((l) => l.kind === 'boardOutput' && /Your modem is in application mode/.test(String(l.line))));
  assert.ok(!lines.some((l) => l.kind === 'boardOutput' && /Going into MIRROR mode/.test(String(l.line))));
  assert.match(run.stderr, /the board stays at its REPL/);
  assert.doesNotMatch(run.stderr, /unplug/);
  assert.equal(gpy.board.state, 'repl');
});

test("info --via-board falls back to mirror mode only when the board's updater cannot tell; a silent modem then stops the board's updater before mirroring", async () => {
  const gpy = await boardAtRepl('cli-via-board-silent', { modem: { faults: ['silent'] } });
  const run = await cli(gpy, ['info', '--port', gpy.portPath, '--via-board', '--json']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /could not tell the modem's state; reading it in mirror mode instead/);
  const lines = jsonLines(run.stdout);
  assert.ok(lines.some((l) => l.kind === 'boardOutput' && /Cannot determine modem state!/.test(String(l.line))));
  assert.ok(lines.some((l) => l.kind === 'boardOutput' && /Could not detect your modem!/.test(String(l.line))));
  // The board's updater printed its message and returned: the board is still at its REPL.
  assert.equal(gpy.board.state, 'repl');
});

test('crashdump on a board at its REPL offers mirror mode on a terminal; "y" reads the dump through the board', async () => {
  const gpy = await boardAtRepl('cli-crashdump-offer');
  const run = await cli(gpy, ['crashdump', '--port', gpy.portPath, ...FAST], 'y\n');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /The board on sim:cli-crashdump-offer is at its Python REPL\. Put it in mirror mode to read the modem\?/);
  assert.match(run.stdout, /Modem crash dump \(firmware /);
  assert.match(run.stderr, /unplug the board and plug it back in/);
  assert.equal(gpy.board.state, 'mirror');
});

test('crashdump: "no" at the offer leaves the board at its REPL and ends with the advice', async () => {
  const gpy = await boardAtRepl('cli-crashdump-no');
  const run = await cli(gpy, ['crashdump', '--port', gpy.portPath, ...FAST], 'n\n');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /`pycom-modem crashdump --port sim:cli-crashdump-no --via-board`/);
  assert.equal(gpy.board.state, 'repl');
});

test('check --port on a board at its REPL reports the same finding and code', async () => {
  const gpy = await boardAtRepl('cli-check-repl');
  const file = join(dir, 'CATM1-41065.dup');
  await writeSyntheticFirmware(file, { kind: 'full', network: 'CAT-M1', build: 41065, size: 5_000_000 });
  const run = await cli(gpy, ['check', '--port', gpy.portPath, '--json', ...FAST, file]);
  assert.equal(run.code, 1);
  const last = jsonLines(run.stdout).at(-1)!;
  assert.equal((last.error as { code: string }).code, 'board-at-repl');
  assert.match((last.error as { action: string }).action, /`pycom-modem check --port sim:cli-check-repl --via-board FILE\.dup`/);

  const viaBoard = await cli(gpy, ['check', '--port', gpy.portPath, '--via-board', file]);
  assert.equal(viaBoard.code, 0, viaBoard.stderr);
  assert.match(viaBoard.stdout, /^Modem on sim:cli-check-repl: state 2/m);
});
