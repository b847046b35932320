import * as vscode from 'vscode';
import type { PortSelection } from './portSelection';

/** True once a port is picked (or `pycomModem.defaultPort` names one) in this workspace. */
export const HAS_PORT_CONTEXT = 'pycomModem.hasPort';
/** True once any Pycom command ran, in any workspace (remembered in global state). */
export const WAS_USED_CONTEXT = 'pycomModem.wasUsed';
const WAS_USED_KEY = 'pycomModem.wasUsed';

/**
 * Context keys that keep the extension's menu entries (Push File to Board in the
 * explorer) out of sight until the extension is of use in this window.
 */
export class UsageContext implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private hasPort: boolean | undefined;

  constructor(
    private readonly selection: PortSelection,
    private readonly globalState: vscode.Memento,
  ) {
    this.disposables.push(selection.onDidChange(() => this.updateHasPort()));
    this.updateHasPort();
    if (this.wasUsed) void vscode.commands.executeCommand('setContext', WAS_USED_CONTEXT, true);
  }

  get wasUsed(): boolean {
    return this.globalState.get<boolean>(WAS_USED_KEY) === true;
  }

  /** A command ran: its menu entries stay available from now on, in every workspace. */
  noteUsed(): void {
    if (this.wasUsed) return;
    void this.globalState.update(WAS_USED_KEY, true);
    void vscode.commands.executeCommand('setContext', WAS_USED_CONTEXT, true);
  }

  private updateHasPort(): void {
    const hasPort = this.selection.current !== undefined;
    if (hasPort === this.hasPort) return;
    this.hasPort = hasPort;
    void vscode.commands.executeCommand('setContext', HAS_PORT_CONTEXT, hasPort);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
