import * as vscode from 'vscode';
import { join } from 'node:path';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import type { ExtensionServices } from '../glue/services';
import { withActionWords } from '../glue/userActionWords';
import type { RunRecord } from '../views/sessionLog';

/** Where session transcripts go: the setting, else the extension's storage. */
export function transcriptFolder(services: ExtensionServices): string {
  const configured = services.settings().transcriptFolder;
  return configured || join(services.storageUri.fsPath, 'transcripts');
}

/** The session's last event of a kind. */
export function findLast<K extends UpgradeEvent['kind']>(session: RunRecord, kind: K) {
  for (let i = session.events.length - 1; i >= 0; i--) {
    const event = session.events[i]!;
    if (event.kind === kind) return event as Extract<UpgradeEvent, { kind: K }>;
  }
  return undefined;
}

/** " (build 41065)" after a firmware version or a crash place. */
export function buildNote(build: string | number): string {
  return vscode.l10n.t(' (build {0})', build);
}

/** One message: what failed, the modem crash if one was read, and what to do next. */
export function failureText(session: RunRecord, error: unknown): string {
  const result = findLast(session, 'result');
  const diagnosis = findLast(session, 'diagnosis')?.diagnosis;
  const crash = findLast(session, 'crashDump')?.dump;
  const message = (result?.message ?? (error instanceof Error ? error.message : 'unknown error')).replace(/^Upgrade failed:\s*/i, '');
  const parts = [vscode.l10n.t('Upgrade failed: {0}', message.replace(/\.?$/, '.'))];
  if (crash) {
    const build = crash.build ? buildNote(crash.build) : '';
    parts.push(
      crash.file
        ? vscode.l10n.t('The modem crashed in {0}{1}: the panel shows the crash dump.', `${crash.file}${crash.line !== undefined ? `:${crash.line}` : ''}`, build)
        : vscode.l10n.t('The modem crashed{0}: the panel shows the crash dump.', build),
    );
  }
  if (diagnosis) parts.push(`${diagnosis.title.replace(/\.?$/, '.')} ${withActionWords(diagnosis.action, diagnosis.actions)}`);
  else if (result?.error?.action) parts.push(withActionWords(result.error.action, result.error.actions));
  if (result?.resumeHint && !diagnosis) parts.push(result.resumeHint);
  return parts.join(' ');
}
