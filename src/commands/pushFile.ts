import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { GlueCommand } from './glueCommand';
import { copiesFolderFor, localFileFor } from './localFileCopy';
import { readySimulatedBoard, resolvePort, runOperation, showFailure } from './operation';

/** A remote name the board's file system takes: /flash/<name>, no path tricks. */
export function defaultRemotePath(localPath: string): string {
  return `/flash/${basename(localPath)}`;
}

export const pushFileCommand: GlueCommand = {
  id: 'pycomModem.pushFile',
  async run(services, fileArgument) {
    const portPath = await resolvePort(services);
    if (!portPath) return undefined;
    let uri = fileArgument instanceof vscode.Uri ? fileArgument : undefined;
    if (!uri) {
      const picked = await vscode.window.showOpenDialog({
        title: vscode.l10n.t('File to copy to the board'),
        canSelectMany: false,
        openLabel: vscode.l10n.t('Push to Board'),
      });
      uri = picked?.[0];
    }
    if (!uri) return undefined;
    // An explorer or dialog file of a remote window lives on the remote machine: read it from there.
    let localPath: string;
    try {
      localPath = (await localFileFor(uri, { copiesFolder: copiesFolderFor(services) })).path;
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot read {0}: {1}', basename(uri.path), error instanceof Error ? error.message : String(error)));
      return undefined;
    }
    const remotePath = await vscode.window.showInputBox({
      title: vscode.l10n.t('Path on the board'),
      value: defaultRemotePath(uri.path),
      validateInput: (value) => (/^\/(flash|sd)\/[^\0]+$/.test(value) ? undefined : vscode.l10n.t('A path under /flash/ or /sd/')),
    });
    if (!remotePath) return undefined;
    const name = basename(uri.path);
    const outcome = await runOperation(
      services,
      { kind: 'push', title: vscode.l10n.t('Push {0}', name), portPath, showPanel: false, progressTitle: vscode.l10n.t('Copying {0} to {1}', name, remotePath) },
      async ({ core, signal, record }) => {
        await readySimulatedBoard(services, core, portPath, record);
        await core.pushFile(
          { port: await services.ownerFor(portPath), localPath, remotePath },
          {
            signal,
            onProgress: (bytesDone, bytesTotal) =>
              record({
                kind: 'progress',
                step: 'push-files',
                fileIndex: 1,
                fileName: name,
                bytesDone,
                bytesTotal,
                bytesPerSecond: 0,
                atMs: Date.now(),
              }),
          },
        );
        record({ kind: 'result', outcome: 'success', message: `${name} copied to ${remotePath}.`, atMs: Date.now() });
      },
    );
    if (!outcome.ok) {
      await showFailure(services, outcome.error, vscode.l10n.t('Copying {0}', name), portPath);
      return undefined;
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} copied to {1}.', name, remotePath));
    return remotePath;
  },
};
