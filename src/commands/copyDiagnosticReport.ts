import * as vscode from 'vscode';
import { arch, platform, release } from 'node:os';
import type { GlueCommand } from './glueCommand';
import type { ExtensionServices } from '../glue/services';
import type { RunRecord } from '../views/sessionLog';

/** The session a command was invoked on: a log-view node, an id, or the latest. */
export function sessionFromArgument(services: ExtensionServices, argument: unknown): RunRecord | undefined {
  if (typeof argument === 'string') return services.sessions.find(argument);
  if (typeof argument === 'object' && argument !== null && 'session' in argument) {
    const session = (argument as { session: unknown }).session;
    if (typeof session === 'object' && session !== null && 'id' in session) {
      return services.sessions.find(String((session as { id: unknown }).id));
    }
  }
  return services.sessions.current;
}

/** The core's forum-ready report of one session: the transcript file's tail when it can be read, else the events. */
export async function renderSessionReport(services: ExtensionServices, session: RunRecord): Promise<string> {
  const core = await services.loadCore();
  return core.renderReport(session.events, {
    environment: {
      os: `${platform()} ${arch()} (${release()})`,
      node: process.version,
      toolVersion: `extension ${services.extensionVersion}`,
      frontEnd: `VS Code ${vscode.version}`,
    },
    portPath: session.portPath,
    ...(session.board ? { board: session.board } : {}),
    ...(session.files ? { files: session.files } : {}),
    ...(session.transcriptPath ? { transcriptPath: session.transcriptPath } : {}),
  });
}

export const copyDiagnosticReportCommand: GlueCommand = {
  id: 'pycomModem.copyDiagnosticReport',
  async run(services, argument) {
    const session = sessionFromArgument(services, argument);
    if (!session) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No modem session yet: run an upgrade or read the modem info first.'));
      return undefined;
    }
    const report = await renderSessionReport(services, session);
    await vscode.env.clipboard.writeText(report);
    void vscode.window.showInformationMessage(vscode.l10n.t('Diagnostic report copied (Markdown): paste it into a forum post or an issue.'));
    return report;
  },
};
