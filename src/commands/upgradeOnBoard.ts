import * as vscode from 'vscode';
import { isModemToolError } from '../core/errors';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import type { OnBoardUpgradeRequest, UpgradeFilesOnBoard } from '../glue/modemCore';
import { portCapabilities } from '../glue/portProviders';
import type { ExtensionServices } from '../glue/services';
import { needsUpdaterElf, type KnownModem } from '../glue/upgradePreflight';
import { formatDecimalBytes } from '../shared/byteUnits';
import { cancelledAdvice } from '../views/panelEvents';
import type { RunRecord } from '../views/sessionLog';
import { identifyBoardOn } from './boardIdentify';
import { pickedAsLocalFiles } from './firmwarePicker';
import { POWER_CYCLE_SIMULATOR_ACTION, SHOW_LOG_ACTION, createEngineFor, powerCycleSimulator, readySimulatedBoard, runOperation, showFailure } from './operation';
import { confirmNewWarnings } from './upgradeConfirmation';
import { failureText, transcriptFolder } from './upgradeOutcomeText';

/** Listing the board's files is a few REPL exchanges and an SD mount; longer means it is not answering. */
const LIST_TIMEOUT_MS = 30_000;

interface BoardFileChoice {
  firmware: OnBoardUpgradeRequest['firmware'];
  updaterPath?: string;
}

/**
 * Pycom's SD card and /flash methods from the editor: the files the board holds are listed
 * (the SD card mounted as the board's updater would), one is picked (or a local diff goes
 * to /flash), one confirmation, then the board's own updater runs in the raw REPL and its
 * output becomes the same steps, progress, waits and diagnosis as the USB method's.
 */
export async function upgradeOnBoard(
  services: ExtensionServices,
  portPath: string,
  known: KnownModem,
  given?: { path: string; updaterPath?: string },
): Promise<RunRecord | undefined> {
  const identity = await identifyBoardOn(services, portPath);
  if (isModemToolError(identity.cause) && identity.cause.code === 'serial-binding') {
    await showFailure(services, identity.cause, vscode.l10n.t('Opening the serial port'));
    return undefined;
  }
  if (identity.error !== undefined || !identity.board) {
    await showFailure(services, identity.cause ?? new Error(identity.error), vscode.l10n.t('Identifying the board on {0}', portPath), portPath);
    return undefined;
  }
  if (!identity.board.hasLteModem) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('The board on {0} is a {1}: it has no LTE modem. Select the port of a GPy, FiPy or G01.', portPath, identity.board.name),
    );
    return undefined;
  }
  const choice = given ? { firmware: { kind: 'on-board' as const, path: given.path }, ...(given.updaterPath ? { updaterPath: given.updaterPath } : {}) } : await chooseBoardFile(services, portPath, known);
  if (!choice) return undefined;

  const shown = choice.firmware.kind === 'on-board' ? choice.firmware.path : choice.firmware.localPath.split(/[\\/]/).pop()!;
  const go = vscode.l10n.t('Upgrade');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t("Run the board's own updater on {0} ({1} on {2})?", shown, identity.board.name, portPath),
    { modal: true, detail: confirmationDetail(choice, known) },
    go,
  );
  if (answer !== go) return undefined;

  const outcome = await runOperation(
    services,
    {
      kind: 'upgrade',
      title: vscode.l10n.t("Upgrade {0} (board's updater)", shown.split('/').pop()!),
      portPath,
      showPanel: true,
      progressTitle: vscode.l10n.t("The board's updater is upgrading the modem on {0}", portPath),
    },
    async ({ core: loaded, signal, attach, session, record }) => {
      if (identity.powerCycleNote) record({ kind: 'log', level: 'info', message: identity.powerCycleNote, atMs: Date.now() });
      session.board = { machine: identity.board!.name, release: identity.board!.firmwareVersion, hasLteModem: true };
      const engine = createEngineFor(services, loaded, portPath);
      attach(engine);
      await readySimulatedBoard(services, loaded, portPath, record);
      return loaded.runOnBoardUpgrade(
        {
          port: await services.ownerFor(portPath),
          firmware: choice.firmware,
          ...(choice.updaterPath ? { updaterPath: choice.updaterPath } : {}),
          transcriptDir: transcriptFolder(services),
          confirm: (warnings) => confirmNewWarnings(portPath, warnings),
        },
        { engine, signal },
      );
    },
  );
  await announce(services, outcome.session, outcome.ok ? undefined : outcome.error);
  return outcome.session;
}

/** The files the board holds, picked from a list; or a local diff for the /flash method. */
async function chooseBoardFile(services: ExtensionServices, portPath: string, known: KnownModem): Promise<BoardFileChoice | undefined> {
  const core = await services.loadCore();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('the board did not answer in time')), LIST_TIMEOUT_MS);
  let files: UpgradeFilesOnBoard;
  try {
    files = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Looking for firmware on the board on {0}', portPath) },
      async () => core.listUpgradeFilesOnBoard({ port: await services.ownerFor(portPath) }, controller.signal),
    );
  } catch (error) {
    await showFailure(services, error, vscode.l10n.t('Listing the files on the board'), portPath);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
  type Item = vscode.QuickPickItem & { path?: string; isFlashMethod?: boolean };
  const fileItem = (folder: string, medium: string) => (entry: { name: string; size: number }) => ({
    label: `$(file) ${folder}/${entry.name}`,
    description: `${formatDecimalBytes(entry.size)} · ${medium}`,
    path: `${folder}/${entry.name}`,
  });
  const dups = (list: readonly { name: string; size: number }[]) => list.filter((entry) => /\.dup$/i.test(entry.name));
  const items: Item[] = [
    // Pycom's page: the SD card is the fastest method (nothing crosses the USB line).
    ...(files.sd?.length ? [{ label: vscode.l10n.t('SD card'), kind: vscode.QuickPickItemKind.Separator }, ...dups(files.sd).map(fileItem('/sd', vscode.l10n.t('SD card, the fastest method')))] : []),
    ...(dups(files.flash).length ? [{ label: '/flash', kind: vscode.QuickPickItemKind.Separator }, ...dups(files.flash).map(fileItem('/flash', '/flash'))] : []),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    {
      label: `$(cloud-upload) ${vscode.l10n.t('Copy a diff file from this computer to /flash…')}`,
      detail: vscode.l10n.t(
        "The /flash method, slow: an upgdiff_<from>-to-<to>.dup fits in /flash; it is copied over the REPL at 115200 baud (verified), run by the board's updater, then removed.",
      ),
      isFlashMethod: true,
    },
  ];
  const where = files.sd === undefined ? vscode.l10n.t('No SD card in the board.') : dups(files.sd).length === 0 ? vscode.l10n.t('No .dup file on the SD card.') : undefined;
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Firmware on the board on {0}', portPath),
    placeHolder: where ?? vscode.l10n.t('The .dup file for the board’s updater'),
  });
  if (!picked) return undefined;
  if (picked.isFlashMethod) {
    const diff = await vscode.window.showOpenDialog({
      title: vscode.l10n.t('A diff file (upgdiff_<from>-to-<to>.dup) for the /flash method'),
      canSelectMany: false,
      openLabel: vscode.l10n.t('Use Diff'),
      filters: { [vscode.l10n.t('Sequans firmware')]: ['dup'] },
    });
    const [local] = diff?.[0] ? ((await pickedAsLocalFiles(services, [diff[0]])) ?? []) : [];
    return local ? { firmware: { kind: 'via-flash', localPath: local } } : undefined;
  }
  const path = picked.path!;
  // A modem in its bootrom (or with the old bootrom, for a full image) needs updater.elf: the one beside the file.
  const folder = path.startsWith('/sd/') ? files.sd ?? [] : files.flash;
  const elf = needsUpdaterElf(known) ? folder.find((entry) => /\.elf$/i.test(entry.name)) : undefined;
  return { firmware: { kind: 'on-board', path }, ...(elf ? { updaterPath: `${path.slice(0, path.lastIndexOf('/'))}/${elf.name}` } : {}) };
}

function confirmationDetail(choice: BoardFileChoice, known: KnownModem): string {
  const version = known.report?.lrVersion ?? known.report?.softwareVersion;
  return [
    choice.firmware.kind === 'via-flash'
      ? vscode.l10n.t("/flash method: the diff is copied to /flash (verified, after a free-space check), the board's updater runs it, then it is removed.")
      : choice.firmware.path.startsWith('/sd/')
        ? vscode.l10n.t("SD card method: the board's updater (sqnsupgrade.run) reads the file from the card and sends it to the modem itself; nothing crosses USB.")
        : vscode.l10n.t("/flash method: the board's updater (sqnsupgrade.run) sends the file on /flash to the modem itself."),
    ...(choice.updaterPath ? [vscode.l10n.t('With {0}: the modem needs its updater loaded first.', choice.updaterPath)] : []),
    version ? vscode.l10n.t('Modem (last read): {0}', version) : vscode.l10n.t("The board's updater reads the modem first."),
    vscode.l10n.t('The board reads the modem and the file is checked before anything changes; a warning asks you again.'),
    '',
    vscode.l10n.t('No mirror mode: the board is back at its REPL at the end.'),
    vscode.l10n.t('Do not unplug the board during the upgrade; pauses of several minutes (at 7–10 % and at 99 %) are normal.'),
  ].join('\n');
}

/** The end: the new version and what the board needs now, or why it failed and what next. */
async function announce(services: ExtensionServices, session: RunRecord, error: unknown): Promise<void> {
  const result = [...session.events].reverse().find((e): e is Extract<UpgradeEvent, { kind: 'result' }> => e.kind === 'result');
  const openPanel = vscode.l10n.t('Open Panel');
  const simulated = portCapabilities(session.portPath).canPowerCycle ? [POWER_CYCLE_SIMULATOR_ACTION] : [];
  let choice: string | undefined;
  if (result?.outcome === 'success') {
    choice = await vscode.window.showInformationMessage(`${result.message} ${result.resumeHint ?? ''}`.trim(), openPanel, ...simulated);
  } else if (result?.outcome === 'cancelled') {
    choice = await vscode.window.showWarningMessage(vscode.l10n.t('Upgrade cancelled. {0}', cancelledAdvice(result)), openPanel);
  } else {
    const text = failureText(session, error);
    services.output.error(text);
    choice = await vscode.window.showErrorMessage(text, openPanel, ...simulated, SHOW_LOG_ACTION);
  }
  if (choice === openPanel) services.panel.show({ preserveFocus: false });
  if (choice === POWER_CYCLE_SIMULATOR_ACTION) await powerCycleSimulator(services, session.portPath);
  if (choice === SHOW_LOG_ACTION) services.output.show(true);
}
