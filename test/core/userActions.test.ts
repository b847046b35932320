import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { UserAction, UserActionKind } from '../../src/core/userActions';
import { commandLine, cliActionDefaults, userActionCliText, withCliActions } from '../../src/cli/userActionText';
import { actionButtons, userActionWords, withActionWords } from '../../src/glue/userActionWords';

/** One of each kind: the `satisfies` makes a new kind fail to compile here until it is rendered and tested. */
const ONE_OF_EACH = {
  'add-updater': { kind: 'add-updater' },
  'run-command': { kind: 'run-command', command: 'info', port: '/dev/ttyUSB0', viaBoard: true },
  'report-bug': { kind: 'report-bug' },
} as const satisfies Record<UserActionKind, UserAction>;

test('every action kind has a CLI spelling and words for VS Code, and neither is empty', () => {
  for (const action of Object.values(ONE_OF_EACH) as UserAction[]) {
    assert.ok(userActionCliText(action).length > 0, action.kind);
    assert.ok((userActionWords(action) ?? '').length > 0, action.kind);
    assert.doesNotMatch(userActionWords(action) ?? '', /--[a-z]|pycom-modem /, `${action.kind}: VS Code words name no CLI syntax`);
  }
});

test('the CLI spells actions as flags and command lines', () => {
  assert.equal(userActionCliText(ONE_OF_EACH['add-updater']), 'Add `--updater updater.elf`.');
  assert.equal(userActionCliText(ONE_OF_EACH['run-command']), 'Run `pycom-modem info --port /dev/ttyUSB0 --via-board`.');
  assert.match(userActionCliText(ONE_OF_EACH['report-bug']), /--verbose/);
  assert.equal(commandLine({ kind: 'run-command', command: 'crashdump' }, { port: 'COM3' }), 'pycom-modem crashdump --port COM3');
  assert.equal(commandLine({ kind: 'run-command', command: 'board-upgrade' }), 'pycom-modem board upgrade --port PORT FILE.dup');
  assert.equal(commandLine({ kind: 'run-command', command: 'board-push-module', port: 'P' }), 'pycom-modem board push-module --port P FOLDER');
  assert.equal(
    commandLine({ kind: 'run-command', command: 'upgrade', port: '/dev/ttyUSB0', updater: 'my files/updater.elf', files: ['CATM1-41065.dup'] }),
    "pycom-modem upgrade --port /dev/ttyUSB0 --updater 'my files/updater.elf' CATM1-41065.dup",
  );
  assert.deepEqual(cliActionDefaults(['info', '--port', 'sim:x']), { port: 'sim:x' });
  assert.deepEqual(cliActionDefaults(['info', '--port=COM4']), { port: 'COM4' });
});

test("core's plain words come first, then each front end's spelling, each step once", () => {
  const actions: UserAction[] = [{ kind: 'run-command', command: 'info' }, { kind: 'add-updater' }, { kind: 'run-command', command: 'info' }];
  assert.equal(
    withCliActions("Read the modem's info.", actions, { port: 'COM3' }),
    "Read the modem's info. Run `pycom-modem info --port COM3`. Add `--updater updater.elf`.",
  );
  assert.equal(withCliActions('Nothing to add.', undefined), 'Nothing to add.');
  assert.match(withActionWords("Read the modem's info.", actions), /^Read the modem's info\. Run "Pycom: Read Modem Info"\. Select updater\.elf/);
});

test('VS Code gets a button for a step one palette command does, once', () => {
  assert.deepEqual(actionButtons([{ kind: 'run-command', command: 'info', viaBoard: true }, { kind: 'run-command', command: 'info' }, { kind: 'add-updater' }]), [
    { label: 'Read Modem Info', commandId: 'pycomModem.readModemInfo' },
  ]);
  assert.deepEqual(actionButtons([{ kind: 'run-command', command: 'crashdump' }]), [{ label: 'Read Crash Dump', commandId: 'pycomModem.readCrashDump' }]);
  assert.deepEqual(actionButtons(undefined), []);
});
