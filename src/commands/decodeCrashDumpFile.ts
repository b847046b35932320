import * as vscode from 'vscode';
import { basename } from 'node:path';
import { formatCrashDumpText, type CrashDump } from '../core/parse/crashDump';
import { checkCrashDumpFile } from '../core/parse/crashDumpFile';
import { hexLines } from '../core/transcript/transcriptFormat';
import { crashDumpFromTranscript } from '../core/transcript/transcriptSummary';
import { sessionFromArgument } from './copyDiagnosticReport';
import type { GlueCommand } from './glueCommand';

/** Decoded dumps are shown as read-only documents of this scheme. */
export const CRASH_DUMP_SCHEME = 'pycom-crashdump';

const decodedTexts = new Map<string, string>();
let provider: vscode.Disposable | undefined;

/** Registered on first use: activation stays free of it, and a decoded text lives as long as the window. */
function ensureProvider(): void {
  provider ??= vscode.workspace.registerTextDocumentContentProvider(CRASH_DUMP_SCHEME, {
    provideTextDocumentContent: (uri) => decodedTexts.get(uri.toString()) ?? vscode.l10n.t('This decoded crash dump is no longer available: decode the file again.'),
  });
}

/** Transcripts are text with time-stamped lines; their crash dump is in "CRASHDUMP hex" lines. */
function isTranscriptText(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1');
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /.test(head);
}

export type DecodedCrashDump = { dump: CrashDump; text: string } | { error: string };

/** A saved crash dump or a transcript holding one, decoded; or why it is neither. Pure but for the name. */
export function decodeCrashDumpBytes(name: string, bytes: Uint8Array): DecodedCrashDump {
  let dumpBytes = bytes;
  let source = name;
  if (isTranscriptText(bytes)) {
    const fromTranscript = crashDumpFromTranscript(Buffer.from(bytes).toString('utf8'));
    if (!fromTranscript) return { error: vscode.l10n.t("{0} is a transcript without a crash dump: the modem's dump was not read in that session.", name) };
    dumpBytes = fromTranscript;
    source = `${name} (the crash dump read during that session)`;
  }
  const check = checkCrashDumpFile(dumpBytes);
  if (!check.isCrashDump) return { error: vscode.l10n.t('{0} is not a modem crash dump: {1}.', name, check.reason) };
  const text = [
    formatCrashDumpText(check.dump).trimEnd(),
    '',
    `Source: ${source}, ${dumpBytes.length} bytes`,
    '',
    'Raw bytes:',
    ...hexLines(check.dump.raw),
    '',
  ].join('\n');
  return { dump: check.dump, text };
}

/**
 * "Decode Crash Dump File…": a dump saved from AT+FSRDFILE="/fs/crashdump", or the
 * transcript of a session that read one, shown decoded in a read-only document. Files are
 * read through workspace.fs, so a remote window's files work too.
 */
export const decodeCrashDumpFileCommand: GlueCommand = {
  id: 'pycomModem.decodeCrashDumpFile',
  async run(services, argument) {
    let uri: vscode.Uri | undefined;
    if (argument instanceof vscode.Uri) uri = argument;
    else if (argument !== undefined) {
      const transcriptPath = sessionFromArgument(services, argument)?.transcriptPath;
      if (transcriptPath) uri = vscode.Uri.file(transcriptPath);
    }
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: vscode.l10n.t('A saved modem crash dump, or the transcript of a session that read one'),
        canSelectMany: false,
        openLabel: vscode.l10n.t('Decode'),
        filters: { [vscode.l10n.t('Crash dumps and transcripts')]: ['bin', 'dump', 'log'], [vscode.l10n.t('All files')]: ['*'] },
      });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    const name = basename(uri.path);
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot read {0}: {1}', name, error instanceof Error ? error.message : String(error)));
      return undefined;
    }
    const decoded = decodeCrashDumpBytes(name, bytes);
    if ('error' in decoded) {
      void vscode.window.showErrorMessage(decoded.error);
      return undefined;
    }
    ensureProvider();
    const documentUri = vscode.Uri.parse(`${CRASH_DUMP_SCHEME}:/${encodeURIComponent(name)}.txt?${Date.now()}`);
    decodedTexts.set(documentUri.toString(), decoded.text);
    const document = await vscode.workspace.openTextDocument(documentUri);
    await vscode.window.showTextDocument(document, { preview: true });
    return decoded.dump;
  },
};
