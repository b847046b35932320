import * as vscode from 'vscode';
import { isModemToolError } from '../core/errors';
import type { ExtensionServices } from '../glue/services';

export const PUT_IN_MIRROR_MODE = vscode.l10n.t('Put in Mirror Mode');
export const UPGRADE_MODEM = vscode.l10n.t('Upgrade Modem…');
export const OPEN_REPL = vscode.l10n.t('Open REPL');

/** Mirror mode has no exit (PROTOCOL.md §1): every message that starts it says so. */
export const UNPLUG_AFTER_MIRROR = vscode.l10n.t('The board stays in mirror mode: unplug it and plug it back in to get its REPL back.');

/** The engine found the board's Python REPL where the modem was expected. */
export function isBoardAtRepl(error: unknown): boolean {
  return isModemToolError(error) && error.code === 'board-at-repl';
}

/**
 * The port is the board's REPL, where a board is after plugging it in: offer what reaches
 * the modem from there. Mirror mode (the board's own updater bridges the port to the
 * modem, changing nothing on it), the upgrade (which starts mirror mode itself), or the
 * REPL. True when the user chose mirror mode; the other choices run their command.
 */
export async function offerMirrorMode(services: ExtensionServices, portPath: string, purpose: string): Promise<boolean> {
  services.output.info(`${portPath} answered AT like a Python REPL: the board is at its REPL, not in mirror mode.`);
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('The board on {0} is at its Python REPL. Put it in mirror mode to {1}?', portPath, purpose),
    {
      modal: true,
      detail: vscode.l10n.t(
        "The modem answers on this port only in mirror mode. The board's updater (sqnsupgrade.uart()) starts it and only " +
          'probes the modem. Mirror mode has no exit: unplug the board and plug it back in afterwards. The upgrade starts mirror mode by itself.',
      ),
    },
    PUT_IN_MIRROR_MODE,
    UPGRADE_MODEM,
    OPEN_REPL,
  );
  // The upgrade asks its own questions and runs for minutes: it is started, not awaited.
  if (choice === UPGRADE_MODEM) void vscode.commands.executeCommand('pycomModem.upgradeModem', { portPath });
  if (choice === OPEN_REPL) await vscode.commands.executeCommand('pycomModem.openRepl', portPath);
  return choice === PUT_IN_MIRROR_MODE;
}
