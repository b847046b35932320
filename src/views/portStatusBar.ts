import * as vscode from 'vscode';
import { isSimulatedPort, type SerialPortChoice } from '../commands/modemCore';
import type { PortSelection, SelectedPort } from './portSelection';
import type { PortWatcher } from './portWatcher';

export const SELECT_PORT_COMMAND = 'pycomModem.selectPort';

/** The status bar entry: the selected port, its board, and whether it is plugged in. */
export class PortStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  /** The selected path stays watched: a typed pty path counts as plugged in while it exists. */
  private watched: { path: string; watch: vscode.Disposable } | undefined;

  constructor(
    private readonly selection: PortSelection,
    private readonly watcher: PortWatcher,
  ) {
    this.item = vscode.window.createStatusBarItem('pycomModem.port', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Pycom Modem Port';
    this.item.command = SELECT_PORT_COMMAND;
    this.disposables.push(
      this.item,
      selection.onDidChange(() => this.render()),
      watcher.onDidChangePorts(() => this.render()),
    );
    this.render();
    this.item.show();
  }

  render(): void {
    this.watchSelected();
    this.renderFor(this.selection.current, this.watcher.latest);
  }

  private watchSelected(): void {
    const path = this.selection.current?.path;
    if (this.watched?.path === path) return;
    this.watched?.watch.dispose();
    this.watched = path ? { path, watch: this.watcher.watchPath(path) } : undefined;
    // What the last listing said about the new path is stale: list again.
    if (path && this.watcher.latest) void this.watcher.refresh().catch(() => undefined);
  }

  private renderFor(port: SelectedPort | undefined, ports: readonly SerialPortChoice[] | undefined): void {
    if (!port) {
      this.item.text = '$(plug) Select Pycom port';
      this.item.tooltip = 'Pycom Modem: choose the serial port of the board';
      this.item.backgroundColor = undefined;
      return;
    }
    const listed = ports?.find((p) => p.path === port.path);
    // Only a real port known to be absent is flagged; before the first listing we do not know.
    const isMissing = !isSimulatedPort(port.path) && ports !== undefined && !listed;
    const board = port.boardName ?? listed?.board;
    this.item.text = `${isMissing ? '$(debug-disconnect)' : '$(plug)'} ${port.path}${board ? ` · ${board}` : ''}`;
    this.item.tooltip = new vscode.MarkdownString(
      [
        `**Pycom Modem port:** \`${port.path}\``,
        board ? `Board: ${board}` : undefined,
        listed?.description ?? port.description,
        isMissing ? '$(warning) Not connected: plug the board in.' : undefined,
        'Click to choose another port.',
      ]
        .filter(Boolean)
        .join('\n\n'),
      true,
    );
    this.item.backgroundColor = isMissing ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.watched?.watch.dispose();
    this.watched = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
