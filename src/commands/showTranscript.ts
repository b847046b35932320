import * as vscode from 'vscode';
import type { GlueCommand } from './glueCommand';
import { sessionFromArgument } from './copyDiagnosticReport';

/** Opens the full transcript of a session (the latest with one, unless a log-view node says which). */
export const showTranscriptCommand: GlueCommand = {
  id: 'pycomModem.showTranscript',
  async run(services, argument) {
    const chosen = argument === undefined ? undefined : sessionFromArgument(services, argument);
    const session = chosen ?? [...services.sessions.sessions].reverse().find((s) => s.transcriptPath);
    if (!session?.transcriptPath) {
      const showLog = vscode.l10n.t('Show Log');
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t('No transcript yet: upgrades write one when they run. The "Pycom Modem" output has the log of this window.'),
        showLog,
      );
      if (choice === showLog) services.output.show(true);
      return undefined;
    }
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(session.transcriptPath));
    await vscode.window.showTextDocument(document, { preview: true });
    return session.transcriptPath;
  },
};

/** The log view's inline action: same command, kept separate so it can stay out of the palette. */
export const openSessionTranscriptCommand: GlueCommand = {
  id: 'pycomModem.openSessionTranscript',
  run: (services, argument) => showTranscriptCommand.run(services, argument ?? services.sessions.current?.id),
};
