import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createSimulatedGpy, type SimulatedGpy } from '../../src/sim/simulatedGpy';
import { makeSyntheticUpdaterElf, writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { UpgradeEngine } from '../../src/core/engine/upgradeEngine';
import type { UpgradeEvent } from '../../src/core/engine/upgradeEvents';
import { runFullUpgrade } from '../../src/core/board/fullUpgrade';
import { MemoryLink, MemoryPortRegistry } from '../../src/core/transport/memoryLink';
import { PortOwner } from '../../src/core/transport/portOwner';
import { BOARD_TEST_TIMEOUTS } from './support/boardTestTimeouts';

const dir = mkdtempSync(join(tmpdir(), 'full-upgrade-'));
const gpys: SimulatedGpy[] = [];
after(async () => {
  for (const gpy of gpys) await gpy.stop();
  rmSync(dir, { recursive: true, force: true });
});

const MODEM_TIME_SCALE = 0.001;
const TIMEOUTS = BOARD_TEST_TIMEOUTS;

async function rig(name: string, options: Parameters<typeof createSimulatedGpy>[0] = {}) {
  const gpy = await createSimulatedGpy({
    portPath: `sim:${name}`,
    timeScale: MODEM_TIME_SCALE,
    ...options,
    board: { timeScale: 0.005, ...options.board },
    modem: { timeScale: MODEM_TIME_SCALE, keepImageBytes: false, ...options.modem },
  });
  gpys.push(gpy);
  const engine = new UpgradeEngine();
  const events: UpgradeEvent[] = [];
  engine.events.on((e) => events.push(e));
  return { gpy, engine, events };
}

/** A valid file for tests that stop before the modem: the files are checked before the port opens. */
async function someFirmware(): Promise<string> {
  mkdirSync(join(dir, 'any'), { recursive: true });
  const file = join(dir, 'any', 'CATM1-41065.dup');
  await writeSyntheticFirmware(file, { kind: 'full', network: 'CAT-M1', build: 41065, size: 4_500_000 });
  return file;
}

const boardSteps = (events: UpgradeEvent[]) =>
  events.flatMap((e) =>
    // Waiting reports repeat as long as a wait lasts: their count depends on the clock.
    e.kind === 'step' && e.phase !== 'waiting' && ['board-connect', 'board-identify', 'board-modem-read', 'preflight', 'push-files', 'trigger', 'mirror-handover'].includes(e.step)
      ? [`${e.step}:${e.phase}`]
      : [],
  );

test('normal method: board half then engine on the same handle; the diff is applied; the port is released', async () => {
  const { gpy, engine, events } = await rig('full-fff');
  const file = join(dir, 'upgdiff_38638-to-41065.dup');
  await writeSyntheticFirmware(file, { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 600_000 });
  const transcriptDir = join(dir, 'transcripts-fff');
  const outcome = await runFullUpgrade({ port: new PortOwner(gpy.registry, gpy.portPath), files: [file], timeouts: TIMEOUTS, transcriptDir }, { engine });
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  assert.equal(outcome.after?.softwareBuild, 41065);
  // One transcript for both halves: board steps, then the engine's, each line once.
  assert.deepEqual(readdirSync(transcriptDir), [basename(outcome.transcriptPath!)]);
  const transcript = readFileSync(outcome.transcriptPath!, 'utf8').trimEnd().split('\n');
  const connectAt = transcript.findIndex((l) => l.includes('STEP board-connect start'));
  const detectAt = transcript.findIndex((l) => l.includes('STEP detect start'));
  assert.ok(connectAt >= 0 && detectAt > connectAt, 'board steps before the host steps');
  assert.equal(transcript.filter((l) => l.includes('STEP detect start')).length, 1, 'written once');
  assert.match(transcript.at(-1)!, / (RESULT|RESUME) /);
  assert.deepEqual(boardSteps(events), [
    'board-connect:start', 'board-connect:done', 'board-identify:start', 'board-identify:done',
    'board-modem-read:start', 'board-modem-read:done', 'preflight:start', 'preflight:done',
    'push-files:skip', 'trigger:start', 'trigger:done', 'mirror-handover:start', 'mirror-handover:done',
  ]);
  const lines = events.flatMap((e) => (e.kind === 'boardOutput' ? [e.line] : []));
  assert.match(lines[0]!, /Welcome to the SQN3330 firmware updater/);
  assert.match(lines.at(-1)!, /Going into MIRROR mode/);
  // The host half came after the hand-over, on the same port.
  const handover = events.findIndex((e) => e.kind === 'step' && e.step === 'mirror-handover' && e.phase === 'done');
  const detect = events.findIndex((e) => e.kind === 'step' && e.step === 'detect' && e.phase === 'start');
  assert.ok(handover >= 0 && detect > handover);
  assert.equal(gpy.boardLink.isOpen('host'), false, 'port released');
  assert.equal(gpy.board.stats.ctrlFReceived, 0);
});

test("FFH method: updater.elf is pushed with progress, the board's updater rewrites the old bootrom and loads updater.elf, the host resumes with the full image", async (t) => {
  const { gpy, engine, events } = await rig('full-recovery', { modem: { state: 2, build: 33080, hasOldBootrom: true } });
  const updater = join(dir, 'updater.elf');
  writeFileSync(updater, makeSyntheticUpdaterElf());
  const file = join(dir, 'CATM1-41065.dup');
  await writeSyntheticFirmware(file, { kind: 'full', network: 'CAT-M1', build: 41065, size: 4_500_000 });
  const outcome = await runFullUpgrade(
    { port: new PortOwner(gpy.registry, gpy.portPath), files: [file], updaterPath: updater, timeouts: TIMEOUTS },
    { engine },
  );
  assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
  // The board loaded updater.elf into the modem before mirroring (PROTOCOL.md §9): the
  // host finds upgrade mode and must not send updater.elf again.
  assert.equal(outcome.path, 'resume');
  assert.ok(!events.some((e) => e.kind === 'step' && e.step === 'load-updater'));
  assert.equal(gpy.modem.hasOldBootrom, false, 'the FFH method rewrote the bootrom');
  assert.equal(gpy.modem.build, 41065);
  const started = new Map<string, number>();
  const timing: string[] = [];
  for (const e of events) {
    if (e.kind !== 'step') continue;
    if (e.phase === 'start') started.set(e.step, e.atMs);
    else if (started.has(e.step)) timing.push(`${e.step} ${e.atMs - started.get(e.step)!} ms`);
  }
  t.diagnostic(timing.join(', '));
  const pushProgress = events.filter((e) => e.kind === 'progress' && e.step === 'push-files');
  assert.ok(pushProgress.length > 2);
  const last = pushProgress.at(-1)!;
  assert.ok(last.kind === 'progress' && last.bytesDone === last.bytesTotal && last.bytesTotal === readFileSync(updater).length);
  assert.deepEqual(new Uint8Array(await gpy.board.readFile('/flash/updater.elf')), new Uint8Array(readFileSync(updater)));
  assert.equal(gpy.boardLink.isOpen('host'), false);
});

test('a board without LTE modem is refused after identification; result event and released port', async () => {
  const { gpy, engine, events } = await rig('full-lopy', { board: { machine: 'LoPy4' } });
  const outcome = await runFullUpgrade({ port: new PortOwner(gpy.registry, gpy.portPath), files: [await someFirmware()], timeouts: TIMEOUTS }, { engine });
  assert.equal(outcome.outcome, 'failed');
  assert.equal(outcome.error?.code, 'no-lte-modem');
  assert.equal(outcome.error?.step, 'board-identify');
  assert.match(outcome.resumeHint ?? '', /modem was not changed/);
  assert.ok(events.some((e) => e.kind === 'result' && e.outcome === 'failed'));
  assert.ok(boardSteps(events).includes('board-identify:fail'));
  assert.equal(gpy.boardLink.isOpen('host'), false);
});

/** The board half's diagnosis: exactly one, emitted before the result, and the outcome carries it. */
function assertBoardDiagnosis(events: UpgradeEvent[], outcome: Awaited<ReturnType<typeof runFullUpgrade>>, cause: string) {
  const diagnoses = events.filter((e): e is Extract<UpgradeEvent, { kind: 'diagnosis' }> => e.kind === 'diagnosis');
  assert.deepEqual(diagnoses.map((e) => e.diagnosis.cause), [cause], JSON.stringify(outcome.error));
  assert.ok(events.indexOf(diagnoses[0]!) < events.findIndex((e) => e.kind === 'result'), 'the diagnosis comes before the result');
  assert.deepEqual(outcome.diagnosis, diagnoses[0]!.diagnosis);
  assert.ok(diagnoses[0]!.diagnosis.action.length > 0);
}

test('board-half failures carry the core\'s diagnosis: no LTE modem, no sqnsupgrade, /flash full, a silent board, a busy port', async () => {
  const firmware = join(dir, 'CATM1-41065-board-half.dup');
  await writeSyntheticFirmware(firmware, { kind: 'full', network: 'CAT-M1', build: 41065, size: 4_500_000 });
  const updater = join(dir, 'updater-board-half.elf');
  writeFileSync(updater, makeSyntheticUpdaterElf());

  const lopy = await rig('diag-lopy', { board: { machine: 'LoPy4' } });
  assertBoardDiagnosis(lopy.events, await runFullUpgrade({ port: new PortOwner(lopy.gpy.registry, lopy.gpy.portPath), files: [firmware], timeouts: TIMEOUTS }, { engine: lopy.engine }), 'no-lte-modem');

  const old = await rig('diag-old-firmware', { board: { release: '1.18.2.r7', hasSqnsupgrade: false } });
  assertBoardDiagnosis(old.events, await runFullUpgrade({ port: new PortOwner(old.gpy.registry, old.gpy.portPath), files: [firmware], timeouts: TIMEOUTS }, { engine: old.engine }), 'firmware-without-sqnsupgrade');

  const full = await rig('diag-flash-full', { board: { flashBytes: 64 * 1024 }, modem: { state: 0, hasOldBootrom: true } });
  const fullOutcome = await runFullUpgrade(
    { port: new PortOwner(full.gpy.registry, full.gpy.portPath), files: [firmware], updaterPath: updater, timeouts: TIMEOUTS },
    { engine: full.engine },
  );
  // The checks see the board's free space before anything is copied.
  assertBoardDiagnosis(full.events, fullOutcome, 'files-refused');
  assert.equal(fullOutcome.error?.step, 'preflight');
  assert.match(fullOutcome.error?.message ?? '', /updater\.elf needs .* KiB; \/flash has .* KiB free/);

  // Nothing answers at the far end of this cable.
  const silentPorts = new MemoryPortRegistry();
  silentPorts.add(new MemoryLink('/dev/silent'));
  const silent = new UpgradeEngine();
  const silentEvents: UpgradeEvent[] = [];
  silent.events.on((e) => silentEvents.push(e));
  const silentOutcome = await runFullUpgrade(
    { port: new PortOwner(silentPorts, '/dev/silent'), files: [firmware], timeouts: TIMEOUTS, boardTimeouts: { replyMs: 200 } },
    { engine: silent },
  );
  assertBoardDiagnosis(silentEvents, silentOutcome, 'board-not-at-repl');

  const busy = await rig('diag-busy');
  const holder = await busy.gpy.registry.open(busy.gpy.portPath, { baudRate: 115200 });
  try {
    const busyOutcome = await runFullUpgrade({ port: new PortOwner(busy.gpy.registry, busy.gpy.portPath), files: [firmware], timeouts: TIMEOUTS }, { engine: busy.engine });
    assertBoardDiagnosis(busy.events, busyOutcome, 'port-busy');
  } finally {
    await holder.close();
  }
});

test('cancel during the push: cancelled outcome, old updater untouched, port released', async () => {
  const old = new Uint8Array(2000).fill(7);
  const { gpy, engine, events } = await rig('full-cancel', { modem: { state: 0, hasOldBootrom: true }, board: { files: { 'updater.elf': old } } });
  mkdirSync(join(dir, 'cancel'), { recursive: true });
  const updater = join(dir, 'cancel', 'updater.elf');
  writeFileSync(updater, makeSyntheticUpdaterElf());
  const controller = new AbortController();
  engine.events.on((e) => {
    if (e.kind === 'progress' && e.step === 'push-files' && e.bytesDone > e.bytesTotal / 3) controller.abort('user cancelled');
  });
  const outcome = await runFullUpgrade(
    { port: new PortOwner(gpy.registry, gpy.portPath), files: [await someFirmware()], updaterPath: updater, timeouts: TIMEOUTS },
    { engine, signal: controller.signal },
  );
  assert.equal(outcome.outcome, 'cancelled', JSON.stringify(outcome.error));
  assert.ok(boardSteps(events).includes('push-files:fail'));
  assert.equal(gpy.boardLink.isOpen('host'), false);
  assert.deepEqual(new Uint8Array(await gpy.board.readFile('/flash/updater.elf')), old);
});

test('a board-half failure leaves one transcript on disk, with the board steps and the result', async () => {
  const { gpy, engine } = await rig('full-lopy-transcript', { board: { machine: 'LoPy4' } });
  const transcriptDir = join(dir, 'transcripts-lopy');
  const outcome = await runFullUpgrade({ port: new PortOwner(gpy.registry, gpy.portPath), files: [await someFirmware()], timeouts: TIMEOUTS, transcriptDir }, { engine });
  assert.equal(outcome.error?.step, 'board-identify');
  assert.ok(outcome.transcriptPath?.startsWith(transcriptDir), outcome.transcriptPath);
  const text = readFileSync(outcome.transcriptPath!, 'utf8');
  assert.match(text, /STEP board-connect/);
  assert.match(text, /STEP board-identify fail/);
  assert.match(text.trimEnd().split('\n').find((l) => / RESULT /.test(l)) ?? '', /RESULT failed/);
});
