import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PortOpenerByPath } from '../../src/core/transport/portOpenerByPath';
import { LAST_ATTEMPT_FILE, portAttemptPath, readLastAttempt } from '../../src/core/engine/lastAttempt';
import type { SerialPortInfo } from '../../src/core/transport/portList';
import { writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { createSimulatedGpy, type SimulatedGpy, type SimulatedGpyOptions } from '../../src/sim/simulatedGpy';
import { jsonLines, runInProcess } from './cliHarness';

const dir = mkdtempSync(join(tmpdir(), 'fleet-cli-'));
const gpys: SimulatedGpy[] = [];
after(async () => {
  for (const gpy of gpys) await gpy.stop();
  rmSync(dir, { recursive: true, force: true });
});

const FROM_BUILD = 38638;
const TO_BUILD = 41065;
/** Another build than the diff's from-build: that board's preflight refuses the diff. */
const OTHER_BUILD = 39529;

/**
 * Three GPys behind one opener: one that succeeds, one on another build, and one whose
 * modem crashes mid-transfer (or, with `crashing: false`, a second good one).
 */
async function bench(name: string, options: { crashing: boolean } = { crashing: true }): Promise<{ good: SimulatedGpy; crashing: SimulatedGpy; other: SimulatedGpy; opener: PortOpenerByPath; ports: string[] }> {
  const make = async (index: number, modem: SimulatedGpyOptions['modem']) => {
    const gpy = await createSimulatedGpy({ portPath: `sim:GPy#${index}-${name}`, timeScale: 0.005, modem: { timeScale: 0.001, keepImageBytes: false, ...modem } });
    gpys.push(gpy);
    return gpy;
  };
  const good = await make(1, { build: FROM_BUILD });
  const crashing = await make(2, { build: FROM_BUILD, ...(options.crashing ? { faults: ['crash-mid-transfer' as const] } : {}) });
  const other = await make(3, { build: OTHER_BUILD });
  const opener = new PortOpenerByPath([good, crashing, other].map((g) => [g.portPath, g.registry] as const));
  return { good, crashing, other, opener, ports: [good.portPath, crashing.portPath, other.portPath] };
}

async function diffFile(): Promise<string> {
  const file = join(dir, `upgdiff_${FROM_BUILD}-to-${TO_BUILD}.dup`);
  await writeSyntheticFirmware(file, { kind: 'diff', network: 'CAT-M1', fromBuild: FROM_BUILD, build: TO_BUILD, size: 600_000 });
  return file;
}

const portArgs = (ports: string[]) => ports.flatMap((port) => ['--port', port]);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('three boards at once: one fails mid-transfer, one is skipped by its preflight, one succeeds undisturbed; table, report, exit 1', async () => {
  const rig = await bench('text');
  const file = await diffFile();
  const report = join(dir, 'fleet.md');
  const transcripts = mkdtempSync(join(dir, 'transcripts-'));
  // The crash is seen after the modem's silence budget (75 min real): scaled down hard.
  const run = await runInProcess(['board', 'upgrade', ...portArgs(rig.ports), '--timeout-scale', '0.005', '--transcript-dir', transcripts, '--report', report, file], {
    opener: rig.opener,
  });
  assert.equal(run.code, 1, run.stdout.slice(-3000) + run.stderr);
  assert.equal(rig.good.modem.build, TO_BUILD, 'the good board was upgraded');
  assert.notEqual(rig.crashing.modem.build, TO_BUILD);
  assert.equal(rig.other.modem.build, OTHER_BUILD, 'the skipped board was not changed');

  // Piped: each board's lines carry its port.
  assert.match(run.stdout, new RegExp(`^${escape(rig.good.portPath)} +\\| .*Upgrade finished`, 'm'));
  assert.match(run.stdout, new RegExp(`^${escape(rig.crashing.portPath)} +\\| Upgrade failed`, 'm'));
  // The table: port, IMEI, build before → after, result, time, transcript.
  assert.match(run.stdout, /^Port +IMEI +Build +Result +Time +Transcript$/m);
  assert.match(run.stdout, new RegExp(`^${escape(rig.good.portPath)} +\\d{15} +${FROM_BUILD} → ${TO_BUILD} +success +\\d+:\\d\\d +${escape(transcripts)}\\S+\\.log$`, 'm'));
  assert.match(run.stdout, new RegExp(`^${escape(rig.crashing.portPath)} +\\d{15} +${FROM_BUILD}(?: → \\S+)? +failed `, 'm'));
  assert.match(run.stdout, new RegExp(`^${escape(rig.other.portPath)} +\\d{15} +${OTHER_BUILD} +skipped `, 'm'));
  assert.match(run.stdout, /^3 boards: 1 success, 1 failed, 1 skipped\.$/m);
  assert.match(run.stdout, new RegExp(`^  ${escape(rig.other.portPath)}: skipped: Refused before anything changed: .*${OTHER_BUILD}`, 'm'));

  const markdown = readFileSync(report, 'utf8');
  for (const [port, result] of [
    [rig.good.portPath, 'success'],
    [rig.crashing.portPath, 'failed'],
    [rig.other.portPath, 'skipped'],
  ] as const) {
    assert.match(markdown, new RegExp(`^## ${escape(port).replace(/#/g, '\\\\#')}: ${result}$`, 'm'), `a section for ${port}`);
  }
  assert.equal(markdown.match(/^### Pycom LTE modem upgrade report$/gm)?.length, 3, 'each board its own report, one level down');

  // Each board its own last-attempt record; the skipped one changed nothing and leaves none.
  assert.equal((await readLastAttempt(transcripts, rig.good.portPath))?.outcome, 'success');
  const crashed = await readLastAttempt(transcripts, rig.crashing.portPath);
  assert.equal(crashed?.portPath, rig.crashing.portPath);
  assert.equal(crashed?.outcome, 'failed');
  assert.deepEqual(crashed?.files, [file]);
  assert.equal(existsSync(portAttemptPath(transcripts, rig.other.portPath)), false, 'a refused board leaves no record');
  assert.equal(existsSync(join(transcripts, LAST_ATTEMPT_FILE)), false, 'the shared record is left to single-board runs');
});

test('--json: every event carries its port; --max-parallel 1 runs one board at a time', async () => {
  const rig = await bench('json', { crashing: false });
  const file = await diffFile();
  const run = await runInProcess(['board', 'upgrade', ...portArgs(rig.ports), '--json', '--max-parallel', '1', '--timeout-scale', '0.02', '--transcript-dir', dir, file], {
    opener: rig.opener,
  });
  assert.equal(run.code, 0, run.stdout.slice(-3000) + run.stderr);
  const lines = jsonLines(run.stdout);
  assert.ok(lines.length > 30);
  for (const line of lines) assert.ok(rig.ports.includes(String(line.port)), `a port on ${JSON.stringify(line).slice(0, 200)}`);

  // Each board's span, from its first event to its last: with one at a time, no two overlap.
  const spans = rig.ports.map((port) => {
    const times = lines.filter((l) => l.port === port && typeof l.atMs === 'number').map((l) => l.atMs as number);
    return { port, start: Math.min(...times), end: Math.max(...times) };
  });
  const transfers = lines.filter((l) => l.kind === 'progress' && l.step === 'transfer');
  assert.equal(new Set(transfers.map((l) => l.port)).size, 2, 'both good boards sent their firmware');
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i]!.start >= spans[i - 1]!.end, `${spans[i]!.port} started after ${spans[i - 1]!.port} ended`);

  const results = Object.fromEntries(lines.filter((l) => l.kind === 'fleetBoard').map((l) => [l.port, l.result]));
  assert.deepEqual(results, { [rig.good.portPath]: 'success', [rig.crashing.portPath]: 'success', [rig.other.portPath]: 'skipped' });
});

test('without --yes a board whose checks only warn is skipped as "needs --yes"; all skipped exits 2', async () => {
  const gpy = await createSimulatedGpy({ portPath: 'sim:GPy#warn', timeScale: 0.005, modem: { timeScale: 0.001, build: FROM_BUILD } });
  gpys.push(gpy);
  const second = await createSimulatedGpy({ portPath: 'sim:GPy#warn2', timeScale: 0.005, modem: { timeScale: 0.001, build: FROM_BUILD } });
  gpys.push(second);
  // A file name the rules do not know is a warning, not a failure.
  const file = join(dir, 'modem-firmware.dup');
  await writeSyntheticFirmware(file, { kind: 'full', network: 'CAT-M1', build: TO_BUILD, size: 300_000 });
  const opener = new PortOpenerByPath([gpy, second].map((g) => [g.portPath, g.registry] as const));
  const run = await runInProcess(['board', 'upgrade', ...portArgs([gpy.portPath, second.portPath]), '--timeout-scale', '0.02', '--transcript-dir', dir, file], { opener });
  assert.equal(run.code, 2, run.stdout.slice(-3000) + run.stderr);
  assert.match(run.stdout, new RegExp(`^  ${escape(gpy.portPath)}: skipped: needs --yes`, 'm'));
  assert.equal(gpy.modem.build, FROM_BUILD);
});

test('board actions other than upgrade take one --port', async () => {
  const run = await runInProcess(['board', 'info', '--port', 'a', '--port', 'b']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--port was given 2 times; this action takes one/);
});

/** What the system's port list would say of these boards, with a non-Pycom port among them. */
function listedAs(boards: SimulatedGpy[]): () => Promise<SerialPortInfo[]> {
  const pycom = boards.map((gpy) => ({ path: gpy.portPath, vendorId: '04d8', productId: 'ef98', board: 'Expansion Board 3.x', isLikelyPycom: true, description: `${gpy.portPath} Expansion Board 3.x` }));
  const other: SerialPortInfo = { path: '/dev/ttyS0', isLikelyPycom: false, description: '/dev/ttyS0' };
  return () => Promise.resolve([...pycom, other]);
}

test('--all --yes upgrades every Pycom board the port list finds, and leaves the other port alone', async () => {
  const boards = await Promise.all(
    ['a', 'b'].map(async (name) => {
      const gpy = await createSimulatedGpy({ portPath: `sim:GPy#all-${name}`, timeScale: 0.005, modem: { timeScale: 0.001, keepImageBytes: false, build: FROM_BUILD } });
      gpys.push(gpy);
      return gpy;
    }),
  );
  const file = await diffFile();
  // The non-Pycom port is not in the opener: were it opened, its board would fail.
  const opener = new PortOpenerByPath(boards.map((g) => [g.portPath, g.registry] as const));
  const run = await runInProcess(['board', 'upgrade', '--all', '--yes', '--json', '--timeout-scale', '0.02', '--transcript-dir', dir, file], { opener, listPorts: listedAs(boards) });
  assert.equal(run.code, 0, run.stdout.slice(-3000) + run.stderr);
  for (const gpy of boards) assert.equal(gpy.modem.build, TO_BUILD, `${gpy.portPath} was upgraded`);
  const results = Object.fromEntries(jsonLines(run.stdout).filter((l) => l.kind === 'fleetBoard').map((l) => [l.port, l.result]));
  assert.deepEqual(results, Object.fromEntries(boards.map((g) => [g.portPath, 'success'])));
});

test('--all without a terminal to confirm needs --yes; with no Pycom board found it says how to look', async () => {
  const gpy = await createSimulatedGpy({ portPath: 'sim:GPy#all-unconfirmed', timeScale: 0.005, modem: { timeScale: 0.001, build: FROM_BUILD } });
  gpys.push(gpy);
  const file = await diffFile();
  const opener = new PortOpenerByPath([[gpy.portPath, gpy.registry] as const]);
  const unconfirmed = await runInProcess(['board', 'upgrade', '--all', file], { opener, listPorts: listedAs([gpy]) });
  assert.equal(unconfirmed.code, 2);
  assert.match(unconfirmed.stderr, new RegExp(`found ${escape(gpy.portPath)}; without a terminal to confirm, it needs --yes`));
  assert.equal(gpy.modem.build, FROM_BUILD, 'nothing was changed');

  const none = await runInProcess(['board', 'upgrade', '--all', '--yes', file], { opener, listPorts: listedAs([]) });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no Pycom board found/);
  assert.match(none.stderr, /pycom-modem ports/);
});
