import * as vscode from 'vscode';
import type { GlueCommand } from './glueCommand';
import type { ExtensionServices } from './services';
import { renderDiagnosticReport } from '../views/diagnosticReport';
import type { UpgradeSessionRecord } from '../views/sessionLog';

/** The session a command was invoked on: a log-view node, an id, or the latest. */
export function sessionFromArgument(services: ExtensionServices, argument: unknown): UpgradeSessionRecord | undefined {
  if (typeof argument === 'string') return services.sessions.find(argument);
  if (typeof argument === 'object' && argument !== null && 'session' in argument) {
    const session = (argument as { session: unknown }).session;
    if (typeof session === 'object' && session !== null && 'id' in session) {
      return services.sessions.find(String((session as { id: unknown }).id));
    }
  }
  return services.sessions.current;
}

export const copyDiagnosticReportCommand: GlueCommand = {
  id: 'pycomModem.copyDiagnosticReport',
  async run(services, argument) {
    const session = sessionFromArgument(services, argument);
    if (!session) {
      void vscode.window.showInformationMessage('No modem session yet: run an upgrade or read the modem info first.');
      return undefined;
    }
    const report = renderDiagnosticReport(session, {
      extensionVersion: services.extensionVersion,
      vscodeVersion: vscode.version,
      platform: `${process.platform} ${process.arch}`,
    });
    await vscode.env.clipboard.writeText(report);
    void vscode.window.showInformationMessage('Diagnostic report copied (Markdown): paste it into a forum post or an issue.');
    return report;
  },
};
