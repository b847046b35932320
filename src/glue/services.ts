import type * as vscode from 'vscode';
import type { PortOwner } from '../core/transport/portOwner';
import type { LastAttemptStore } from './lastAttempts';
import type { ModemCore } from './modemCore';
import type { ModemSettings } from './settings';
import type { PortSelection } from '../views/portSelection';
import type { PortWatcher } from '../views/portWatcher';
import type { SessionLog } from '../views/sessionLog';
import type { UpgradePanelHost } from '../views/upgradePanel';

/**
 * What every command handler needs, in one place and injectable: tests build it with
 * a fake core; extension.ts builds it with the lazy real one.
 */
export interface ExtensionServices {
  readonly extensionUri: vscode.Uri;
  readonly extensionVersion: string;
  /** Where the demo firmware and default transcripts go. */
  readonly storageUri: vscode.Uri;
  readonly settings: () => ModemSettings;
  readonly sessions: SessionLog;
  readonly output: vscode.LogOutputChannel;
  readonly selection: PortSelection;
  readonly watcher: PortWatcher;
  readonly panel: UpgradePanelHost;
  /** The files of the last upgrade attempt per port (workspace state), for "Resume the interrupted upgrade". */
  readonly lastAttempts: LastAttemptStore;
  /** Loads core, serial and simulator code on first use. */
  loadCore(): Promise<ModemCore>;
  /** The one owner of each port in this window. */
  ownerFor(portPath: string): Promise<PortOwner>;
  /** The running upgrade's cancel switch (the panel's Cancel button uses it). */
  activeOperation: AbortController | undefined;
  /** A several-board upgrade under way: one board can be stopped alone (the panel's row Cancel). */
  activeFleet: { cancelBoard(portPath: string): void } | undefined;
}
