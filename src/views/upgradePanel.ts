import * as vscode from 'vscode';
import { parsePanelToHost, type HostToPanel, type PanelToHost } from '../shared/panelMessages';
import { renderPanelHtml } from './panelHtml';
import { sessionHeader, sessionReplay, toPanelMessage } from './panelEvents';
import type { SessionLog, RunRecord } from './sessionLog';
import type { FleetBoards } from './fleetBoards';

export const UPGRADE_PANEL_VIEW_TYPE = 'pycomModem.upgradePanel';

/** What the panel's buttons do; the host only routes validated messages here. */
export interface PanelActions {
  /** Every job of the window (all boards of a several-board upgrade). */
  cancel(): void;
  /** One board of a several-board upgrade. */
  cancelBoard(portPath: string): void;
  /** With the id of the session the panel shows. */
  copyReport(sessionId: string | undefined): Promise<void> | void;
  openTranscript(sessionId: string | undefined): Promise<void> | void;
}

/** Sessions the panel follows: upgrades and single reads, not file pushes. */
function isShownInPanel(session: RunRecord): boolean {
  return session.kind !== 'push';
}

/**
 * The host side of the upgrade panel. It never queues messages for a page that is not
 * ready: on `ready` it sends the whole current session at once, then live messages.
 * A page reloaded, hidden or reopened mid-upgrade so shows everything, exactly once.
 */
export class UpgradePanelHost implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private isReady = false;
  private shownSession: RunRecord | undefined;
  /** A several-board upgrade's rows, shown above the session of one of its boards. */
  private fleet: FleetBoards | undefined;
  private detachFleet: (() => void) | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private panelDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly sessions: SessionLog,
    private readonly actions: PanelActions,
  ) {
    const unsubscribe = sessions.changes.on((change) => {
      if (!isShownInPanel(change.session)) return;
      if (change.kind === 'sessionStarted') {
        if (this.fleet?.has(change.session.portPath)) {
          // Boards start together: the panel stays on the one shown until the user picks another.
          if (this.shownSession && this.fleet.has(this.shownSession.portPath)) return;
        } else if (this.fleet) {
          this.showFleet(undefined);
        }
        this.shownSession = change.session;
        this.post(sessionHeader(change.session));
        return;
      }
      if (change.session !== this.shownSession) return;
      const message = toPanelMessage(change.event);
      if (message) this.post(message);
    });
    this.disposables.push({ dispose: unsubscribe });
    this.shownSession = [...sessions.sessions].reverse().find(isShownInPanel);
  }

  /** Shows a several-board upgrade's rows (undefined: no more), kept up to date until the next one. */
  showFleet(fleet: FleetBoards | undefined): void {
    this.detachFleet?.();
    this.detachFleet = undefined;
    this.fleet = fleet;
    if (fleet) this.detachFleet = fleet.changes.on(() => this.post(this.fleetMessage()));
    this.post(this.fleetMessage());
  }

  /** Shows the session of one board of the fleet, as its Details button asks. */
  showBoard(portPath: string): void {
    const sessionId = this.fleet?.row(portPath)?.sessionId;
    const session = sessionId ? this.sessions.sessions.find((s) => s.id === sessionId) : undefined;
    if (!session) return;
    this.shownSession = session;
    this.post(this.replay());
  }

  private fleetMessage(): HostToPanel {
    return { type: 'fleet', title: this.fleet?.title ?? '', rows: this.fleet?.snapshot ?? [] };
  }

  /** Everything the page shows, at once: the fleet's rows, then the session shown. */
  private replay(): HostToPanel {
    const session = this.shownSession ? sessionReplay(this.shownSession) : undefined;
    return {
      type: 'replay',
      messages: [...(this.fleet ? [this.fleetMessage()] : []), ...(session?.type === 'replay' ? session.messages : [])],
    };
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Opens the panel (beside the editor by default) or brings it forward. */
  show(options: { preserveFocus?: boolean; column?: vscode.ViewColumn } = {}): void {
    const column = options.column ?? vscode.ViewColumn.Beside;
    if (this.panel) {
      this.panel.reveal(column, options.preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      UPGRADE_PANEL_VIEW_TYPE,
      vscode.l10n.t('Modem Upgrade'),
      { viewColumn: column, preserveFocus: options.preserveFocus ?? true },
      this.webviewOptions(),
    );
    this.attach(panel);
  }

  /** Takes over a panel VS Code restored after a reload (WebviewPanelSerializer). */
  revive(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    panel.webview.options = this.webviewOptions();
    this.attach(panel);
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.isReady = false;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icon.png');
    const webview = panel.webview;
    webview.html = renderPanelHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css')).toString(),
    });
    this.panelDisposables.push(
      webview.onDidReceiveMessage((data: unknown) => this.received(parsePanelToHost(data))),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.isReady = false;
        for (const d of this.panelDisposables.splice(0)) d.dispose();
      }),
    );
  }

  private received(message: PanelToHost | undefined): void {
    // Anything outside the union is dropped: the page is not trusted.
    if (!message) return;
    switch (message.type) {
      case 'ready':
        this.isReady = true;
        // Always answer, even with nothing: until then the page cannot tell "no session"
        // from "not told yet", and would flash its empty-state text on every reopen.
        void this.panel?.webview.postMessage(this.replay());
        return;
      case 'cancel':
        this.actions.cancel();
        return;
      case 'cancelBoard':
        // Only a board of the fleet shown: the page is not trusted to name any port.
        if (this.fleet?.has(message.portPath)) this.actions.cancelBoard(message.portPath);
        return;
      case 'showBoard':
        this.showBoard(message.portPath);
        return;
      case 'copyReport':
        void this.actions.copyReport(this.shownSession?.id);
        return;
      case 'openTranscript':
        void this.actions.openTranscript(this.shownSession?.id);
        return;
    }
  }

  private post(message: HostToPanel): void {
    if (this.panel && this.isReady) void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.detachFleet?.();
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

export function registerUpgradePanelSerializer(host: UpgradePanelHost): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(UPGRADE_PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel) {
      host.revive(panel);
    },
  });
}
