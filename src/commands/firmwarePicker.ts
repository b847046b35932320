import * as vscode from 'vscode';
import type { ExtensionServices } from '../glue/services';
import type { FirmwareFileCheck, ModemCore } from '../glue/modemCore';
import { localFilesFor } from './localFileCopy';

/** The firmware files, from the open dialog; several for a two-stage upgrade. Files of a remote window are copied here first. */
export async function pickFirmwareFiles(services: ExtensionServices): Promise<string[] | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('Modem firmware (.dup): one file, or both parts of a two-stage upgrade'),
    canSelectMany: true,
    openLabel: vscode.l10n.t('Use Firmware'),
    filters: { [vscode.l10n.t('Sequans firmware')]: ['dup'], [vscode.l10n.t('All files')]: ['*'] },
  });
  if (!picked?.length) return undefined;
  // Two-stage upgrades ("...-1.dup", "...-2.dup") run in name order.
  const ordered = [...picked].sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }));
  return pickedAsLocalFiles(services, ordered);
}

export async function pickUpdaterElf(services: ExtensionServices): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('updater.elf (the modem is in its recovery bootrom or has the old 33080 bootrom)'),
    canSelectMany: false,
    openLabel: vscode.l10n.t('Use Updater'),
    filters: { [vscode.l10n.t('Updater image')]: ['elf'], [vscode.l10n.t('All files')]: ['*'] },
  });
  return picked?.[0] ? (await pickedAsLocalFiles(services, [picked[0]]))?.[0] : undefined;
}

/** Files of a remote window's file system are copied here first (localFileCopy.ts); undefined when that failed. */
export async function pickedAsLocalFiles(services: ExtensionServices, uris: readonly vscode.Uri[]): Promise<string[] | undefined> {
  try {
    const files = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Copying the picked files to this machine') },
      () => localFilesFor(uris, services),
    );
    return files.map((file) => file.path);
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot read the picked file: {0}', error instanceof Error ? error.message : String(error)));
    return undefined;
  }
}

export interface CheckedFiles {
  checks: FirmwareFileCheck[];
  updaterPath?: string;
  updater?: FirmwareFileCheck;
}

/**
 * The firmware files read and checked, updater.elf asked for when a modem needs it; a
 * problem with any file is said at once. Undefined when the user stopped or a file is unfit.
 */
export async function checkFirmwareFiles(
  services: ExtensionServices,
  core: ModemCore,
  request: { files: string[]; updaterPath?: string; needsUpdater: boolean },
): Promise<CheckedFiles | undefined> {
  const checks = await Promise.all(request.files.map((file) => core.inspectFirmwareFile(file)));
  let updaterPath = request.updaterPath;
  if (!updaterPath && request.needsUpdater) {
    updaterPath = await pickUpdaterElf(services);
    if (!updaterPath) return undefined;
  }
  const updater = updaterPath ? await core.inspectFirmwareFile(updaterPath) : undefined;
  const problems = [...checks, ...(updater ? [updater] : [])].flatMap((check) => check.problems);
  if (problems.length) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot upgrade with these files: {0}', problems.join(' ')));
    return undefined;
  }
  return { checks, ...(updaterPath && updater ? { updaterPath, updater } : {}) };
}
