import * as vscode from 'vscode';
import type { SerialPortChoice } from '../glue/modemCore';
import { portCapabilities } from '../glue/portProviders';
import { readStatusBarMode, STATUS_BAR_SETTING, type StatusBarMode } from '../glue/settings';
import type { PortSelection, SelectedPort } from './portSelection';
import type { PortWatcher } from './portWatcher';

export const SELECT_PORT_COMMAND = 'pycomModem.selectPort';

/** What decides whether the port item shows in this window. */
export interface PortItemFacts {
  mode: StatusBarMode;
  hasSelectedPort: boolean;
  /** A port the OS lists is recognised as a Pycom board (USB ids, manufacturer). */
  hasPycomBoard: boolean;
  hasOpenedSessionsView: boolean;
}

/**
 * `auto` keeps the item out of the windows of projects that have nothing to do with a
 * Pycom board: it shows once a board is plugged in, a port was picked, or the Sessions
 * view was opened (someone came looking for it).
 */
export function isPortItemWanted(facts: PortItemFacts): boolean {
  if (facts.mode === 'always') return true;
  if (facts.mode === 'never') return false;
  return facts.hasSelectedPort || facts.hasPycomBoard || facts.hasOpenedSessionsView;
}

export interface PortStatusBarOptions {
  /** Reads `pycomModem.statusBar` (tests pass their own). */
  mode?: () => StatusBarMode;
}

/** The status bar entry: the selected port, its board, and whether it is plugged in. */
export class PortStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly mode: () => StatusBarMode;
  /** The selected path stays watched: a typed pty path counts as plugged in while it exists. */
  private watched: { path: string; watch: vscode.Disposable } | undefined;
  private hasOpenedSessionsView = false;
  private isShown = false;
  private isDisposed = false;

  constructor(
    private readonly selection: PortSelection,
    private readonly watcher: PortWatcher,
    options: PortStatusBarOptions = {},
  ) {
    this.mode = options.mode ?? readStatusBarMode;
    this.item = vscode.window.createStatusBarItem('pycomModem.port', vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('Pycom Modem Port');
    this.item.command = SELECT_PORT_COMMAND;
    this.disposables.push(
      this.item,
      selection.onDidChange(() => {
        this.render();
        this.startWatchingIfNeeded();
      }),
      watcher.onDidChangePorts(() => this.render()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration(STATUS_BAR_SETTING)) return;
        this.render();
        this.startWatchingIfNeeded();
      }),
    );
    this.render();
  }

  get isVisible(): boolean {
    return this.isShown;
  }

  /** Someone opened the Sessions view: in `auto`, the item shows from now on in this window. */
  noteSessionsViewOpened(): void {
    if (this.hasOpenedSessionsView) return;
    this.hasOpenedSessionsView = true;
    this.render();
  }

  /**
   * Starts listing ports when the item depends on it: the selected port's plugged-in
   * state, or, in `auto` with no port picked, whether a Pycom board is plugged in.
   * Listing loads the serial code, so activation calls this only once it has returned.
   */
  startWatchingIfNeeded(): void {
    const mode = this.mode();
    if (this.isDisposed || mode === 'never') return;
    if (this.selection.current || mode === 'auto') this.watcher.start();
  }

  render(): void {
    this.watchSelected();
    const port = this.selection.current;
    const ports = this.watcher.latest;
    this.renderFor(port, ports);
    this.setShown(
      isPortItemWanted({
        mode: this.mode(),
        hasSelectedPort: port !== undefined,
        hasPycomBoard: ports?.some((p) => p.isLikelyPycom) ?? false,
        hasOpenedSessionsView: this.hasOpenedSessionsView,
      }),
    );
  }

  private setShown(isWanted: boolean): void {
    if (isWanted === this.isShown) return;
    this.isShown = isWanted;
    if (isWanted) this.item.show();
    else this.item.hide();
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
      const board = ports?.find((p) => p.isLikelyPycom);
      this.item.text = `$(plug) ${vscode.l10n.t('Select Pycom port')}`;
      this.item.tooltip = board
        ? vscode.l10n.t('Pycom Modem: a Pycom board is on {0}; click to choose its port', board.path)
        : vscode.l10n.t('Pycom Modem: choose the serial port of the board');
      this.item.backgroundColor = undefined;
      return;
    }
    const listed = ports?.find((p) => p.path === port.path);
    // Only a real port known to be absent is flagged; before the first listing we do not know.
    const isMissing = portCapabilities(port.path).isListedByOs && ports !== undefined && !listed;
    const board = port.boardName ?? listed?.board;
    this.item.text = `${isMissing ? '$(debug-disconnect)' : '$(plug)'} ${port.path}${board ? ` · ${board}` : ''}`;
    this.item.tooltip = new vscode.MarkdownString(
      [
        vscode.l10n.t('**Pycom Modem port:** `{0}`', port.path),
        board ? vscode.l10n.t('Board: {0}', board) : undefined,
        listed?.description ?? port.description,
        isMissing ? `$(warning) ${vscode.l10n.t('Not connected: plug the board in.')}` : undefined,
        vscode.l10n.t('Click to choose another port.'),
      ]
        .filter(Boolean)
        .join('\n\n'),
      true,
    );
    this.item.backgroundColor = isMissing ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this.isDisposed = true;
    this.watched?.watch.dispose();
    this.watched = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
