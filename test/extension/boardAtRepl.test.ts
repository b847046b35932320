import '../support/registerVscodeStub';
import { beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { __stub, createExtensionContext } from '../support/vscodeStub';
import { activate } from '../../src/extension';
import { OPEN_REPL, PUT_IN_MIRROR_MODE, UPGRADE_MODEM } from '../../src/commands/boardAtRepl';
import type { RunRecord } from '../../src/views/sessionLog';
import { FakeCore, type FakeEngine } from './fakeCore';
import { activateWithFakeCore } from './fakeExtension';
import { dump33080 } from '../diagnosis/crashDumpBuilder';
import type { ModemReadRequest } from '../../src/glue/modemCore';
import { boardAtReplError } from '../support/boardAtRepl';

beforeEach(() => __stub.reset());

const PORT = '/dev/ttyUSB0';

function setup() {
  const core = new FakeCore();
  // A board at its REPL: every read fails until it goes through the board.
  core.beforeRead = (_engine: FakeEngine, request: ModemReadRequest) => {
    if (!request.viaBoard) throw boardAtReplError(request.port.path);
  };
  return activateWithFakeCore(core);
}

const modals = () => __stub.messages.filter((m) => (m.options as { modal?: boolean } | undefined)?.modal);
const errors = () => __stub.messages.filter((m) => m.severity === 'error');

test('Read Modem Info on a board at its REPL offers mirror mode in one short modal; accepting reads the modem through the board', async () => {
  const { core, services, dispose } = setup();
  __stub.messageAnswers.push((text: string, items: string[], options: { modal?: boolean; detail?: string }) => {
    assert.equal(text, `The board on ${PORT} is at its Python REPL. Put it in mirror mode to read the modem?`);
    assert.deepEqual(items, [PUT_IN_MIRROR_MODE, UPGRADE_MODEM, OPEN_REPL]);
    assert.equal(options.modal, true);
    assert.match(options.detail!, /only in mirror mode/);
    assert.match(options.detail!, /unplug the board and plug it back in afterwards/);
    return PUT_IN_MIRROR_MODE;
  });

  const info = await __stub.commands.get('pycomModem.readModemInfo')!(PORT);

  assert.deepEqual(info, { state: 2, baudRate: 921600 });
  assert.deepEqual(
    core.engines.flatMap((e) => e.requests.map((r) => r.viaBoard ?? false)),
    [false, true],
    'one plain read, then one through the board',
  );
  assert.equal(modals().length, 1);
  assert.deepEqual(errors(), [], 'no error toast on top of the offer');
  const done = __stub.messages.at(-1)!;
  assert.equal(done.severity, 'info');
  assert.match(done.message, /^Modem: /);
  assert.match(done.message, /unplug it and plug it back in/);

  // The first session says why, for the log view and a report.
  const [first, onBoard, second] = services.sessions.sessions as RunRecord[];
  const diagnosis = first!.events.find((e) => e.kind === 'diagnosis');
  assert.equal(diagnosis?.kind === 'diagnosis' ? diagnosis.diagnosis.cause : undefined, 'board-at-repl');
  // The board's own updater was asked first; it could not tell, so mirror mode was offered.
  assert.match(onBoard!.title, /board's updater/);
  assert.deepEqual(core.engines.flatMap((e) => e.boardInfoRequests), [PORT]);
  assert.match(second!.title, /via the board/);
  dispose();
});

test("Read Modem Info on a board at its REPL: the board's own info() answers, no mirror mode, no modal, nothing to unplug", async () => {
  const { core, dispose } = setup();
  core.onEngine = (engine) => {
    engine.boardInfoResult = {
      state: 2,
      report: { kind: 'CAT-M1', bootloaders: [], needsRecoveryBootromUpgrade: false, lrVersion: '5.1.1.0-41065', softwareBuild: 41065, imei: '354347094123456' },
    };
  };
  const info = await __stub.commands.get('pycomModem.readModemInfo')!(PORT);
  assert.equal((info as { state: number }).state, 2);
  assert.deepEqual(core.engines.flatMap((e) => e.requests.map((r) => r.viaBoard ?? false)), [false], 'no read through mirror mode');
  assert.equal(modals().length, 0);
  const done = __stub.messages.at(-1)!;
  assert.equal(done.severity, 'info');
  assert.match(done.message, /firmware 5\.1\.1\.0-41065 \(build 41065\) · IMEI 354347094123456/);
  assert.match(done.message, /the board stays at its REPL/);
  assert.doesNotMatch(done.message, /unplug/);
  dispose();
});

test('dismissing the offer sends nothing more and shows no error', async () => {
  const { core, dispose } = setup();
  __stub.messageAnswers.push(undefined);
  const result = await __stub.commands.get('pycomModem.readModemInfo')!(PORT);
  assert.equal(result, undefined);
  assert.equal(core.engines.flatMap((e) => e.requests).length, 1);
  assert.equal(modals().length, 1);
  assert.deepEqual(errors(), []);
  dispose();
});

test('"Upgrade Modem…" at the offer starts the upgrade on the same port instead', async () => {
  const { core, dispose } = setup();
  __stub.messageAnswers.push(UPGRADE_MODEM);
  await __stub.commands.get('pycomModem.readCrashDump')!(PORT);
  assert.equal(core.engines.flatMap((e) => e.requests).length, 1, 'no read through the board');
  const upgrade = __stub.executed.find((e) => e.command === 'pycomModem.upgradeModem');
  assert.deepEqual(upgrade?.args, [{ portPath: PORT }]);
  dispose();
});

test('"Open REPL" at the offer opens the board\'s REPL terminal', async () => {
  const { dispose } = setup();
  __stub.messageAnswers.push(OPEN_REPL);
  await __stub.commands.get('pycomModem.readModemInfo')!('sim:GPy');
  assert.deepEqual(__stub.executed.find((e) => e.command === 'pycomModem.openRepl')?.args, ['sim:GPy']);
  assert.equal(__stub.terminals.length, 1);
  dispose();
});

test('Read Crash Dump through the board ends with the dump and the unplug reminder', async () => {
  const { core, dispose } = setup();
  core.beforeRead = (engine, request) => {
    if (!request.viaBoard) throw boardAtReplError(request.port.path);
    engine.crashDump = dump33080();
  };
  __stub.messageAnswers.push((text: string) => {
    assert.match(text, /Put it in mirror mode to read the crash dump\?$/);
    return PUT_IN_MIRROR_MODE;
  });
  await __stub.commands.get('pycomModem.readCrashDump')!(PORT);
  const done = __stub.messages.at(-1)!;
  assert.match(done.message, /^Modem crash in l1DspReset\.c:96 \(build /);
  assert.match(done.message, /unplug it and plug it back in/);
  assert.deepEqual(errors(), []);
  dispose();
});

test("on the simulated GPy with the real core: the REPL is recognised and the board's own info() reads the modem; no mirror mode", { timeout: 120_000 }, async () => {
  const storage = mkdtempSync(join(tmpdir(), 'pycom-ext-repl-'));
  const context = createExtensionContext(process.cwd(), storage);
  try {
    __stub.configuration.set('pycomModem.simulator.timeScale', 1000);
    activate(context as never);

    const info = (await __stub.commands.get('pycomModem.readModemInfo')!('sim:GPy')) as { state: number; report?: { softwareBuild?: number } } | undefined;

    assert.equal(modals().length, 0, 'no mirror-mode offer: the board could tell');
    assert.equal(info?.state, 2);
    assert.equal(info?.report?.softwareBuild, 38638);
    assert.deepEqual(errors(), []);
    assert.match(__stub.messages.at(-1)!.message, /the board stays at its REPL/);
    assert.doesNotMatch(__stub.messages.at(-1)!.message, /unplug/);
  } finally {
    for (const d of context.subscriptions) await d.dispose();
    rmSync(storage, { recursive: true, force: true });
  }
});
