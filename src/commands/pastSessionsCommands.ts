import * as vscode from 'vscode';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { transcriptStartFromName } from '../core/transcript/transcriptSummary';
import { REFRESH_SESSIONS_COMMAND } from '../views/logTree';
import { loadPastSessions } from '../views/pastSessions';
import type { GlueCommand } from './glueCommand';
import type { ExtensionServices } from '../glue/services';
import { transcriptFolder } from './upgradeOutcomeText';

/** Defaults of pycomModem.transcripts.keep / .maxAgeDays (package.json says the same). */
const DEFAULT_KEEP = 50;
const DEFAULT_MAX_AGE_DAYS = 90;

function pruneSettings(): { keep: number; maxAgeDays: number } {
  const config = vscode.workspace.getConfiguration('pycomModem.transcripts');
  const whole = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback);
  return { keep: whole(config.get('keep'), DEFAULT_KEEP), maxAgeDays: whole(config.get('maxAgeDays'), DEFAULT_MAX_AGE_DAYS) };
}

/**
 * Lists the sessions of earlier windows in the Sessions view, from the transcripts on disk
 * (a reload or a restart keeps the history), after removing those the settings no longer keep.
 */
export const refreshSessionsCommand: GlueCommand = {
  id: REFRESH_SESSIONS_COMMAND,
  async run(services) {
    const folder = transcriptFolder(services);
    const { sessions, pruned } = await loadPastSessions(folder, { ...pruneSettings(), startedBeforeMs: services.sessions.createdAtEpochMs });
    for (const path of pruned) services.output.info(`Removed old transcript ${path} (pycomModem.transcripts.keep / maxAgeDays).`);
    services.sessions.setPast(sessions);
    return sessions.length;
  },
};

/** Shows the transcripts folder in the OS file manager, the newest transcript selected. */
export const openTranscriptsFolderCommand: GlueCommand = {
  id: 'pycomModem.openTranscriptsFolder',
  async run(services: ExtensionServices) {
    const folder = transcriptFolder(services);
    await mkdir(folder, { recursive: true });
    const newest = (await readdir(folder))
      .filter((name) => transcriptStartFromName(name) !== undefined)
      .sort((a, b) => transcriptStartFromName(b)! - transcriptStartFromName(a)!)[0];
    const target = vscode.Uri.file(newest ? join(folder, newest) : folder);
    // The OS file manager exists only where the extension runs next to the desktop; elsewhere
    // (a remote host) the path is what helps: offered to copy.
    if (vscode.env.remoteName === undefined) {
      try {
        await vscode.commands.executeCommand('revealFileInOS', target);
        return folder;
      } catch {
        // Fall through to the message.
      }
    }
    const copyPath = vscode.l10n.t('Copy Path');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Transcripts are in {0}', folder), copyPath);
    if (choice === copyPath) await vscode.env.clipboard.writeText(folder);
    return folder;
  },
};
