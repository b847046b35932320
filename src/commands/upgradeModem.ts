import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import type { GlueCommand } from './glueCommand';
import { portCapabilities } from '../glue/portProviders';
import type { PreflightResult } from '../core/preflight/preflight';
import {
  POWER_CYCLE_SIMULATOR_ACTION,
  SHOW_LOG_ACTION,
  USE_SIMULATOR_ACTION,
  createEngineFor,
  powerCycleSimulator,
  readySimulatedBoard,
  resolvePort,
  isAlreadyRunning,
  runOperation,
  showFailure,
} from './operation';
import { isModemToolError } from '../core/errors';
import { lastKnownModem, needsUpdaterElf, runUpgradePreflight } from '../glue/upgradePreflight';
import { cancelledAdvice } from '../views/panelEvents';
import type { ExtensionServices } from '../glue/services';
import type { RunRecord } from '../views/sessionLog';
import { checkFirmwareFiles } from './firmwarePicker';
import { pickFirmwareSource, type FirmwareSource } from './firmwareSource';
import { upgradeOnBoard } from './upgradeOnBoard';
import { buildNote, failureText, findLast, transcriptFolder } from './upgradeOutcomeText';
import type { FirmwareFileCheck } from '../glue/modemCore';
import { identifyBoardOn } from './boardIdentify';
import { confirmNewWarnings, confirmUpgrade, warningKey } from './upgradeConfirmation';

/** Arguments for scripted runs (the simulator demo, tests); the palette passes none. */
export interface UpgradeArguments {
  portPath?: string;
  files?: string[];
  updaterPath?: string;
  /** A firmware package (.zip or extracted folder): the files are chosen for the modem the board reads. */
  packageSource?: string;
  /** A file on the board (`/sd/NAME.dup`, `/flash/NAME.dup`): the board's own updater runs it. */
  onBoardPath?: string;
}


function asArguments(value: unknown): UpgradeArguments {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  return {
    portPath: typeof v.portPath === 'string' ? v.portPath : undefined,
    files: Array.isArray(v.files) && v.files.every((f) => typeof f === 'string') ? (v.files as string[]) : undefined,
    updaterPath: typeof v.updaterPath === 'string' ? v.updaterPath : undefined,
    packageSource: typeof v.packageSource === 'string' ? v.packageSource : undefined,
    onBoardPath: typeof v.onBoardPath === 'string' ? v.onBoardPath : undefined,
  };
}

function givenSource(args: UpgradeArguments): FirmwareSource | undefined {
  if (args.files) return { kind: 'files', files: args.files, ...(args.updaterPath ? { updaterPath: args.updaterPath } : {}) };
  if (args.packageSource) return { kind: 'package', source: args.packageSource };
  if (args.onBoardPath) return { kind: 'on-board' };
  return undefined;
}

export const upgradeModemCommand: GlueCommand = {
  id: 'pycomModem.upgradeModem',
  async run(services, rawArguments) {
    if (isAlreadyRunning(services)) return undefined;
    const args = asArguments(rawArguments);
    const portPath = await resolvePort(services, args.portPath);
    if (!portPath) return undefined;
    const known = lastKnownModem(services.sessions.sessions, portPath);
    const source = givenSource(args) ?? (await pickFirmwareSource(services, portPath, known));
    if (!source) return undefined;
    if (source.kind === 'on-board') return upgradeOnBoard(services, portPath, known, args.onBoardPath ? { path: args.onBoardPath, updaterPath: args.updaterPath } : undefined);

    const core = await services.loadCore();
    let files: string[] = [];
    let checks: FirmwareFileCheck[] = [];
    let updater: FirmwareFileCheck | undefined;
    let updaterPath: string | undefined;
    if (source.kind === 'files') {
      const checked = await checkFirmwareFiles(services, core, {
        files: source.files,
        ...((args.updaterPath ?? source.updaterPath) ? { updaterPath: args.updaterPath ?? source.updaterPath } : {}),
        needsUpdater: needsUpdaterElf(known),
      });
      if (!checked) return undefined;
      ({ checks, updater, updaterPath } = checked);
      files = source.files;
    }
    const packageSource = source.kind === 'package' ? source.source : undefined;
    const names = packageSource ? basename(packageSource) : files.map((f) => basename(f)).join(' + ');

    const identity = await identifyBoardOn(services, portPath);
    // Without serial support nothing can reach a real board: say so now, not after the confirmation.
    if (isModemToolError(identity.cause) && identity.cause.code === 'serial-binding') {
      await showFailure(services, identity.cause, vscode.l10n.t('Opening the serial port'));
      return undefined;
    }
    if (identity.board && !identity.board.hasLteModem) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('The board on {0} is a {1}: it has no LTE modem. Select the port of a GPy, FiPy or G01.', portPath, identity.board.name),
      );
      return undefined;
    }
    const preflight = runUpgradePreflight(core, {
      portPath,
      board: identity.board,
      boardError: identity.error,
      known,
      files: checks,
      updater,
      ...(packageSource ? { packageName: names } : {}),
      isSimulated: portCapabilities(portPath).isSimulated,
    });
    if (preflight.isRefused) {
      const failed = preflight.results.filter((r) => r.status === 'fail');
      const refusal = vscode.window.showErrorMessage(
        vscode.l10n.t('Cannot upgrade the modem on {0}: {1}', portPath, failed.map((r) => `${r.detail}${r.action ? ` ${r.action}` : ''}`).join(' ')),
        { modal: true, detail: preflight.detail },
        ...(portCapabilities(portPath).canPowerCycle ? [POWER_CYCLE_SIMULATOR_ACTION] : []),
      );
      if ((await refusal) === POWER_CYCLE_SIMULATOR_ACTION) await powerCycleSimulator(services, portPath);
      return undefined;
    }
    // The same file on the board's SD card: Pycom's fastest method is one button away.
    const onCard = files.length === 1 && identity.board ? await sameFileOnSdCard(services, portPath, checks[0]!) : undefined;
    const method = await confirmUpgrade(
      vscode.l10n.t('Upgrade the modem of the {0} on {1}?', identity.board?.name ?? vscode.l10n.t('board'), portPath),
      onCard
        ? `${preflight.detail}\n\n${vscode.l10n.t("The same file is on the board's SD card ({0}): the SD card method is faster (nothing crosses USB) and leaves the board at its REPL.", onCard)}`
        : preflight.detail,
      onCard ? USE_SD_CARD : undefined,
    );
    if (!method) return undefined;
    if (method === 'other') return upgradeOnBoard(services, portPath, known, { path: onCard! });
    // Warnings shown in the dialog were confirmed there; the run asks only about new ones
    // (those the board's own reading of the modem brings up).
    const shownWarnings = new Set(preflight.results.filter((r) => r.status === 'warn').map(warningKey));
    const confirm = (warnings: readonly PreflightResult[]) =>
      warnings.every((w) => shownWarnings.has(warningKey(w))) ? Promise.resolve(true) : confirmNewWarnings(portPath, warnings);

    // A package attempt is remembered by its package: a resume picks from it again.
    const attempt = core.newAttempt(portPath, packageSource ? [packageSource] : files, updaterPath);
    await services.lastAttempts.save(attempt);
    const outcome = await runOperation(
      services,
      {
        kind: 'upgrade',
        title: vscode.l10n.t('Upgrade {0}', names),
        portPath,
        showPanel: true,
        progressTitle: vscode.l10n.t('Upgrading the modem on {0}', portPath),
      },
      async ({ core: loaded, signal, attach, session, record }) => {
        // The power cycle before identifying the board belongs in this session's log too.
        if (identity.powerCycleNote) record({ kind: 'log', level: 'info', message: identity.powerCycleNote, atMs: Date.now() });
        record({ kind: 'preflight', results: preflight.results, isReady: true, atMs: Date.now() });
        // For the diagnostic report: what was sent, and to which board.
        session.files = [...(updater ? [updater] : []), ...checks].map((check) => ({
          name: check.path.split(/[\\/]/).pop() ?? check.path,
          size: check.sizeBytes,
          kind: loaded.reportFileKind(check.path),
        }));
        if (identity.board) session.board = { machine: identity.board.name, release: identity.board.firmwareVersion, hasLteModem: identity.board.hasLteModem };
        const engine = createEngineFor(services, loaded, portPath);
        attach(engine);
        await readySimulatedBoard(services, loaded, portPath, record);
        return loaded.runFullUpgrade(
          {
            port: await services.ownerFor(portPath),
            files,
            ...(packageSource ? { packageSource } : {}),
            updaterPath,
            transcriptDir: transcriptFolder(services),
            method,
            confirm,
          },
          { engine, signal },
        );
      },
    );
    await services.lastAttempts.save(core.finishedAttempt(attempt, outcome.session.events));
    await announceOutcome(services, outcome.session, outcome.ok ? undefined : outcome.error);
    return outcome.session;
  },
};

/** The end of an upgrade: the new version and the power-cycle reminder, or why it failed and what next. */
async function announceOutcome(services: ExtensionServices, session: RunRecord, error: unknown): Promise<void> {
  const result = findLast(session, 'result');
  if (result?.outcome === 'success') {
    const after = session.events.find(
      (e): e is Extract<UpgradeEvent, { kind: 'modemInfo' }> => e.kind === 'modemInfo' && e.phase === 'after',
    );
    const version = after?.report.lrVersion ?? after?.report.softwareVersion;
    const build = after?.report.softwareBuild ? buildNote(after.report.softwareBuild) : '';
    const upgraded = version ? vscode.l10n.t('Modem upgraded to {0}{1}.', version, build) : vscode.l10n.t('Modem upgraded.');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        '{0} Now power-cycle the board (unplug it, plug it back in): mirror mode has no exit and the reset button does not reset the modem.',
        upgraded,
      ),
      OPEN_PANEL,
      COPY_REPORT,
    );
    if (choice === OPEN_PANEL) services.panel.show({ preserveFocus: false });
    if (choice === COPY_REPORT) await vscode.commands.executeCommand('pycomModem.copyDiagnosticReport', session.id);
    return;
  }
  if (result?.outcome === 'cancelled') {
    const simulated = portCapabilities(session.portPath).canPowerCycle ? [POWER_CYCLE_SIMULATOR_ACTION] : [];
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Upgrade cancelled. {0}', cancelledAdvice(result)), ...simulated);
    if (choice === POWER_CYCLE_SIMULATOR_ACTION) await powerCycleSimulator(services, session.portPath);
    return;
  }
  const text = failureText(session, error);
  services.output.error(text);
  const choice = await vscode.window.showErrorMessage(
    text,
    OPEN_PANEL,
    COPY_REPORT,
    ...(portCapabilities(session.portPath).canPowerCycle ? [POWER_CYCLE_SIMULATOR_ACTION] : []),
    ...(result?.error?.code === 'serial-binding' ? [USE_SIMULATOR_ACTION] : [SHOW_LOG_ACTION]),
  );
  if (choice === POWER_CYCLE_SIMULATOR_ACTION) await powerCycleSimulator(services, session.portPath);
  if (choice === USE_SIMULATOR_ACTION) await vscode.commands.executeCommand('pycomModem.tryOnSimulator');
  if (choice === OPEN_PANEL) services.panel.show({ preserveFocus: false });
  if (choice === COPY_REPORT) await vscode.commands.executeCommand('pycomModem.copyDiagnosticReport', session.id);
  if (choice === SHOW_LOG_ACTION) services.output.show(true);
}

const USE_SD_CARD = vscode.l10n.t('Use SD Card Method');

/** Listing the card is one mount and one directory read; a board that takes longer is not worth the wait here. */
const SD_LOOK_TIMEOUT_MS = 15_000;

/**
 * `/sd/NAME` when the board's SD card holds the firmware file given (same name, same size);
 * undefined otherwise, or when the card cannot be read: the USB upgrade goes on as asked.
 */
async function sameFileOnSdCard(services: ExtensionServices, portPath: string, file: FirmwareFileCheck): Promise<string | undefined> {
  const name = basename(file.path);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('the board did not list its SD card in time')), SD_LOOK_TIMEOUT_MS);
  try {
    const core = await services.loadCore();
    const onBoard = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t("Looking at the board's SD card on {0}", portPath) },
      async () => core.listUpgradeFilesOnBoard({ port: await services.ownerFor(portPath) }, controller.signal),
    );
    const copy = onBoard.sd?.find((entry) => entry.name.toLowerCase() === name.toLowerCase() && entry.size === file.sizeBytes);
    return copy ? `/sd/${copy.name}` : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

const OPEN_PANEL = vscode.l10n.t('Open Panel');
const COPY_REPORT = vscode.l10n.t('Copy Report');
