import * as vscode from 'vscode';
import { portCapabilities } from '../glue/portProviders';
import { resolvePort } from './operation';
import type { ExtensionServices } from '../glue/services';
import type { ReplTerminalOptions } from '../views/replTerminal';

/** The id of `contributes.terminal.profiles` in package.json: the terminal's "+" menu entry. */
export const REPL_TERMINAL_PROFILE_ID = 'pycomModem.repl';

/** What the REPL terminal of `portPath` needs: the same as "Pycom: Open REPL Terminal" passes. */
export function replTerminalOptions(services: ExtensionServices, portPath: string): ReplTerminalOptions {
  const { isListedByOs, canPowerCycle } = portCapabilities(portPath);
  return {
    portPath,
    baudRate: services.settings().replBaudRate,
    ownerFor: (path) => services.ownerFor(path),
    ports: isListedByOs ? services.watcher : undefined,
    canPowerCycle,
    // A board the tool can power-cycle (the simulated GPy) is taken out of mirror mode rather than waited for.
    beforeConnect: canPowerCycle
      ? async () => {
          const note = await (await services.loadCore()).readySimulatedBoard(portPath);
          if (note) services.output.info(note);
          return note;
        }
      : undefined,
  };
}

/**
 * The REPL as a terminal profile: VS Code creates the terminal from the returned options,
 * so the pseudoterminal is built here rather than through createReplTerminal (which
 * creates the terminal itself). Resolves to undefined when no port was picked.
 */
export async function provideReplTerminalProfile(
  services: ExtensionServices,
  token?: vscode.CancellationToken,
): Promise<vscode.TerminalProfile | undefined> {
  const portPath = await resolvePort(services);
  if (!portPath || token?.isCancellationRequested) return undefined;
  if (portCapabilities(portPath).isListedByOs) services.watcher.start();
  const { ReplPseudoterminal } = await import('../views/replTerminal.js');
  return new vscode.TerminalProfile({
    name: vscode.l10n.t('Pycom REPL ({0})', portPath),
    pty: new ReplPseudoterminal(replTerminalOptions(services, portPath)),
    iconPath: new vscode.ThemeIcon('terminal'),
  });
}

export function registerReplTerminalProfile(services: ExtensionServices): vscode.Disposable {
  return vscode.window.registerTerminalProfileProvider(REPL_TERMINAL_PROFILE_ID, {
    provideTerminalProfile: (token) => provideReplTerminalProfile(services, token),
  });
}
