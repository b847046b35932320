import * as vscode from 'vscode';

export interface SelectedPort {
  path: string;
  /** Board name once identified ('GPy' …), shown in the status bar. */
  boardName?: string;
  description?: string;
}

const STATE_KEY = 'pycomModem.selectedPort';

/** The port this workspace works with, remembered in workspaceState. */
export class PortSelection implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SelectedPort | undefined>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly defaultPort: () => string,
  ) {}

  get current(): SelectedPort | undefined {
    const stored = this.state.get<SelectedPort>(STATE_KEY);
    if (stored && typeof stored.path === 'string' && stored.path) return stored;
    const fallback = this.defaultPort();
    return fallback ? { path: fallback } : undefined;
  }

  async select(port: SelectedPort): Promise<void> {
    await this.state.update(STATE_KEY, port);
    this.changed.fire(port);
  }

  /** Records the board found on the selected port, if it is still the selected one. */
  async noteBoard(path: string, boardName: string): Promise<void> {
    const current = this.current;
    if (current?.path !== path || current.boardName === boardName) return;
    await this.select({ ...current, boardName });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
