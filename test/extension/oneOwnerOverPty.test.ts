import '../support/registerVscodeStub';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from '../support/vscodeStub';
import { openPtyPair, ptySkipReason } from '../support/ptyPair';
import { SerialPortOpener } from '../../src/core/transport/serialTransport';
import { PortOwner } from '../../src/core/transport/portOwner';
import type { PortOpener } from '../../src/core/transport/byteTransport';
import { PortOpenError } from '../../src/core/errors';
import { serveSimulatedGpyOnTransport } from '../../src/sim/simulatedGpy';
import { writeSyntheticFirmware } from '../../src/sim/firmwareImage';
import { UpgradeEngine } from '../../src/core/engine/upgradeEngine';
import { runFullUpgrade } from '../../src/core/board/fullUpgrade';
import { ReplPseudoterminal } from '../../src/views/replTerminal';
import type { SerialPortChoice } from '../../src/glue/modemCore';
import { CONFIRM_ALL } from '../support/confirmAll';
import { watchTerminal } from '../support/terminalScreen';

/**
 * The promise of one owner per port, on a real pseudo-terminal with the real serial
 * binding: REPL terminal open → whole upgrade → terminal back, and the OS-level handle is
 * opened once; while the upgrade holds it, a second program is refused.
 */
test('REPL terminal → upgrade → terminal back on one OS handle; a second program is refused during the hand-over', { skip: ptySkipReason(), timeout: 120_000 }, async () => {
  const pair = await openPtyPair();
  const dir = mkdtempSync(join(tmpdir(), 'one-owner-'));
  const serial = new SerialPortOpener();
  const deviceIo = await serial.open(pair.devicePath, { baudRate: 115_200 });
  const sim = await serveSimulatedGpyOnTransport(deviceIo, { timeScale: 0.001, board: { timeScale: 0.002 }, modem: { timeScale: 0.001, keepImageBytes: false } });
  let opens = 0;
  const counting: PortOpener = { open: (...args) => (opens++, serial.open(...args)) };
  const owner = new PortOwner(counting, pair.hostPath);
  const portsChanged = new EventEmitter<readonly SerialPortChoice[]>();
  const pty = new ReplPseudoterminal({
    portPath: pair.hostPath,
    baudRate: 115_200,
    ownerFor: async () => owner,
    ports: { onDidChangePorts: portsChanged.event as never, refresh: async () => [] },
  });
  const { shown, text: screen } = watchTerminal(pty);
  try {
    pty.open(undefined);
    await shown('connected to');
    pty.handleInput('print(6*7)\r');
    await shown('42');
    assert.equal(opens, 1);

    const file = join(dir, 'upgdiff_38638-to-41065.dup');
    await writeSyntheticFirmware(file, { kind: 'diff', network: 'CAT-M1', fromBuild: 38638, build: 41065, size: 600_000 });
    const engine = new UpgradeEngine();
    let secondProgram: Promise<unknown> | undefined;
    engine.events.on((event) => {
      // Mid hand-over: the terminal has let go, the upgrade holds the port.
      if (!secondProgram && event.kind === 'step' && event.step === 'board-identify' && event.phase === 'start') {
        secondProgram = serial.open(pair.hostPath, { baudRate: 115_200 }).then(
          async (io) => (await io.close(), 'opened'),
          (error: unknown) => error,
        );
      }
    });
    const outcome = await runFullUpgrade({ port: owner, files: [file], confirm: CONFIRM_ALL, timeouts: { wakeAttemptMs: 200, pollIntervalMs: 20, atReplyMs: 5_000 } }, { engine });
    assert.equal(outcome.outcome, 'success', JSON.stringify(outcome.error));
    assert.equal(sim.modem.build, 41065);

    const refused = await secondProgram;
    assert.ok(refused instanceof PortOpenError, `a second program must not get the port: ${String(refused)}`);
    assert.equal(refused.failure, 'busy');

    assert.match(screen(), /\[port lent to the modem job\]/);
    // The board is in mirror mode now: the terminal waits for the power cycle instead of talking to the modem.
    await shown('mirror mode until power-cycled');
    assert.equal(opens, 1, 'the port was opened once, from the REPL terminal through the upgrade and back');
  } finally {
    pty.close();
    await owner.dispose();
    await sim.stop();
    await deviceIo.close().catch(() => undefined);
    await pair.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
