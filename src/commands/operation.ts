import * as vscode from 'vscode';
import { OperationAbortedError, isModemToolError } from '../core/errors';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import type { ModemCore, ModemEngine } from '../glue/modemCore';
import { portCapabilities } from '../glue/portProviders';
import { actionButtons, withActionWords } from '../glue/userActionWords';
import type { ExtensionServices } from '../glue/services';
import { pickPort } from '../views/portPicker';
import type { RunKind, RunRecord } from '../views/sessionLog';
import { describeEvent } from '../views/eventText';
import { formatWaitText } from '../shared/waitText';
import { NotificationProgress } from './notificationProgress';

export interface OperationContext {
  core: ModemCore;
  signal: AbortSignal;
  session: RunRecord;
  /** Records the engine's events into the session (panel, log view, output) until the operation ends. */
  attach(engine: ModemEngine): void;
  record(event: UpgradeEvent): void;
}

export interface OperationSpec {
  kind: RunKind;
  title: string;
  portPath: string;
  /** Open the upgrade panel beside the editor. */
  showPanel: boolean;
  /** Title of the progress notification. */
  progressTitle: string;
}

export type OperationResult<T> =
  | { ok: true; value: T; session: RunRecord }
  | { ok: false; error: unknown; session: RunRecord; isCancelled: boolean };

/**
 * The frame of every command that talks to the board: a session in the log, the port
 * borrowed from the REPL terminal, a cancellable progress notification whose Cancel
 * (or the panel's) aborts the work, and a `result` event even when the core threw.
 */
export async function runOperation<T>(
  services: ExtensionServices,
  spec: OperationSpec,
  body: (context: OperationContext) => Promise<T>,
): Promise<OperationResult<T>> {
  const session = services.sessions.start({ kind: spec.kind, title: spec.title, portPath: spec.portPath });
  if (spec.showPanel) services.panel.show({ preserveFocus: true });
  const controller = new AbortController();
  services.activeOperation = controller;
  // Enables "Cancel Modem Operation" in the palette and the panel.
  void vscode.commands.executeCommand('setContext', 'pycomModem.busy', true);
  const detachers: (() => void)[] = [];
  // The notification's bar fills as the panel's; a push reports through record, an upgrade's engine through attach.
  const bar = new NotificationProgress(spec.kind === 'upgrade' ? ['load-updater', 'transfer'] : undefined);
  let notify = (_event: UpgradeEvent): void => undefined;
  const record = (event: UpgradeEvent) => {
    services.sessions.record(session, event);
    notify(event);
  };
  let core: ModemCore | undefined;
  try {
    const value = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: spec.progressTitle, cancellable: true },
      async (progress, token) => {
        notify = (event) => {
          const message = progressMessage(event);
          const increment = bar.increment(event);
          if (message || increment) progress.report({ ...(message ? { message } : {}), ...(increment ? { increment } : {}) });
        };
        const cancel = token.onCancellationRequested(() => controller.abort(new OperationAbortedError('cancelled by the user')));
        detachers.push(() => cancel.dispose());
        const loaded = (core = await services.loadCore());
        // The core takes the port from its owner one turn at a time: a REPL terminal on it
        // gives way and gets the same handle back afterwards.
        return body({
          core: loaded,
          signal: controller.signal,
          session,
          record,
          attach(engine) {
            detachers.push(engine.events.on(record));
          },
        });
      },
    );
    ensureDiagnosis(core, session, record);
    return { ok: true, value, session };
  } catch (error) {
    const isCancelled = controller.signal.aborted || error instanceof OperationAbortedError;
    if (!session.events.some((e) => e.kind === 'result')) {
      record({
        kind: 'result',
        outcome: isCancelled ? 'cancelled' : 'failed',
        message: error instanceof Error ? error.message : String(error),
        error: isModemToolError(error)
          ? { code: error.code, message: error.message, action: error.action, step: error.step as never }
          : undefined,
        atMs: Date.now(),
      });
    }
    ensureDiagnosis(core, session, record, error);
    return { ok: false, error, session, isCancelled };
  } finally {
    for (const detach of detachers) detach();
    if (services.activeOperation === controller) {
      services.activeOperation = undefined;
      void vscode.commands.executeCommand('setContext', 'pycomModem.busy', false);
    }
  }
}

/**
 * Every failed session ends with a diagnosis (panel card, log view, report). The engine
 * and the full upgrade emit their own; a file push, an info read or an error thrown
 * before the core ran (a port that will not open) gets one here, from the same rule
 * table. Without a loaded core there are no rules to run: the result says it all.
 */
export function ensureDiagnosis(core: ModemCore | undefined, session: RunRecord, record: (event: UpgradeEvent) => void, error?: unknown): void {
  if (!core || session.events.some((e) => e.kind === 'diagnosis')) return;
  const result = session.events.find((e) => e.kind === 'result');
  if (!result || result.outcome === 'success') return;
  try {
    const diagnoses = core.diagnoseSession(session.events, error);
    for (const diagnosis of diagnoses) record({ kind: 'diagnosis', diagnosis, atMs: Date.now() });
  } catch {
    // A rule's bug must not hide the failure it was asked to explain.
  }
}

function progressMessage(event: UpgradeEvent): string | undefined {
  // A long wait says how long, what is normal and whether unplugging is safe, as the panel does.
  if (event.kind === 'step' && event.phase === 'waiting' && event.wait) return formatWaitText(event.wait);
  if (event.kind === 'step' && (event.phase === 'start' || event.phase === 'waiting')) return event.title;
  if (event.kind === 'progress') {
    const percent = event.bytesTotal > 0 ? Math.floor((event.bytesDone / event.bytesTotal) * 100) : 100;
    const eta = event.etaMs !== undefined ? ` · ${vscode.l10n.t('{0} s left', Math.ceil(event.etaMs / 1000))}` : '';
    return `${event.fileName}: ${percent} %${eta}`;
  }
  if (event.kind === 'result') return describeEvent(event);
  return undefined;
}

/** One upgrade at a time in a window: true, after saying so, when one is already running. */
export function isAlreadyRunning(services: ExtensionServices): boolean {
  if (!services.activeOperation) return false;
  void vscode.window.showWarningMessage(vscode.l10n.t('A modem operation is already running in this window.'));
  return true;
}

/** The port to use: given, selected, or picked now (and then remembered). */
/**
 * The engine for a command on `portPath`, with the user's timeouts; on the simulated GPy its
 * waits shrink by the simulator's speed-up so a demo does not sit out real modem pauses.
 */
export function createEngineFor(services: ExtensionServices, core: ModemCore, portPath: string): ModemEngine {
  const settings = services.settings();
  return core.createEngine({
    timeouts: settings.timeouts,
    timeScale: portCapabilities(portPath).hasSimulatedClock ? 1 / settings.simulatorSpeedUp : 1,
  });
}

export async function resolvePort(services: ExtensionServices, given?: unknown): Promise<string | undefined> {
  if (typeof given === 'string' && given) return given;
  const current = services.selection.current;
  if (current) return current.path;
  const picked = await pickPort(() => services.watcher.refresh(), undefined);
  if (picked) await services.selection.select(picked);
  return picked?.path;
}

/**
 * Before a board-half job on the simulated GPy: power-cycles it when an earlier job left
 * it in mirror mode (or after an upgrade), and says so in the log and the session.
 */
export async function readySimulatedBoard(
  services: ExtensionServices,
  core: ModemCore,
  portPath: string,
  record?: (event: UpgradeEvent) => void,
): Promise<string | undefined> {
  if (!portCapabilities(portPath).canPowerCycle) return undefined;
  // Inside a turn of its own, so a REPL terminal on the simulated port gives way first.
  const note = await (await services.ownerFor(portPath)).run(() => core.readySimulatedBoard(portPath), { settings: simulatorLine(services) });
  if (!note) return undefined;
  services.output.info(note);
  record?.({ kind: 'log', level: 'info', message: note, atMs: Date.now() });
  return note;
}

/** The simulated board's line for a turn that only power-cycles it: the REPL rate. */
function simulatorLine(services: ExtensionServices) {
  return { baudRate: services.settings().replBaudRate, rtscts: false };
}

/** The failure messages' button for the simulated board: what unplugging is for a real one. */
export const POWER_CYCLE_SIMULATOR_ACTION = vscode.l10n.t('Power-cycle Simulated GPy');
/** The failure messages' buttons that open the log, or switch to the simulated GPy when the serial binding is missing. */
export const SHOW_LOG_ACTION = vscode.l10n.t('Show Log');
export const USE_SIMULATOR_ACTION = vscode.l10n.t('Use Simulated GPy');

/** Runs the button's power cycle, with the port borrowed so no job is cut off. */
export async function powerCycleSimulator(services: ExtensionServices, portPath: string): Promise<void> {
  const core = await services.loadCore();
  try {
    // A turn of its own: a REPL terminal on the port gives way before the cable is "pulled".
    const note = await (await services.ownerFor(portPath)).run(() => core.powerCycleSimulator(portPath), { settings: simulatorLine(services) });
    services.output.info(note);
    void vscode.window.showInformationMessage(note);
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Power-cycling the simulated GPy failed: {0}', error instanceof Error ? error.message : String(error)));
  }
}

/** An error as the user should see it: what happened, then what to do. */
export async function showFailure(services: ExtensionServices, error: unknown, what: string, portPath?: string): Promise<void> {
  if (error instanceof OperationAbortedError) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} cancelled.', what));
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  const action = isModemToolError(error) ? withActionWords(error.action, error.actions) : vscode.l10n.t('See the "Pycom Modem" output for details.');
  // A step that one palette command does (read the info, the crash dump) gets its button.
  const buttons = isModemToolError(error) ? actionButtons(error.actions) : [];
  services.output.error(`${what} failed: ${message}`);
  const isBindingMissing = isModemToolError(error) && error.code === 'serial-binding';
  const isSimulated = portPath !== undefined && portCapabilities(portPath).canPowerCycle;
  const choice = await vscode.window.showErrorMessage(
    vscode.l10n.t('{0} failed: {1} {2}', what, message, action),
    ...buttons.map((button) => button.label),
    ...(isSimulated ? [POWER_CYCLE_SIMULATOR_ACTION] : []),
    ...(isBindingMissing ? [USE_SIMULATOR_ACTION] : [SHOW_LOG_ACTION]),
  );
  const chosen = buttons.find((button) => button.label === choice);
  if (chosen) await vscode.commands.executeCommand(chosen.commandId);
  if (choice === POWER_CYCLE_SIMULATOR_ACTION && portPath) await powerCycleSimulator(services, portPath);
  if (choice === SHOW_LOG_ACTION) services.output.show(true);
  if (choice === USE_SIMULATOR_ACTION) await vscode.commands.executeCommand('pycomModem.tryOnSimulator');
}
