import * as vscode from 'vscode';
import { isSimulatedPort, type SerialPortChoice } from '../commands/modemCore';
import type { PortSelection, SelectedPort } from './portSelection';
import type { PortWatcher } from './portWatcher';

export const SELECT_PORT_COMMAND = 'pycomModem.selectPort';

/** The status bar entry: the selected port, its board, and whether it is plugged in. */
export class PortStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

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
    this.renderFor(this.selection.current, this.watcher.latest);
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
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
