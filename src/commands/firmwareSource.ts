import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import type { ExtensionServices } from '../glue/services';
import type { KnownModem } from '../glue/upgradePreflight';
import { modemStateWords } from '../views/panelEvents';
import { pickedAsLocalFiles, pickFirmwareFiles } from './firmwarePicker';

/** Where the firmware of an upgrade comes from. */
export type FirmwareSource =
  /** Loose files on this computer (or an interrupted attempt's). */
  | { kind: 'files'; files: string[]; updaterPath?: string }
  /** A Pycom package: the .zip as downloaded, or the folder it was extracted to. */
  | { kind: 'package'; source: string }
  /** Pycom's SD card and /flash methods: the board's own updater runs. */
  | { kind: 'on-board' };

interface SourceItem extends vscode.QuickPickItem {
  choose(): Promise<FirmwareSource | undefined>;
}

/**
 * The first question of "Pycom: Upgrade Modem": which firmware, and so which method. A
 * package comes first (the tool picks the files for the modem); an interrupted attempt on
 * this port is offered above everything when the modem may be waiting for it.
 */
export async function pickFirmwareSource(services: ExtensionServices, portPath: string, known: KnownModem): Promise<FirmwareSource | undefined> {
  return pickFrom(services, vscode.l10n.t('Upgrade the modem on {0}', portPath), await resumeItem(services, portPath, known), { hasOnBoard: true });
}

/** For several boards: a package (each board gets its own choice from it) or the files; the on-board methods go one board at a time. */
export async function pickFleetFirmwareSource(services: ExtensionServices, boardCount: number): Promise<Extract<FirmwareSource, { kind: 'files' | 'package' }> | undefined> {
  const source = await pickFrom(services, vscode.l10n.t('Upgrade the modems of {0} boards', boardCount), undefined, { hasOnBoard: false });
  return source?.kind === 'on-board' ? undefined : source;
}

async function pickFrom(services: ExtensionServices, title: string, resume: SourceItem | undefined, options: { hasOnBoard: boolean }): Promise<FirmwareSource | undefined> {
  const items: SourceItem[] = [
    ...(resume ? [resume] : []),
    {
      label: `$(package) ${vscode.l10n.t('Choose package…')}`,
      detail: vscode.l10n.t("The .zip as downloaded from Pycom: the board reads its modem and the tool picks the files (the diff for its build, or the full image and updater.elf)."),
      choose: () => pickPackageZip(services),
    },
    {
      label: `$(folder) ${vscode.l10n.t('Choose extracted package folder…')}`,
      detail: vscode.l10n.t('The folder the package was extracted to: the same choice of files.'),
      choose: () => pickPackageFolder(),
    },
    {
      label: `$(file) ${vscode.l10n.t('Choose firmware files…')}`,
      detail: vscode.l10n.t('Pick the .dup file(s) to install yourself.'),
      choose: async () => {
        const files = await pickFirmwareFiles(services);
        return files?.length ? { kind: 'files', files } : undefined;
      },
    },
    ...(options.hasOnBoard
      ? [
          {
            label: `$(circuit-board) ${vscode.l10n.t('Use files on the board (SD card or /flash)…')}`,
            detail: vscode.l10n.t("Pycom's SD card and /flash methods: the board's own updater sends the file to the modem; no mirror mode."),
            choose: async (): Promise<FirmwareSource> => ({ kind: 'on-board' }),
          },
        ]
      : []),
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: resume ? vscode.l10n.t('An earlier upgrade on this port was interrupted') : vscode.l10n.t('Which firmware?'),
  });
  return picked?.choose();
}

/**
 * When the last attempt on this port did not finish and the modem is (or may be) in
 * upgrade mode (4) or its bootrom (0): continue it with the same files. A modem known to
 * run its application (2) needs no resume.
 */
async function resumeItem(services: ExtensionServices, portPath: string, known: KnownModem): Promise<SourceItem | undefined> {
  const last = await services.lastAttempts.get(portPath);
  if (!last || last.outcome === 'success') return undefined;
  const state = known.state ?? last.modemStateAfter;
  if (state !== undefined && state !== 0 && state !== 4) return undefined;
  const names = last.files.map((f) => f.split(/[\\/]/).pop()).join(' + ');
  const how =
    state === 4
      ? vscode.l10n.t('The modem is in {0}.', modemStateWords(4))
      : state === 0
        ? vscode.l10n.t('The modem is in its {0}.', modemStateWords(0))
        : vscode.l10n.t('The last upgrade did not finish; the modem is detected again after the switch to mirror mode.');
  return {
    label: `$(debug-continue) ${vscode.l10n.t('Resume the interrupted upgrade')}`,
    description: names,
    detail: vscode.l10n.t('{0} Last attempt: {1} ({2}).', how, last.startedAt, last.outcome === 'running' ? vscode.l10n.t('the window was closed') : last.outcome),
    async choose() {
      // A package attempt resumes from the package: in upgrade mode it picks the full image alone.
      if (last.files.length === 1 && (await isPackagePath(last.files[0]!))) return { kind: 'package', source: last.files[0]! };
      // A modem in upgrade mode resumes without updater.elf; in its bootrom it needs it again.
      return { kind: 'files', files: last.files, ...(last.updaterPath && state !== 4 ? { updaterPath: last.updaterPath } : {}) };
    },
  };
}

async function isPackagePath(path: string): Promise<boolean> {
  if (/\.zip$/i.test(path)) return true;
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}

async function pickPackageZip(services: ExtensionServices): Promise<FirmwareSource | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('Pycom modem firmware package (.zip)'),
    canSelectMany: false,
    openLabel: vscode.l10n.t('Use Package'),
    filters: { [vscode.l10n.t('Firmware package')]: ['zip'], [vscode.l10n.t('All files')]: ['*'] },
  });
  if (!picked?.[0]) return undefined;
  const [local] = (await pickedAsLocalFiles(services, [picked[0]])) ?? [];
  return local ? { kind: 'package', source: local } : undefined;
}

async function pickPackageFolder(): Promise<FirmwareSource | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('The folder the firmware package was extracted to'),
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: vscode.l10n.t('Use Folder'),
  });
  const folder = picked?.[0];
  if (!folder) return undefined;
  if (folder.scheme !== 'file') {
    // The board is on this machine; a folder of the remote one would have to be copied file by file.
    void vscode.window.showErrorMessage(
      vscode.l10n.t('The folder {0} is on the remote machine. Choose the package .zip instead (it is copied here), or the .dup files themselves.', folder.toString()),
    );
    return undefined;
  }
  return { kind: 'package', source: folder.fsPath };
}
