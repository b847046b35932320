import type { ToolCommand, UserAction } from '../core/userActions';

/**
 * Core's actions as VS Code users meet them: the palette command that does the step, and
 * a button where one command does it all. No vscode import, so the words are testable
 * alone; showFailure and failureText (src/commands) put them on screen.
 */

/** The contributed command (package.json) behind a tool command, where there is one. */
const PALETTE: Partial<Record<ToolCommand, { id: string; title: string }>> = {
  info: { id: 'pycomModem.readModemInfo', title: 'Pycom: Read Modem Info' },
  crashdump: { id: 'pycomModem.readCrashDump', title: 'Pycom: Read Crash Dump' },
  upgrade: { id: 'pycomModem.upgradeModem', title: 'Pycom: Upgrade Modem' },
  'board-upgrade': { id: 'pycomModem.upgradeModem', title: 'Pycom: Upgrade Modem' },
  check: { id: 'pycomModem.upgradeModem', title: 'Pycom: Upgrade Modem' },
  'board-push-module': { id: 'pycomModem.pushFile', title: 'Pycom: Push File to Board' },
};

/** A button for a failure message: its label and the command it runs. */
export interface ActionButton {
  label: string;
  commandId: string;
}

/** One action in words, e.g. 'Run "Pycom: Read Modem Info".'; undefined where the text already says it all. */
export function userActionWords(action: UserAction): string | undefined {
  switch (action.kind) {
    case 'add-updater':
      return 'Select updater.elf together with the .dup file when "Pycom: Upgrade Modem" asks for the firmware.';
    case 'run-command': {
      const palette = PALETTE[action.command];
      if (!palette) return undefined;
      if (action.command === 'board-push-module') return `Copy each file with "${palette.title}".`;
      // The extension asks before putting the board in mirror mode: no option to name.
      return `Run "${palette.title}".`;
    }
    case 'report-bug':
      return 'Copy the diagnostic report ("Pycom: Copy Diagnostic Report") and report it with the "Pycom Modem" output.';
  }
}

/** Core's plain-words `text` followed by the words of its actions, if any. */
export function withActionWords(text: string, actions: readonly UserAction[] | undefined): string {
  if (!actions?.length) return text;
  const words = actions.map(userActionWords).filter((w): w is string => w !== undefined);
  return [text, ...new Set(words)].join(' ');
}

/** Buttons for the actions one command does (read the info, the crash dump), without repeats. */
export function actionButtons(actions: readonly UserAction[] | undefined): ActionButton[] {
  const buttons: ActionButton[] = [];
  for (const action of actions ?? []) {
    if (action.kind !== 'run-command' || (action.command !== 'info' && action.command !== 'crashdump')) continue;
    const palette = PALETTE[action.command]!;
    const label = action.command === 'info' ? 'Read Modem Info' : 'Read Crash Dump';
    if (!buttons.some((b) => b.commandId === palette.id)) buttons.push({ label, commandId: palette.id });
  }
  return buttons;
}
