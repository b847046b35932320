import * as vscode from 'vscode';
import { ALL_COMMANDS } from './commands';
import { LastAttemptStore } from './glue/lastAttempts';
import type { ModemCore } from './glue/modemCore';
import type { ExtensionServices } from './glue/services';
import { registerReplTerminalProfile } from './commands/replTerminalProfile';
import { readSettings } from './glue/settings';
import type { PortOwner } from './core/transport/portOwner';
import { LOG_VIEW_ID, LogTreeProvider } from './views/logTree';
import { mirrorSessionsToOutput } from './views/outputLog';
import { PortSelection } from './views/portSelection';
import { PortStatusBar } from './views/portStatusBar';
import { PortWatcher } from './views/portWatcher';
import { SessionLog } from './views/sessionLog';
import { UpgradePanelHost, registerUpgradePanelSerializer } from './views/upgradePanel';
import { UsageContext } from './views/usageContext';

/** Tests pass a fake core; the extension host gets the real one, loaded on first use. */
export interface ActivationOverrides {
  loadCore?: () => Promise<ModemCore>;
}

let services: ExtensionServices | undefined;

/**
 * Builds the glue objects and registers them; nothing here touches a port or loads
 * core, serial or simulator code (that happens inside the first command that needs it).
 */
export function activate(context: vscode.ExtensionContext, overrides: ActivationOverrides = {}): ExtensionServices {
  const output = vscode.window.createOutputChannel('Pycom Modem', { log: true });
  const sessions = new SessionLog();
  const loadCore = overrides.loadCore ?? memoize(async () => (await import('./glue/coreLoader.js')).loadModemCore(context));
  const owners = new Map<string, Promise<PortOwner>>();
  const watcher = new PortWatcher(async () => (await loadCore()).listSerialPorts());
  const selection = new PortSelection(context.workspaceState, () => readSettings().defaultPort);
  const panel = new UpgradePanelHost(context.extensionUri, sessions, {
    cancel: () => void vscode.commands.executeCommand('pycomModem.cancelOperation'),
    cancelBoard: (portPath) => services?.activeFleet?.cancelBoard(portPath),
    copyReport: (sessionId) => void vscode.commands.executeCommand('pycomModem.copyDiagnosticReport', sessionId),
    openTranscript: (sessionId) => void vscode.commands.executeCommand('pycomModem.showTranscript', sessionId),
  });

  const built: ExtensionServices = {
    extensionUri: context.extensionUri,
    extensionVersion: String((context.extension?.packageJSON as { version?: unknown } | undefined)?.version ?? 'dev'),
    storageUri: context.globalStorageUri,
    settings: readSettings,
    sessions,
    output,
    selection,
    watcher,
    panel,
    lastAttempts: new LastAttemptStore(context.workspaceState, loadCore),
    loadCore,
    ownerFor(portPath) {
      let owner = owners.get(portPath);
      if (!owner) {
        owner = (async () => {
          const { PortOwner } = await import('./core/transport/portOwner.js');
          return new PortOwner(await (await loadCore()).openerFor(portPath), portPath);
        })();
        owners.set(portPath, owner);
        owner.catch(() => owners.delete(portPath));
      }
      return owner;
    },
    activeOperation: undefined,
    activeFleet: undefined,
  };
  services = built;

  const tree = new LogTreeProvider(sessions);
  const statusBar = new PortStatusBar(selection, watcher);
  const usage = new UsageContext(selection, context.globalState);
  const treeView = vscode.window.createTreeView(LOG_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(
    output,
    selection,
    watcher,
    panel,
    tree,
    statusBar,
    usage,
    registerUpgradePanelSerializer(panel),
    treeView,
    // Opening the Sessions view is asking for the extension: the port item shows (statusBar auto).
    treeView.onDidChangeVisibility((event) => event.visible && statusBar.noteSessionsViewOpened()),
    registerReplTerminalProfile(built),
    { dispose: mirrorSessionsToOutput(sessions, output) },
    { dispose: () => void Promise.all([...owners.values()].map((o) => o.then((owner) => owner.dispose(), () => undefined))) },
    ...ALL_COMMANDS.map((command) =>
      vscode.commands.registerCommand(command.id, (...args: unknown[]) => {
        usage.noteUsed();
        return command.run(built, ...args);
      }),
    ),
  );
  if (treeView.visible) statusBar.noteSessionsViewOpened();
  // The status bar shows whether the selected board is plugged in, and (statusBar auto)
  // appears when a Pycom board is; listing ports loads the serial module, so it starts
  // after activation has returned, and not at all with statusBar never.
  const watchStart = setTimeout(() => statusBar.startWatchingIfNeeded(), 0);
  context.subscriptions.push({ dispose: () => clearTimeout(watchStart) });
  return built;
}

export function deactivate(): void {
  services?.activeOperation?.abort();
  services = undefined;
}

function memoize<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}
