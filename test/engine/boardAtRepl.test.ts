import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SimulatedGpy } from '../../src/sim/simulatedGpy';
import { writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { UpgradeEngine } from '../../src/core/engine/upgradeEngine';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { BoardAtReplError } from '../../src/core/engine/upgradeErrors';
import { REPL_LINE } from '../../src/core/board/fullUpgrade';
import { withModemViaBoard } from '../../src/core/board/modemViaBoard';
import { RawRepl } from '../../src/core/repl/rawRepl';
import { PortOwner } from '../../src/core/transport/portOwner';
import { boardsAtRepl, REPL_FOUND_WITHIN_MS } from '../support/boardAtRepl';
import { withCliActions } from '../../src/cli/userActionText';

const { dir, boardAtRepl } = boardsAtRepl('board-at-repl-');

/** Runs code in the board's raw REPL and leaves it at its friendly prompt again. */
async function execOnBoard(gpy: SimulatedGpy, code: string): Promise<string> {
  const io = await gpy.registry.open(gpy.portPath, REPL_LINE);
  try {
    const repl = await RawRepl.enter(io);
    const stdout = await repl.execOrThrow(code, { context: 'test' });
    await repl.exit();
    return stdout;
  } finally {
    await io.close();
  }
}

test('info on a board at its REPL stops at the first answer with board-at-repl, and leaves the REPL as it was', async () => {
  const gpy = await boardAtRepl('info-at-repl');
  // A soft reboot (Ctrl-D) or a reset would forget this.
  await execOnBoard(gpy, 'marker = 42');
  const engine = new UpgradeEngine();
  const events: UpgradeEvent[] = [];
  engine.events.on((e) => events.push(e));

  const started = performance.now();
  const error = await engine.info({ port: new PortOwner(gpy.registry, gpy.portPath) }).then(
    () => assert.fail('info must not succeed on a REPL'),
    (e: unknown) => e,
  );
  const tookMs = performance.now() - started;

  assert.ok(error instanceof BoardAtReplError, String(error));
  assert.equal(error.code, 'board-at-repl');
  assert.equal(error.step, 'detect');
  assert.equal(error.sighting.kind, 'python-error');
  assert.match(error.message, /sim:info-at-repl is the board's MicroPython REPL, not the modem/);
  assert.match(error.message, /NameError: name 'AT' isn't defined/);
  assert.match(error.message, /only in mirror mode/);
  // Core says it in words; the CLI adds the command lines.
  assert.doesNotMatch(error.action, /--|pycom-modem /);
  const shown = withCliActions(error.action, error.actions);
  assert.match(shown, /`pycom-modem board upgrade --port sim:info-at-repl FILE\.dup`/);
  assert.match(shown, /`pycom-modem info --port sim:info-at-repl --via-board`/);
  assert.match(shown, /unplug the board and plug it back in/);
  assert.ok(tookMs < REPL_FOUND_WITHIN_MS, `took ${Math.round(tookMs)} ms`);

  // Nothing but AT probes was sent, and none after the REPL answered.
  const sent = events.flatMap((e) => (e.kind === 'at' ? [e.command] : []));
  assert.ok(sent.length > 0 && sent.every((command) => command === 'AT'), sent.join(', '));
  const switched = events.findIndex((e) => e.kind === 'log' && /trying 115200 baud/.test(e.message));
  assert.equal(events.slice(switched).filter((e) => e.kind === 'at').length, 1, 'one probe at the REPL speed');
  assert.equal(gpy.board.state, 'repl');
  assert.equal((await execOnBoard(gpy, 'print(marker)')).trim(), '42', 'the same REPL session, not rebooted');
});

test('the host-side upgrade on a board at its REPL fails the same way and asks the REPL nothing more (no state, no crash dump)', async () => {
  const gpy = await boardAtRepl('upgrade-at-repl');
  const file = join(dir, 'upgdiff_38638-to-41065.dup');
  await writeSyntheticFirmware(file, { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 200_000 });
  const engine = new UpgradeEngine();
  const events: UpgradeEvent[] = [];
  engine.events.on((e) => events.push(e));

  const outcome = await engine.upgrade({ port: new PortOwner(gpy.registry, gpy.portPath), files: [file] });

  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'board-at-repl');
  assert.equal(outcome.diagnosis?.cause, 'board-at-repl');
  assert.match(outcome.diagnosis!.title, /sim:upgrade-at-repl is the board's Python REPL, not the modem/);
  assert.equal(outcome.crashDump, undefined);
  assert.match(outcome.resumeHint ?? '', /still at its REPL/);
  assert.doesNotMatch(outcome.resumeHint ?? '', /at any time/);
  const sent = events.flatMap((e) => (e.kind === 'at' ? [e.command] : []));
  assert.ok(sent.every((command) => command === 'AT'), `only AT probes: ${sent.join(', ')}`);
  // After the REPL answered, the engine does not even try to wake the modem for its state.
  const found = events.findIndex((e) => e.kind === 'log' && /answered like a MicroPython REPL/.test(e.message));
  assert.ok(found !== -1);
  const afterwards = events.slice(found + 1).filter((e) => e.kind === 'at' || (e.kind === 'log' && /after the failure/.test(e.message)));
  assert.deepEqual(afterwards, []);
  assert.equal(gpy.board.state, 'repl');
});

test('via the board: mirror mode is started on the same port and the modem is read through it', async () => {
  const gpy = await boardAtRepl('info-via-board');
  const engine = new UpgradeEngine();
  const events: UpgradeEvent[] = [];
  engine.events.on((e) => events.push(e));

  const info = await withModemViaBoard({ port: new PortOwner(gpy.registry, gpy.portPath), events: engine.events }, new AbortController().signal, (modem) =>
    engine.info({ port: modem }),
  );

  assert.equal(info.state, 2);
  assert.equal(info.report.softwareBuild, 38638);
  assert.equal(info.baudRate, 921_600);
  const boardSteps = events.flatMap((e) => (e.kind === 'step' && e.phase === 'done' ? [e.step] : []));
  assert.deepEqual(boardSteps.slice(0, 4), ['board-connect', 'board-identify', 'trigger', 'mirror-handover']);
  assert.ok(events.some((e) => e.kind === 'boardOutput' && /Going into MIRROR mode/.test(e.line)));
  // The normal method only: nothing was prepared or sent for an upgrade.
  const sent = events.flatMap((e) => (e.kind === 'at' ? [e.command] : []));
  assert.ok(!sent.some((command) => /SMSWBOOT|SMSTPU|SQNSUPGRADENTF|CFUN/.test(command)), sent.join(', '));
  assert.equal(gpy.modem.state, 2);
  assert.equal(gpy.board.state, 'mirror', 'mirror mode has no exit');
});

test('via the board on a board without sqnsupgrade: a typed error at board-identify, the board left at its REPL', async () => {
  const gpy = await boardAtRepl('no-sqnsupgrade', { board: { hasSqnsupgrade: false } });
  const engine = new UpgradeEngine();
  await assert.rejects(
    withModemViaBoard({ port: new PortOwner(gpy.registry, gpy.portPath), events: engine.events }, new AbortController().signal, () =>
      assert.fail('the modem is not reached'),
    ),
    (error: { code?: string; step?: string }) => error.code === 'sqnsupgrade-missing' && error.step === 'board-identify',
  );
  assert.equal(gpy.board.state, 'repl');
});
