import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latin1ToBytes } from '../../src/core/transport/framers';
import { Deadline } from '../../src/core/time/deadline';
import { makeSyntheticUpdaterElf } from '../../src/sim/firmwareImage';
import { ANSWER_MS } from './boardHarness';
import { MIRROR_LINE, WELCOME, startGpyRepl, type GpyRepl } from './gpyRepl';

/** A small updater.elf keeps the paced board-to-modem load short. */
const UPDATER = makeSyntheticUpdaterElf(40_000);
const UPDATER_FILES = { 'updater.elf': UPDATER };
const PREPARING = 'Preparing modem for upgrade...\r\nAttempting AT wakeup...\r\n';
const LOADED =
  'Loading /flash/updater.elf (40000 bytes) into the modem...\r\n' +
  'Updater: 25%\r\nUpdater: 50%\r\nUpdater: 75%\r\nUpdater: 100%\r\n' +
  'Waiting for the updater to start...\r\nUpdater started.\r\n';

async function withGpy(options: Parameters<typeof startGpyRepl>[0], body: (repl: GpyRepl) => Promise<void>): Promise<void> {
  const repl = await startGpyRepl(options);
  try {
    await body(repl);
  } finally {
    await repl.stop();
  }
}

/** After a return (no mirror), the board is still at its REPL and answers. */
async function assertReplAlive(repl: GpyRepl): Promise<void> {
  assert.equal(repl.gpy.board.state, 'repl');
  assert.deepEqual(await repl.exec('print(1 + 1)'), { stdout: '2\r\n', stderr: '' });
}

test('info() in application mode: the welcome, the ATI1 lines and the IMEI; back to the REPL, nothing changed', async () => {
  await withGpy({ modem: { state: 2, build: 41065 } }, async (repl) => {
    const { stdout, stderr } = await repl.exec('import sqnsupgrade\nsqnsupgrade.info()');
    assert.equal(stderr, '');
    assert.equal(
      stdout,
      WELCOME + 'Your modem is in application mode. Here is the current version:\r\nUE5.0.0.0d\r\nLR5.1.1.0-41065\r\nIMEI: 354347094683296\r\n',
    );
    await assertReplAlive(repl);
    assert.equal(repl.gpy.modem.state, 2);
    assert.equal(repl.gpy.modem.build, 41065);
  });
});

test('info() agrees with the modem on NB-IoT builds, and verbose names LTE autostart', async () => {
  await withGpy({ modem: { network: 'NB-IoT', build: 43818, imei: '354347090000001' }, board: { lteAutostart: true } }, async (repl) => {
    const { stdout } = await repl.exec('import sqnsupgrade\nsqnsupgrade.info(verbose=True)');
    assert.equal(
      stdout,
      WELCOME +
        'Your modem is in application mode. Here is the current version:\r\nUE6.0.0.0d\r\nLR6.1.1.0-43818\r\n' +
        'IMEI: 354347090000001\r\nLTE autostart enabled.\r\n',
    );
  });
});

test('info() by state: recovery (0), upgrade (4), a silent modem; state() and imei() return values', async () => {
  await withGpy({ modem: { state: 0, hasOldBootrom: true } }, async (repl) => {
    const { stdout } = await repl.exec('import sqnsupgrade\nsqnsupgrade.info(verbose=True)\nprint(repr(sqnsupgrade.state()))');
    assert.equal(
      stdout,
      WELCOME + 'Your modem is in recovery mode! Use firmware.dup and updater.elf to flash new firmware.\r\nLTE autostart disabled.\r\n0\r\n',
    );
    assert.equal(repl.gpy.modem.state, 0);
  });
  await withGpy({ modem: { state: 4 } }, async (repl) => {
    const { stdout } = await repl.exec('import sqnsupgrade\nsqnsupgrade.info()\nprint(repr(sqnsupgrade.state()))');
    assert.equal(stdout, WELCOME + 'Your modem is in upgrade mode! Use firmware.dup to flash new firmware.\r\n4\r\n');
  });
  await withGpy({ modem: { faults: ['silent'] } }, async (repl) => {
    const { stdout } = await repl.exec('import sqnsupgrade\nsqnsupgrade.info()\nprint(repr(sqnsupgrade.state()), repr(sqnsupgrade.imei()))');
    assert.equal(stdout, WELCOME + 'Cannot determine modem state!\r\nNone None\r\n');
    await assertReplAlive(repl);
  });
  await withGpy({}, async (repl) => {
    assert.deepEqual(await repl.exec('import sqnsupgrade\nprint(repr(sqnsupgrade.state()), repr(sqnsupgrade.imei()))'), {
      stdout: "2 '354347094683296'\r\n",
      stderr: '',
    });
  });
});

test('uart() on a silent modem: could not detect it, back to the REPL without mirroring', async () => {
  await withGpy({ modem: { faults: ['silent'] } }, async (repl) => {
    const { stdout, stderr } = await repl.exec('import sqnsupgrade\nsqnsupgrade.uart()');
    assert.equal(stderr, '');
    assert.equal(
      stdout,
      WELCOME + PREPARING + 'Could not detect your modem!\r\nPlease try to power off your device and restart in safeboot mode.\r\n',
    );
    await assertReplAlive(repl);
  });
});

test('uart() on firmware without LTE.modem_upgrade_mode: says so and returns', async () => {
  await withGpy({ board: { faults: ['no-upgrade-mode'] } }, async (repl) => {
    const { stdout, stderr } = await repl.exec('import sqnsupgrade\nsqnsupgrade.uart()');
    assert.equal(stderr, '');
    assert.equal(stdout, WELCOME + 'Preparing modem for upgrade...\r\nFirmware does not support LTE.modem_upgrade_mode()!\r\n');
    await assertReplAlive(repl);
  });
});

test('uart() with LTE in use (a fault, or LTE autostart): OSError Modem not disabled', async () => {
  for (const board of [{ faults: ['lte-in-use' as const] }, { lteAutostart: true }]) {
    await withGpy({ board }, async (repl) => {
      const { stdout, stderr } = await repl.exec('import sqnsupgrade\nsqnsupgrade.uart()');
      assert.equal(stdout, WELCOME + 'Preparing modem for upgrade...\r\n');
      assert.match(stderr, /^Traceback \(most recent call last\):\r\n[\s\S]*OSError: Modem not disabled\r\n$/);
      await assertReplAlive(repl);
    });
  }
});

test('uart() in application mode mirrors; the host finds state 2; debug=True shows the AT exchange', async () => {
  await withGpy({}, async (repl) => {
    const text = await repl.execToMirror('import sqnsupgrade\nsqnsupgrade.uart(debug=True)');
    assert.equal(
      text,
      WELCOME +
        'Preparing modem for upgrade...\r\nAttempting AT wakeup...\r\n' +
        '[DEBUG] AT> AT\r\n[DEBUG] AT< OK\r\n[DEBUG] AT> AT+SMOD?\r\n[DEBUG] AT< 2\r\n[DEBUG] AT< OK\r\n' +
        '[DEBUG] AT> AT+SMOD?\r\n[DEBUG] AT< 2\r\n[DEBUG] AT< OK\r\n[DEBUG] AT> AT+IPR=921600\r\n[DEBUG] AT< OK\r\n' +
        MIRROR_LINE,
    );
    assert.match(await repl.at('AT+SMOD?'), /\r\n2\r\nOK\r\n$/);
  });
});

test('uart(True, updater.elf) on a new bootrom: FFH is not necessary, mirrors normally', async () => {
  await withGpy({ board: { files: UPDATER_FILES } }, async (repl) => {
    const text = await repl.execToMirror('import sqnsupgrade\nsqnsupgrade.uart(True, "/flash/updater.elf")');
    assert.equal(
      text,
      WELCOME + PREPARING + 'FFH mode is not necessary... ignoring!\r\nDo not specify updater.elf when updating!\r\n' + MIRROR_LINE,
    );
    assert.match(await repl.at('AT+SMOD?'), /\r\n2\r\nOK\r\n$/);
    assert.equal(repl.gpy.modem.hasOldBootrom, false);
  });
});

test('uart(True, updater.elf) on a modem in recovery: the board loads the updater, the host finds state 4', async () => {
  await withGpy({ modem: { state: 0, hasOldBootrom: true }, board: { files: UPDATER_FILES } }, async (repl) => {
    const text = await repl.execToMirror('import sqnsupgrade\nsqnsupgrade.uart(True, "/flash/updater.elf")');
    assert.equal(text, WELCOME + PREPARING + LOADED + MIRROR_LINE);
    assert.equal(repl.gpy.modem.state, 4);
    // The updater runs with echo off and answers a bare state line (PROTOCOL.md §8).
    assert.equal(await repl.at('AT+SMOD?'), '\r\n4\r\nOK\r\n');
    assert.equal(repl.gpy.modem.hasOldBootrom, true, 'loading the updater leaves Bootloader0 alone');
    // Held in RAM: a power cut would bring the bootrom back.
    assert.equal(repl.gpy.modem.stateAfterPowerCycle, 0);
  });
});

test('uart(True, ...) on a modem in recovery without updater.elf, or when the load fails: a message, back to the REPL', async () => {
  await withGpy({ modem: { state: 0, hasOldBootrom: true } }, async (repl) => {
    const { stdout, stderr } = await repl.exec('import sqnsupgrade\nsqnsupgrade.uart(True, "/flash/updater.elf")');
    assert.equal(stderr, '');
    assert.equal(stdout, WELCOME + PREPARING + 'Unable to load updater from /flash/updater.elf\r\n');
    await assertReplAlive(repl);
    assert.equal(repl.gpy.modem.state, 0);
  });
  await withGpy({ modem: { state: 0, hasOldBootrom: true }, board: { files: UPDATER_FILES, faults: ['updater-load-fails'] } }, async (repl) => {
    const { stdout } = await repl.exec('import sqnsupgrade\nsqnsupgrade.uart(True, "/flash/updater.elf")');
    assert.match(stdout, /Updater: 100%\r\nUnable to load updater from \/flash\/updater\.elf\r\n$/);
    await assertReplAlive(repl);
    assert.equal(repl.gpy.modem.state, 0);
  });
  // The bootrom starts only an ELF.
  await withGpy({ modem: { state: 0 }, board: { files: { 'updater.elf': 'not an elf' } } }, async (repl) => {
    const { stdout } = await repl.exec('import sqnsupgrade\nsqnsupgrade.uart(True, "/flash/updater.elf")');
    assert.match(stdout, /Unable to load updater from \/flash\/updater\.elf\r\n$/);
    assert.equal(repl.gpy.modem.state, 0);
  });
});

test('uart(True, updater.elf) with the old bootrom: the board rewrites it (FFH), switches to FFH, loads the updater, mirrors', async () => {
  await withGpy({ modem: { state: 2, hasOldBootrom: true }, board: { files: UPDATER_FILES } }, async (repl) => {
    const text = await repl.execToMirror('import sqnsupgrade\nsqnsupgrade.uart(True, "/flash/updater.elf", debug=True)');
    assert.match(
      text,
      new RegExp(
        '^' +
          escape(WELCOME + PREPARING) +
          '(\\[DEBUG\\].*\\r\\n)*' +
          escape('Upgrading bootrom (FFH)... do not power off or interrupt!\r\nBootrom upgraded.\r\n[DEBUG] AT> AT+SMSWBOOT=0,1\r\n[DEBUG] AT< OK\r\n') +
          '(\\[DEBUG\\].*\\r\\n)*' +
          escape('Loading /flash/updater.elf (40000 bytes) into the modem...\r\n'),
      ),
    );
    assert.match(text, /Updater started\.\r\n(\[DEBUG\].*\r\n)*Going into MIRROR mode/);
    assert.equal(repl.gpy.modem.hasOldBootrom, false, 'Bootloader0 is new from now on');
    assert.equal(await repl.at('AT+SMOD?'), '\r\n4\r\nOK\r\n');
    // Boot mode FFH: a power cut before the host's upgrade brings the FFH bootrom back.
    assert.equal(repl.gpy.modem.stateAfterPowerCycle, 0);
  });
});

test('the bootrom rewrite is not interrupted by Ctrl-C', async () => {
  // Board time a hundred times faster: the eight-second write lasts 80 ms, long enough to hit.
  await withGpy({ timeScale: 0.001, board: { timeScale: 0.01, files: UPDATER_FILES }, modem: { state: 2, hasOldBootrom: true } }, async (repl) => {
    await repl.host.write(latin1ToBytes('import sqnsupgrade\nsqnsupgrade.uart(True, "/flash/updater.elf")\x04'));
    await repl.until('Upgrading bootrom (FFH)');
    await repl.host.write(latin1ToBytes('\x03'));
    const rest = await repl.until('\r\n', 'the rest of the bootrom line');
    assert.equal(rest, '... do not power off or interrupt!\r\n');
    assert.equal(await repl.until('\r\n', 'the line after the write'), 'Bootrom upgraded.\r\n');
    assert.equal(repl.gpy.modem.hasOldBootrom, false);
  });
});

test('a failing bootrom write: Unable to upgrade bootrom, the REPL alive, the old bootrom kept', async () => {
  await withGpy({ modem: { state: 2, hasOldBootrom: true }, board: { files: UPDATER_FILES, faults: ['bootrom-write-fails'] } }, async (repl) => {
    const { stdout, stderr } = await repl.exec('import sqnsupgrade\nsqnsupgrade.uart(True, "/flash/updater.elf")');
    assert.equal(stderr, '');
    assert.equal(stdout, WELCOME + PREPARING + 'Upgrading bootrom (FFH)... do not power off or interrupt!\r\nUnable to upgrade bootrom.\r\n');
    await assertReplAlive(repl);
    assert.equal(repl.gpy.modem.hasOldBootrom, true);
    assert.equal(repl.gpy.modem.state, 2);
  });
});

test('uart() on a modem in recovery without ffh_mode: the warning, then mirror mode; the host finds state 0', async () => {
  await withGpy({ modem: { state: 0, hasOldBootrom: true } }, async (repl) => {
    const text = await repl.execToMirror('import sqnsupgrade\nsqnsupgrade.uart()');
    assert.equal(
      text,
      WELCOME + PREPARING + 'Your modem is in recovery mode! You will need to use firmware.dup and updater.elf file to upgrade.\r\n' + MIRROR_LINE,
    );
    assert.equal(await repl.at('AT+SMOD?'), '0\r\nOK\r\n');
  });
});

test('load(updater.elf) at the REPL puts the updater in a modem in recovery; extra keyword arguments are accepted', async () => {
  await withGpy({ modem: { state: 0 }, board: { files: UPDATER_FILES } }, async (repl) => {
    const { stdout, stderr } = await repl.exec('import sqnsupgrade\nprint(sqnsupgrade.load("/flash/updater.elf", foo=1))');
    assert.equal(stderr, '');
    assert.equal(stdout, WELCOME + LOADED + 'True\r\n');
    assert.equal(repl.gpy.modem.state, 4);
    await repl.gpy.board.whenState('repl', Deadline.in(ANSWER_MS));
    assert.deepEqual(await repl.exec('sqnsupgrade.info(colour=False)'), {
      stdout: WELCOME + 'Your modem is in upgrade mode! Use firmware.dup to flash new firmware.\r\n',
      stderr: '',
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
