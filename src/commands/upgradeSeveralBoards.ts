import * as vscode from 'vscode';
import { OperationAbortedError, isModemToolError } from '../core/errors';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import type { PreflightResult } from '../core/preflight/preflight';
import type { FirmwareFileCheck, FleetBoardOutcome, ModemCore } from '../glue/modemCore';
import { portCapabilities } from '../glue/portProviders';
import type { ExtensionServices } from '../glue/services';
import { lastKnownModem, needsUpdaterElf, runUpgradePreflight } from '../glue/upgradePreflight';
import { FleetBoards } from '../views/fleetBoards';
import { pickPorts } from '../views/portPicker';
import type { RunRecord } from '../views/sessionLog';
import { identifyBoardOn } from './boardIdentify';
import { checkFirmwareFiles } from './firmwarePicker';
import { pickFleetFirmwareSource } from './firmwareSource';
import type { GlueCommand } from './glueCommand';
import { SHOW_LOG_ACTION, ensureDiagnosis, isAlreadyRunning, readySimulatedBoard, showFailure } from './operation';
import { confirmNewWarnings, confirmUpgrade, warningKey } from './upgradeConfirmation';
import { transcriptFolder } from './upgradeOutcomeText';
import { fleetPreflightTable, fleetSummary, type FleetBoardCheck, type FleetFirmware } from './fleetPreflight';
import { basename } from 'node:path';

/** Arguments for scripted runs (tests, the e2e suite); the palette passes none. */
export interface FleetArguments {
  portPaths?: string[];
  files?: string[];
  updaterPath?: string;
  /** A firmware package (.zip or extracted folder): each board gets the files for its own modem. */
  packageSource?: string;
}

function asArguments(value: unknown): FleetArguments {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const texts = (x: unknown) => (Array.isArray(x) && x.every((f) => typeof f === 'string') ? (x as string[]) : undefined);
  return {
    portPaths: texts(v.portPaths),
    files: texts(v.files),
    updaterPath: typeof v.updaterPath === 'string' ? v.updaterPath : undefined,
    packageSource: typeof v.packageSource === 'string' ? v.packageSource : undefined,
  };
}

/**
 * "Pycom: Upgrade Modems on Several Boards": the boards ticked in one picker, one package
 * or file choice, one preflight table and one confirmation for all; then every board runs
 * its own upgrade on its own port, with its own session, and the panel shows a row per board.
 */
export const upgradeSeveralBoardsCommand: GlueCommand = {
  id: 'pycomModem.upgradeSeveralBoards',
  async run(services, rawArguments) {
    if (isAlreadyRunning(services)) return undefined;
    const args = asArguments(rawArguments);
    const portPaths = [...new Set(args.portPaths ?? (await pickPorts(() => services.watcher.refresh())) ?? [])];
    if (portPaths.length === 0) return undefined;
    const source = args.files
      ? { kind: 'files' as const, files: args.files }
      : args.packageSource
        ? { kind: 'package' as const, source: args.packageSource }
        : await pickFleetFirmwareSource(services, portPaths.length);
    if (!source) return undefined;

    const core = await services.loadCore();
    const known = new Map(portPaths.map((portPath) => [portPath, lastKnownModem(services.sessions.sessions, portPath)]));
    // A package: each board's files are chosen for its own modem, updater.elf included.
    // Files: updater.elf is asked for once, when the modem of any of the boards is known to need it.
    const checked =
      source.kind === 'package'
        ? { checks: [] }
        : await checkFirmwareFiles(services, core, {
            files: source.files,
            ...(args.updaterPath ? { updaterPath: args.updaterPath } : {}),
            needsUpdater: [...known.values()].some(needsUpdaterElf),
          });
    if (!checked) return undefined;
    const { checks, updater, updaterPath } = checked;
    const files = source.kind === 'files' ? source.files : [];
    const packageSource = source.kind === 'package' ? source.source : undefined;

    const boards = await checkBoards(services, core, portPaths, known, { checks, updater, packageSource });
    if (!boards) return undefined;
    const ready = boards.filter((board) => !board.refusal);
    const table = fleetPreflightTable(boards, { checks, updater, packageSource });
    if (ready.length === 0) {
      void vscode.window.showErrorMessage(vscode.l10n.t('None of the boards can be upgraded with these files.'), { modal: true, detail: table });
      return undefined;
    }
    const question =
      ready.length === boards.length
        ? vscode.l10n.t('Upgrade the modems of {0} boards?', ready.length)
        : vscode.l10n.t('Upgrade the modems of {0} of the {1} boards? The others are skipped.', ready.length, boards.length);
    const method = await confirmUpgrade(question, table);
    if (!method || method === 'other') return undefined;

    const outcomes = await runFleet(services, core, { boards, files, packageSource, updaterPath, method, checks, updater });
    await announce(services, outcomes, boards);
    return outcomes;
  },
};

/** Each board identified and checked against the files, side by side; undefined when nothing can reach a board. */
async function checkBoards(
  services: ExtensionServices,
  core: ModemCore,
  portPaths: readonly string[],
  known: ReadonlyMap<string, ReturnType<typeof lastKnownModem>>,
  firmware: FleetFirmware,
): Promise<FleetBoardCheck[] | undefined> {
  const identities = await Promise.all(portPaths.map((portPath) => identifyBoardOn(services, portPath)));
  const missingBinding = identities.find((identity) => isModemToolError(identity.cause) && identity.cause.code === 'serial-binding');
  if (missingBinding) {
    await showFailure(services, missingBinding.cause, vscode.l10n.t('Opening the serial port'));
    return undefined;
  }
  return portPaths.map((portPath, index) => {
    const identity = identities[index]!;
    const preflight = runUpgradePreflight(core, {
      portPath,
      board: identity.board,
      boardError: identity.error,
      known: known.get(portPath) ?? {},
      files: [...firmware.checks],
      updater: firmware.updater,
      ...(firmware.packageSource ? { packageName: basename(firmware.packageSource) } : {}),
      isSimulated: portCapabilities(portPath).isSimulated,
    });
    const failed = preflight.results.filter((r) => r.status === 'fail');
    const refusal =
      identity.board && !identity.board.hasLteModem
        ? vscode.l10n.t('a {0} has no LTE modem', identity.board.name)
        : failed.length
          ? failed.map((r) => r.detail).join(' ')
          : undefined;
    return { portPath, identity, preflight, ...(refusal ? { refusal } : {}) };
  });
}

interface FleetPlan {
  boards: FleetBoardCheck[];
  files: string[];
  packageSource: string | undefined;
  updaterPath: string | undefined;
  method: Parameters<ModemCore['runFleetUpgrade']>[0]['method'];
  checks: FirmwareFileCheck[];
  updater: FirmwareFileCheck | undefined;
}

/**
 * The run: one cancel switch for all (the notification, "Cancel Modem Operation", the
 * panel's Cancel All) and one per board (its row's Cancel); a session per board, opened
 * when the board starts, so the Sessions view and the transcripts hold each on its own.
 */
async function runFleet(services: ExtensionServices, core: ModemCore, plan: FleetPlan): Promise<FleetBoardOutcome[]> {
  const ready = plan.boards.filter((board) => !board.refusal);
  const names = plan.packageSource ? basename(plan.packageSource) : plan.files.map((f) => basename(f)).join(' + ');
  const fleet = new FleetBoards(vscode.l10n.t('Upgrade {0} on {1} boards', names, plan.boards.length), plan.boards.map((b) => b.portPath));
  for (const board of plan.boards) {
    if (board.identity.board) fleet.update(board.portPath, { board: board.identity.board.name });
    if (board.refusal) fleet.finish({ portPath: board.portPath, result: 'skipped', reason: board.refusal });
  }
  services.panel.showFleet(fleet);
  services.panel.show({ preserveFocus: true });

  const all = new AbortController();
  const perBoard = new Map(ready.map((board) => [board.portPath, new AbortController()]));
  const stopAll = () => all.abort(new OperationAbortedError('cancelled by the user'));
  all.signal.addEventListener('abort', () => perBoard.forEach((c) => c.abort(all.signal.reason)), { once: true });
  services.activeOperation = all;
  services.activeFleet = { cancelBoard: (portPath) => perBoard.get(portPath)?.abort(new OperationAbortedError('cancelled by the user')) };
  void vscode.commands.executeCommand('setContext', 'pycomModem.busy', true);

  const sessions = new Map<string, RunRecord>();
  const attempts = new Map<string, ReturnType<ModemCore['newAttempt']>>();
  const byPort = new Map(ready.map((board) => [board.portPath, board]));
  const record = (portPath: string, event: UpgradeEvent) => {
    const session = sessions.get(portPath);
    if (session) services.sessions.record(session, event);
    fleet.apply(portPath, event);
  };
  const startBoard = (portPath: string) => {
    const board = byPort.get(portPath)!;
    const session = services.sessions.start({ kind: 'upgrade', title: vscode.l10n.t('Upgrade {0}', names), portPath });
    sessions.set(portPath, session);
    session.files = [...(plan.updater ? [plan.updater] : []), ...plan.checks].map((check) => ({
      name: check.path.split(/[\\/]/).pop() ?? check.path,
      size: check.sizeBytes,
      kind: core.reportFileKind(check.path),
    }));
    if (board.identity.board) session.board = { machine: board.identity.board.name, release: board.identity.board.firmwareVersion, hasLteModem: board.identity.board.hasLteModem };
    fleet.update(portPath, { sessionId: session.id, status: 'running' });
    if (board.identity.powerCycleNote) record(portPath, { kind: 'log', level: 'info', message: board.identity.powerCycleNote, atMs: Date.now() });
    record(portPath, { kind: 'preflight', results: board.preflight.results, isReady: true, atMs: Date.now() });
    // A package attempt is remembered by its package: a resume picks from it again.
    const attempt = core.newAttempt(portPath, plan.packageSource ? [plan.packageSource] : plan.files, plan.updaterPath);
    attempts.set(portPath, attempt);
    void services.lastAttempts.save(attempt);
  };
  // Warnings the table showed were confirmed with it; a board asks only about new ones.
  const confirm = (warnings: readonly PreflightResult[], portPath: string) => {
    const shown = new Set(byPort.get(portPath)?.preflight.results.filter((r) => r.status === 'warn').map(warningKey));
    return warnings.every((w) => shown.has(warningKey(w))) ? Promise.resolve(true) : confirmNewWarnings(portPath, warnings);
  };

  try {
    const ports = await Promise.all(ready.map((board) => services.ownerFor(board.portPath)));
    const outcomes = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Upgrading {0} modems', ready.length), cancellable: true },
      async (progress, token) => {
        const cancel = token.onCancellationRequested(stopAll);
        const report = fleet.changes.on(() => progress.report({ message: fleetSummary(fleet.snapshot) }));
        try {
          for (const board of ready) await readySimulatedBoard(services, core, board.portPath);
          return await core.runFleetUpgrade({
            boards: ready.map((board, index) => ({
              portPath: board.portPath,
              port: ports[index]!,
              engine: engineOptions(services, board.portPath),
              signal: perBoard.get(board.portPath)!.signal,
            })),
            files: plan.files,
            ...(plan.packageSource ? { packageSource: plan.packageSource } : {}),
            ...(plan.updaterPath ? { updaterPath: plan.updaterPath } : {}),
            transcriptDir: transcriptFolder(services),
            ...(plan.method ? { method: plan.method } : {}),
            confirm,
            signal: all.signal,
            onBoardStart: startBoard,
            onEvent: record,
            onBoardDone: (outcome) => fleet.finish(outcome),
          });
        } finally {
          cancel.dispose();
          report();
        }
      },
    );
    for (const outcome of outcomes) finishBoard(services, core, sessions.get(outcome.portPath), attempts.get(outcome.portPath), outcome);
    return outcomes;
  } finally {
    if (services.activeOperation === all) services.activeOperation = undefined;
    services.activeFleet = undefined;
    void vscode.commands.executeCommand('setContext', 'pycomModem.busy', false);
  }
}

/** A board's end in its session (its row ended with onBoardDone): a result and a diagnosis whatever happened, its last-attempt record. */
function finishBoard(
  services: ExtensionServices,
  core: ModemCore,
  session: RunRecord | undefined,
  attempt: ReturnType<ModemCore['newAttempt']> | undefined,
  outcome: FleetBoardOutcome,
): void {
  if (!session) return;
  const record = (event: UpgradeEvent) => services.sessions.record(session, event);
  if (!session.events.some((e) => e.kind === 'result')) {
    record({ kind: 'result', outcome: outcome.outcome.outcome, message: outcome.reason ?? outcome.outcome.outcome, atMs: Date.now() });
  }
  ensureDiagnosis(core, session, record);
  if (attempt) void services.lastAttempts.save(core.finishedAttempt(attempt, session.events));
}

function engineOptions(services: ExtensionServices, portPath: string) {
  const settings = services.settings();
  return { timeouts: settings.timeouts, timeScale: portCapabilities(portPath).hasSimulatedClock ? 1 / settings.simulatorSpeedUp : 1 };
}

/** One message for the whole bench: how many succeeded, what failed and why, and the power-cycle reminder. */
async function announce(services: ExtensionServices, outcomes: readonly FleetBoardOutcome[], boards: readonly FleetBoardCheck[]): Promise<void> {
  const skipped = boards.filter((board) => board.refusal).length + outcomes.filter((o) => o.result === 'skipped').length;
  const upgraded = outcomes.filter((o) => o.result === 'success');
  const notDone = outcomes.filter((o) => o.result === 'failed' || o.result === 'cancelled');
  const parts = [
    vscode.l10n.t('{0} of {1} boards upgraded', upgraded.length, boards.length) +
      (notDone.length ? vscode.l10n.t(', {0} not', notDone.length) : '') +
      (skipped ? vscode.l10n.t(', {0} skipped', skipped) : '') +
      '.',
  ];
  for (const o of notDone) parts.push(`${o.portPath}: ${o.reason ?? o.result}.`);
  if (upgraded.length) parts.push(vscode.l10n.t('Power-cycle each upgraded board (unplug it, plug it back in): mirror mode has no exit.'));
  const text = parts.join(' ');
  services.output.info(text);
  const openPanel = vscode.l10n.t('Open Panel');
  const choice = notDone.length
    ? await vscode.window.showErrorMessage(text, openPanel, SHOW_LOG_ACTION)
    : await vscode.window.showInformationMessage(text, openPanel);
  if (choice === openPanel) services.panel.show({ preserveFocus: false });
  if (choice === SHOW_LOG_ACTION) services.output.show(true);
}
