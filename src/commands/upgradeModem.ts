import * as vscode from 'vscode';
import { join } from 'node:path';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import type { GlueCommand } from './glueCommand';
import { portCapabilities } from '../glue/portProviders';
import { type BoardIdentity, type FirmwareFileCheck, type TransferMethodChoice } from '../glue/modemCore';
import type { PreflightResult } from '../core/preflight/preflight';
import {
  POWER_CYCLE_SIMULATOR_ACTION,
  SHOW_LOG_ACTION,
  USE_SIMULATOR_ACTION,
  createEngineFor,
  powerCycleSimulator,
  readySimulatedBoard,
  resolvePort,
  runOperation,
  showFailure,
} from './operation';
import { isModemToolError } from '../core/errors';
import { lastKnownModem, needsUpdaterElf, runUpgradePreflight, type KnownModem } from '../glue/upgradePreflight';
import { cancelledAdvice, modemStateWords } from '../views/panelEvents';
import type { ExtensionServices } from '../glue/services';
import type { RunRecord } from '../views/sessionLog';
import { localFilesFor } from './localFileCopy';
import { withActionWords } from '../glue/userActionWords';

/** Arguments for scripted runs (the simulator demo, tests); the palette passes none. */
export interface UpgradeArguments {
  portPath?: string;
  files?: string[];
  updaterPath?: string;
}

/** Identifying the board is a few REPL exchanges; longer means it is not answering. */
const IDENTIFY_TIMEOUT_MS = 15_000;

function asArguments(value: unknown): UpgradeArguments {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  return {
    portPath: typeof v.portPath === 'string' ? v.portPath : undefined,
    files: Array.isArray(v.files) && v.files.every((f) => typeof f === 'string') ? (v.files as string[]) : undefined,
    updaterPath: typeof v.updaterPath === 'string' ? v.updaterPath : undefined,
  };
}

async function pickFirmwareFiles(services: ExtensionServices): Promise<string[] | undefined> {
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

async function pickUpdaterElf(services: ExtensionServices): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: vscode.l10n.t('updater.elf (the modem is in its recovery bootrom or has the old 33080 bootrom)'),
    canSelectMany: false,
    openLabel: vscode.l10n.t('Use Updater'),
    filters: { [vscode.l10n.t('Updater image')]: ['elf'], [vscode.l10n.t('All files')]: ['*'] },
  });
  return picked?.[0] ? (await pickedAsLocalFiles(services, [picked[0]]))?.[0] : undefined;
}

/** Files of a remote window's file system are copied here first (localFileCopy.ts); undefined when that failed. */
async function pickedAsLocalFiles(services: ExtensionServices, uris: readonly vscode.Uri[]): Promise<string[] | undefined> {
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

async function identify(
  services: ExtensionServices,
  portPath: string,
): Promise<{ board?: BoardIdentity; error?: string; cause?: unknown; powerCycleNote?: string }> {
  const core = await services.loadCore();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('the board did not answer in time')), IDENTIFY_TIMEOUT_MS);
  let powerCycleNote: string | undefined;
  try {
    const board = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Identifying the board on {0}', portPath) },
      async () => {
        powerCycleNote = await readySimulatedBoard(services, core, portPath);
        return core.identifyBoard({ port: await services.ownerFor(portPath) }, controller.signal);
      },
    );
    await services.selection.noteBoard(portPath, board.name);
    return { board, powerCycleNote };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), cause: error, powerCycleNote };
  } finally {
    clearTimeout(timer);
  }
}

export function transcriptFolder(services: ExtensionServices): string {
  const configured = services.settings().transcriptFolder;
  return configured || join(services.storageUri.fsPath, 'transcripts');
}

function findLast<K extends UpgradeEvent['kind']>(session: RunRecord, kind: K) {
  for (let i = session.events.length - 1; i >= 0; i--) {
    const event = session.events[i]!;
    if (event.kind === kind) return event as Extract<UpgradeEvent, { kind: K }>;
  }
  return undefined;
}

export const upgradeModemCommand: GlueCommand = {
  id: 'pycomModem.upgradeModem',
  async run(services, rawArguments) {
    if (services.activeOperation) {
      void vscode.window.showWarningMessage(vscode.l10n.t('A modem operation is already running in this window.'));
      return undefined;
    }
    const args = asArguments(rawArguments);
    const portPath = await resolvePort(services, args.portPath);
    if (!portPath) return undefined;
    const known = lastKnownModem(services.sessions.sessions, portPath);
    let files = args.files;
    let updaterPath = args.updaterPath;
    if (!files) {
      const resume = await offerResume(services, portPath, known);
      if (resume === 'dismissed') return undefined;
      if (resume !== 'pick') {
        files = resume.files;
        updaterPath ??= resume.updaterPath;
      }
    }
    files ??= await pickFirmwareFiles(services);
    if (!files?.length) return undefined;

    const core = await services.loadCore();
    const checks: FirmwareFileCheck[] = await Promise.all(files.map((file) => core.inspectFirmwareFile(file)));
    if (!updaterPath && needsUpdaterElf(known)) {
      updaterPath = await pickUpdaterElf(services);
      if (!updaterPath) return undefined;
    }
    const updater = updaterPath ? await core.inspectFirmwareFile(updaterPath) : undefined;
    const problems = [...checks, ...(updater ? [updater] : [])].flatMap((check) => check.problems);
    if (problems.length) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot upgrade with these files: {0}', problems.join(' ')));
      return undefined;
    }

    const identity = await identify(services, portPath);
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
    const method = await confirmUpgrade(identity.board?.name ?? vscode.l10n.t('board'), portPath, preflight.detail);
    if (!method) return undefined;
    // Warnings shown in the dialog were confirmed there; the run asks only about new ones
    // (those the board's own reading of the modem brings up).
    const shownWarnings = new Set(preflight.results.filter((r) => r.status === 'warn').map(warningKey));
    const confirm = (warnings: readonly PreflightResult[]) =>
      warnings.every((w) => shownWarnings.has(warningKey(w))) ? Promise.resolve(true) : confirmNewWarnings(portPath, warnings);

    const attempt = core.newAttempt(portPath, files, updaterPath);
    await services.lastAttempts.save(attempt);
    const outcome = await runOperation(
      services,
      {
        kind: 'upgrade',
        title: vscode.l10n.t('Upgrade {0}', files.map((f) => f.split(/[\\/]/).pop()).join(' + ')),
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
          { port: await services.ownerFor(portPath), files, updaterPath, transcriptDir: transcriptFolder(services), method, confirm },
          { engine, signal },
        );
      },
    );
    await services.lastAttempts.save(core.finishedAttempt(attempt, outcome.session.events));
    await announceOutcome(services, outcome.session, outcome.ok ? undefined : outcome.error);
    return outcome.session;
  },
};

const UPGRADE = vscode.l10n.t('Upgrade');
const CHOOSE_METHOD = vscode.l10n.t('Advanced: Method…');

/**
 * The preflight's confirmation. "Advanced" lets an expert override the transfer method
 * that Pycom's rules choose (size, two-stage, updater.elf); undefined when declined.
 */
async function confirmUpgrade(boardName: string, portPath: string, detail: string): Promise<TransferMethodChoice | undefined> {
  let method: TransferMethodChoice = 'auto';
  for (;;) {
    const methodNote = method === 'auto' ? '' : `\n\n${vscode.l10n.t('Method forced by you: {0}.', METHOD_WORDS[method])}`;
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Upgrade the modem of the {0} on {1}?', boardName, portPath),
      { modal: true, detail: `${detail}${methodNote}` },
      UPGRADE,
      CHOOSE_METHOD,
    );
    if (choice === UPGRADE) return method;
    if (choice !== CHOOSE_METHOD) return undefined;
    const picked = await vscode.window.showQuickPick(
      (Object.keys(METHOD_WORDS) as TransferMethodChoice[]).map((id) => ({ id, label: METHOD_WORDS[id], picked: id === method })),
      {
        title: vscode.l10n.t('Transfer method (experts only)'),
        placeHolder: vscode.l10n.t("Automatic follows Pycom's documented rules; override only if you know why"),
      },
    );
    if (picked) method = picked.id;
  }
}

const METHOD_WORDS: Record<TransferMethodChoice, string> = {
  auto: vscode.l10n.t("Automatic (Pycom's rules: over 4 MiB or stage 1 of a two-stage upgrade ON_THE_FLY, else FFF)"),
  'on-the-fly': vscode.l10n.t('ON_THE_FLY for every file (load_fff=False)'),
  fff: vscode.l10n.t('FFF for every file (staged, then applied)'),
};

function warningKey(result: PreflightResult): string {
  return `${result.id}\u0000${result.detail}`;
}

/** Warnings that appeared once the board read the modem (e.g. a network switch): the run waits for this answer. */
async function confirmNewWarnings(portPath: string, warnings: readonly PreflightResult[]): Promise<boolean> {
  const goOn = vscode.l10n.t('Go On');
  const choice = await vscode.window.showWarningMessage(
    warnings.length === 1
      ? vscode.l10n.t('The modem on {0} raised a warning. Go on with the upgrade?', portPath)
      : vscode.l10n.t('The modem on {0} raised {1} warnings. Go on with the upgrade?', portPath, warnings.length),
    { modal: true, detail: warnings.map((w) => `${w.title}: ${w.detail}${w.action ? `\n→ ${w.action}` : ''}`).join('\n\n') },
    goOn,
  );
  return choice === goOn;
}

type ResumeChoice = { files: string[]; updaterPath?: string } | 'pick' | 'dismissed';

/**
 * Before the file picker: when the last attempt on this port did not finish and the
 * modem is (or may be) in upgrade mode (4) or its bootrom (0), offer to continue it
 * with the same files. A modem known to run its application (2) needs no resume.
 */
async function offerResume(services: ExtensionServices, portPath: string, known: KnownModem): Promise<ResumeChoice> {
  const last = await services.lastAttempts.get(portPath);
  if (!last || last.outcome === 'success') return 'pick';
  const state = known.state ?? last.modemStateAfter;
  if (state !== undefined && state !== 0 && state !== 4) return 'pick';
  const names = last.files.map((f) => f.split(/[\\/]/).pop()).join(' + ');
  const how =
    state === 4
      ? vscode.l10n.t('The modem is in {0}.', modemStateWords(4))
      : state === 0
        ? vscode.l10n.t('The modem is in its {0}.', modemStateWords(0))
        : vscode.l10n.t('The last upgrade did not finish; the modem is detected again after the switch to mirror mode.');
  const resume = {
    label: `$(debug-continue) ${vscode.l10n.t('Resume the interrupted upgrade')}`,
    description: names,
    detail: vscode.l10n.t('{0} Last attempt: {1} ({2}).', how, last.startedAt, last.outcome === 'running' ? vscode.l10n.t('the window was closed') : last.outcome),
  };
  const other = { label: `$(file) ${vscode.l10n.t('Choose firmware files…')}`, description: '', detail: vscode.l10n.t('Pick the .dup file(s) to install.') };
  const picked = await vscode.window.showQuickPick([resume, other], {
    title: vscode.l10n.t('Upgrade the modem on {0}', portPath),
    placeHolder: vscode.l10n.t('An earlier upgrade on this port was interrupted'),
  });
  if (!picked) return 'dismissed';
  if (picked === other) return 'pick';
  // A modem in upgrade mode resumes without updater.elf; in its bootrom it needs it again.
  return { files: last.files, ...(last.updaterPath && state !== 4 ? { updaterPath: last.updaterPath } : {}) };
}

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

const OPEN_PANEL = vscode.l10n.t('Open Panel');
const COPY_REPORT = vscode.l10n.t('Copy Report');

/** " (build 41065)" after a firmware version or a crash place. */
function buildNote(build: string | number): string {
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
