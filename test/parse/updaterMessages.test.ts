import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstUpdaterFailure, recogniseUpdaterLine, UPDATER_MESSAGES } from '../../src/core/parse/updaterMessages';
import { diagnose } from '../../src/core/diagnosis/diagnose';

/** Lines as the board's updater prints them (PROTOCOL.md §9), one or more per message. */
const PRINTED: Record<string, string[]> = {
  'modem-not-detected': ['Could not detect your modem!'],
  'no-upgrade-mode': ['Firmware does not support LTE.modem_upgrade_mode()!'],
  'modem-not-disabled': ['OSError: Modem not disabled'],
  'at-negotiation-failed': ['AT auto-negotiation failed! Exiting.', 'ERROR in AT+IPR=921600', 'ERROR in AT+SMOD returned ERROR'],
  'swboot-refused': ['Received ERROR from AT+SMSWBOOT=0,1!', 'Received ERROR from AT+SMSWBOOT=3,1! Aborting!', 'Received ERROR from AT+SMSWBOOT=1,0! Aborting!'],
  'bootrom-upgrade-failed': ['Unable to upgrade bootrom.'],
  'updater-load-failed': ['Unable to load updater from /flash/updater.elf'],
  'modem-in-recovery': [
    'Your modem is in recovery mode. Please specify updater.elf file',
    'Your modem is in recovery mode. You will need to use firmware.dup and updater.elf file to upgrade.',
  ],
  'modem-in-upgrade-mode': ['Your modem is in upgrade mode! Use firmware.dup to flash new firmware.'],
  'sd-card': ['Unable to mount SD card!', 'Exception when checking file /sd/CATM1-41065.dup... wrong file name?'],
  'wrong-firmware-file': ['Firmware file is too small!', 'This firmware does not contain a recovery bootrom.'],
  'code-download-failed': ['Code download failed[1], aborting!', 'Code download failed [2], aborting!'],
  'modem-rejected-image': ['Upgrade failed with result 1!', 'Modem upgrade was unsucessfull. Please check your firmware file(s)'],
  'ffh-not-necessary': ['FFH mode is not necessary... ignoring!'],
  'upgrade-succeeded': ['Your modem has been successfully updated.'],
};

test('every message of the board updater is recognised by its own entry, and every entry has a sample', () => {
  assert.deepEqual(Object.keys(PRINTED).sort(), UPDATER_MESSAGES.map((m) => m.id).sort());
  for (const [id, lines] of Object.entries(PRINTED)) {
    for (const line of lines) assert.equal(recogniseUpdaterLine(line)?.id, id, line);
  }
  for (const line of ['Attempting AT wakeup...', 'Preparing modem for upgrade...', 'Going into MIRROR mode... please close this terminal to resume the upgrade via UART']) {
    assert.equal(recogniseUpdaterLine(line), undefined, line);
  }
});

test('the first failure line wins; informational lines do not count as the reason', () => {
  const lines = ['FFH mode is not necessary... ignoring!', 'Do not specify updater.elf when updating!', 'Could not detect your modem!', 'Unable to upgrade bootrom.'];
  assert.equal(firstUpdaterFailure(lines)?.message.id, 'modem-not-detected');
  assert.equal(firstUpdaterFailure(['FFH mode is not necessary... ignoring!']), undefined);
});

test('each failure message becomes a diagnosis with its own action, and a board back at its REPL is not told to leave mirror mode', () => {
  for (const message of UPDATER_MESSAGES.filter((m) => m.severity === 'failure')) {
    const diagnosis = diagnose({ errorCode: 'trigger-failed', updaterMessageId: message.id, boardStateAfter: 'repl', failedStep: 'trigger' });
    assert.equal(diagnosis.cause, 'board-updater-said', message.id);
    assert.equal(diagnosis.title, message.title);
    assert.ok(diagnosis.action.startsWith(message.action), message.id);
    assert.match(diagnosis.action, /back at its REPL: no power-cycle is needed/);
    assert.doesNotMatch(diagnosis.action, /mirror mode/i, message.id);
  }
  // The line itself, seen in the board output, is evidence enough (a recorded session has no error object).
  const fromLine = diagnose({ errorCode: 'trigger-failed', updaterMessageId: 'modem-not-disabled', updaterLine: 'OSError: Modem not disabled' });
  assert.deepEqual(fromLine.evidence.slice(0, 1), ["The board's updater printed: OSError: Modem not disabled"]);
});

test("the README's troubleshooting table names every message the board's updater prints", () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Troubleshooting'));
  for (const message of UPDATER_MESSAGES) {
    // The README quotes each message up to its variable part ("…").
    const quote = message.printed.split(' / ')[0]!.split('…')[0]!.replace(/\s*\(OSError\)$/, '').trim();
    assert.ok(section.includes(quote), `${message.id}: "${quote}" is not in the README's troubleshooting section`);
  }
});
