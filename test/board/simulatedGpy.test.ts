import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createSimulatedGpy, type SimulatedGpy } from '../../src/sim/simulatedGpy';
import { RawRepl } from '../../src/core/repl/rawRepl';
import { identifyBoard } from '../../src/core/board/boardIdentity';
import { pushFile, readRemoteHash } from '../../src/core/board/boardFiles';
import { pushModuleFolder, triggerMirrorMode, SqnsupgradeMissingError, TriggerFailedError } from '../../src/core/board/boardUpgradeTrigger';
import { BoardExecError } from '../../src/core/repl/replOutput';
import { pyStr } from '../../src/core/repl/pythonQuote';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { untilBytes, latin1ToBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { makeSyntheticUpdaterElf } from '../../src/sim/firmwareImage';

const gpys: SimulatedGpy[] = [];
after(async () => {
  for (const gpy of gpys) await gpy.stop();
});

async function simulated(options: Parameters<typeof createSimulatedGpy>[0] = {}) {
  const gpy = await createSimulatedGpy({ timeScale: 0.02, ...options });
  gpys.push(gpy);
  const io = await gpy.registry.open(gpy.portPath, { baudRate: 115200 });
  const repl = await RawRepl.enter(io, { replyTimeoutMs: 2000 });
  return { gpy, io, repl };
}

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

test('identifies the simulated GPy', async () => {
  const { repl } = await simulated({ portPath: 'sim:id' });
  const identity = await identifyBoard(repl);
  assert.equal(identity.machine, 'GPy');
  assert.equal(identity.hasLteModem, true);
  assert.equal(identity.hasSqnsupgrade, true);
  assert.match(identity.release, /^1\.20/);
  assert.ok(identity.flashTotalBytes > 0 && identity.flashFreeBytes <= identity.flashTotalBytes);
});

test('pushes 120 KB to the simulated GPy without an RX overflow, verified on the board; reports the rate', async (t) => {
  const timeScale = 0.02;
  const { gpy, repl } = await simulated({ portPath: 'sim:push', timeScale, board: { flashBytes: 2 * 1024 * 1024 } });
  const bytes = new Uint8Array(randomBytes(120 * 1024));
  const started = performance.now();
  const result = await pushFile(repl, { bytes, remotePath: '/flash/updater.elf' });
  const boardSeconds = (performance.now() - started) / 1000 / timeScale;
  const share = bytes.length / boardSeconds / 11520;
  // Informative only: at a small time scale the simulator's own per-exec cost (real ms) dominates.
  t.diagnostic(`simulated GPy: 120 KB in ${boardSeconds.toFixed(1)} board-seconds = ${(share * 100).toFixed(1)} % of the 115200 line rate`);
  assert.equal(result.sha256, sha(bytes));
  assert.deepEqual(await readRemoteHash(repl, '/flash/updater.elf'), { size: bytes.length, sha256: sha(bytes) });
  assert.equal(gpy.board.stats.ctrlFReceived, 0);
  assert.equal(gpy.board.stats.rxDroppedBytes ?? 0, 0);
});

test('trigger: every board line reported, mirror mode on the same handle at 921600, modem answers AT', async () => {
  const { gpy, io, repl } = await simulated({ portPath: 'sim:trigger' });
  const lines: string[] = [];
  const result = await triggerMirrorMode(io, repl, { ffh: false, onLine: (l) => lines.push(l), timeoutMs: 30_000 });
  assert.equal(result.transport, io);
  assert.equal(io.isOpen, true);
  assert.equal(io.settings.baudRate, 921600);
  assert.equal(io.settings.rtscts, false);
  assert.equal(result.ffhIgnored, false);
  assert.match(lines[0]!, /Welcome to the SQN3330 firmware updater/);
  assert.match(lines.at(-1)!, /Going into MIRROR mode/);
  assert.ok(result.updaterVersion);
  assert.equal(repl.state, 'detached');
  // Like any wake-up: probe until the modem answers (its first probe may meet the board mid-switch).
  const overall = Deadline.in(10_000, 'OK from the modem');
  let reply: Uint8Array | undefined;
  while (!reply && !overall.isExpired()) {
    io.drain();
    await io.write(latin1ToBytes('AT\r\n'));
    reply = await io.read(untilBytes('OK\r\n'), { deadline: overall.within(500) }).catch(() => undefined);
  }
  assert.ok(reply, 'the modem answered AT through the mirror');
  assert.equal(gpy.board.state, 'mirror');
});

test('trigger with ffh on a modem whose bootrom is new: FFH ignored is detected', async () => {
  const { io, repl } = await simulated({ portPath: 'sim:ffh', board: { files: { 'updater.elf': 'x' } } });
  const result = await triggerMirrorMode(io, repl, { ffh: true, timeoutMs: 30_000 });
  assert.equal(result.ffhIgnored, true);
  assert.ok(result.lines.some((l) => /Do not specify updater.elf/.test(l)));
});

test('firmware 1.18 without sqnsupgrade: a typed error saying what to do', async () => {
  const { io, repl } = await simulated({ portPath: 'sim:old', board: { release: '1.18.2.r7', hasSqnsupgrade: false } });
  const error = await triggerMirrorMode(io, repl, { ffh: false }).catch((e) => e);
  assert.ok(error instanceof SqnsupgradeMissingError, String(error));
  assert.match(error.action, /firmware to 1\.20|copy the sqnsupgrade/);
  assert.equal(io.settings.baudRate, 115200, 'still in the REPL');
});

test('recovery on a modem in state 0 without updater.elf on /flash: the board error comes back typed', async () => {
  const { io, repl } = await simulated({ portPath: 'sim:rec', modem: { state: 0, hasOldBootrom: true } });
  const error = await triggerMirrorMode(io, repl, { ffh: true }).catch((e) => e);
  assert.ok(error instanceof TriggerFailedError, String(error));
  assert.match(error.action, /updater\.elf/);
  assert.ok(error.lines.includes('Unable to load updater from /flash/updater.elf'), error.lines.join(' | '));
  assert.equal(io.settings.baudRate, 115200);
});

test('recovery on a modem in state 0 with updater.elf on /flash: the board loads it, the modem answers as the updater (state 4)', async () => {
  const { gpy, io, repl } = await simulated({
    portPath: 'sim:rec-load',
    timeScale: 0.001,
    board: { timeScale: 0.005, files: { 'updater.elf': makeSyntheticUpdaterElf(60_000) } },
    modem: { state: 0, hasOldBootrom: true },
  });
  const result = await triggerMirrorMode(io, repl, { ffh: true, timeoutMs: 30_000 });
  assert.equal(result.ffhIgnored, false);
  assert.ok(result.lines.includes('Updater started.'), result.lines.join(' | '));
  assert.equal(gpy.modem.state, 4);
  // The board switches its UART to 921600 just after the MIRROR line: a request sent in
  // that moment is lost, so the host asks again, as the engine's wake-up does.
  const overall = Deadline.in(10_000, 'AT+SMOD? through the mirror');
  let reply: Uint8Array | undefined;
  while (!reply) {
    io.drain();
    await io.write(latin1ToBytes('AT+SMOD?\r\n'));
    reply = await io.read(untilBytes('OK\r\n'), { deadline: overall.within(1_000) }).catch((error: unknown) => {
      if (overall.isExpired()) throw error;
      return undefined;
    });
  }
  assert.equal(new TextDecoder().decode(reply), '\r\n4\r\nOK\r\n');
});

test('the REPL client against the simulated board: eval, f-string SyntaxError, traceback types, exit to >>>', async () => {
  const { gpy, repl } = await simulated({ portPath: 'sim:repl' });
  assert.equal(await repl.eval('6*7'), '42');
  // MicroPython's repr escapes non-ASCII (unlike CPython's).
  assert.equal(await repl.eval(pyStr("it's \"é\"\n")), `'it\\'s "\\xe9"\\n'`);
  const syntax = await repl.execOrThrow('print(f"{1}")').catch((e) => e);
  assert.ok(syntax instanceof BoardExecError && syntax.reason === 'syntax', String(syntax));
  const missing = await repl.execOrThrow("open('/flash/nope')").catch((e) => e);
  assert.ok(missing instanceof BoardExecError && missing.exceptionType === 'OSError', String(missing));
  const { stdout } = await repl.exec('for i in range(3):\n    print(i)');
  assert.equal(stdout, '0\r\n1\r\n2\r\n');
  await repl.exit();
  assert.equal(repl.state, 'friendly');
  assert.equal(gpy.board.stats.ctrlFReceived, 0);
  assert.equal(gpy.board.stats.softReboots, 0);
});

test('pushModuleFolder copies the .py files of a folder; the board can import them', async () => {
  const { repl } = await simulated({ portPath: 'sim:module' });
  const folder = mkdtempSync(join(tmpdir(), 'module-'));
  try {
    writeFileSync(join(folder, 'mymod.py'), 'from myhelper import VALUE\nX = VALUE * 2\n');
    writeFileSync(join(folder, 'myhelper.py'), 'VALUE = 21\n');
    writeFileSync(join(folder, 'README.txt'), 'not a module');
    const results = await pushModuleFolder(repl, folder);
    assert.deepEqual(results.map((r) => r.remotePath), ['/flash/myhelper.py', '/flash/mymod.py']);
    assert.equal(await repl.eval('__import__("mymod").X'), '42');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
