import * as vscode from 'vscode';
import type { ModemState, ModemVersionReport } from '../core/parse/modemVersion';
import type { PreflightFacts, PreflightFile, PreflightResult } from '../core/preflight/preflight';
import type { BoardIdentity, FirmwareFileCheck, SessionRules } from './modemCore';
import type { RunRecord } from '../views/sessionLog';

export interface KnownModem {
  state?: ModemState;
  report?: ModemVersionReport;
}

/**
 * What this window last learned about the modem on a port (a previous info read or upgrade, the state read after a failure included).
 * A completed upgrade makes everything read before it stale (the modem rebooted into new
 * firmware): only what was read after it counts, e.g. its own "after" version report.
 */
export function lastKnownModem(sessions: readonly RunRecord[], portPath: string): KnownModem {
  let known: KnownModem = {};
  for (const session of sessions) {
    if (session.portPath !== portPath) continue;
    let afterReport: ModemVersionReport | undefined;
    for (const event of session.events) {
      if (event.kind === 'modemState') known.state = event.state;
      if (event.kind === 'modemInfo') {
        known.report = event.report;
        if (event.phase === 'after') afterReport = event.report;
      }
      if (event.kind === 'result' && event.outcome === 'success' && session.kind === 'upgrade') {
        known = afterReport ? { report: afterReport } : {};
      }
    }
  }
  return known;
}

/** The recovery method is needed once for a modem in its bootrom or with the old 33080 bootrom. */
export function needsUpdaterElf(known: KnownModem): boolean {
  return known.state === 0 || known.report?.needsRecoveryBootromUpgrade === true;
}

export interface UpgradePreflightInput {
  portPath: string;
  board?: BoardIdentity;
  boardError?: string;
  known: KnownModem;
  files: FirmwareFileCheck[];
  updater?: FirmwareFileCheck;
  /** A firmware package: its files are chosen (and checked) once the board has read the modem. */
  packageName?: string;
  isSimulated: boolean;
}

function preflightFile(check: FirmwareFileCheck): PreflightFile {
  return check.readError !== undefined
    ? { name: check.path, readError: check.readError }
    : { name: check.path, size: check.sizeBytes, ...(check.head ? { head: check.head } : {}) };
}

/** The core checks' facts from what the glue knows: file checks, the identified board, the last-read modem. */
export function upgradePreflightFacts(input: UpgradePreflightInput): PreflightFacts {
  const report = input.known.report;
  const bootloader0Build = report?.bootloaders.find((b) => b.slot === 0)?.build;
  const hasModemFacts = input.known.state !== undefined || report !== undefined;
  return {
    firmware: input.files.map(preflightFile),
    ...(input.updater ? { updater: preflightFile(input.updater) } : {}),
    // The upgrade runs the board's updater with updater.elf (FFH) before the host half.
    ...(input.updater ? { boardRunsFfh: true } : {}),
    ...(hasModemFacts
      ? {
          modem: {
            ...(input.known.state !== undefined ? { state: input.known.state } : {}),
            ...(report?.softwareBuild !== undefined ? { softwareBuild: report.softwareBuild } : {}),
            ...(bootloader0Build !== undefined ? { bootloader0Build } : {}),
            ...(report ? { kind: report.kind } : {}),
          },
        }
      : {}),
    ...(!input.board && input.boardError !== undefined ? { boardError: input.boardError } : {}),
    ...(input.board
      ? { board: { machine: input.board.name, ...(input.board.firmwareVersion ? { release: input.board.firmwareVersion } : {}), hasLteModem: input.board.hasLteModem } }
      : {}),
  };
}

export interface UpgradePreflight {
  results: PreflightResult[];
  isRefused: boolean;
  /** The confirmation's text: board and modem as known, one line per check, then the rules of mirror mode. */
  detail: string;
}

/** The core preflight checks, as the first screen of "Pycom: Upgrade Modem". */
export function runUpgradePreflight(rules: Pick<SessionRules, 'runPreflight'>, input: UpgradePreflightInput): UpgradePreflight {
  // A package's files are not known yet: the checks run on the files chosen for the modem the board reads.
  const { results, hasFailure, text } = input.packageName
    ? {
        results: [],
        hasFailure: false,
        text: vscode.l10n.t(
          'Package: {0}. Once the board has read its modem, the tool picks the files for it (the diff for its build, or the full image and updater.elf where needed) and checks them before anything changes; the choice shows in the panel, and a warning asks you again.',
          input.packageName,
        ),
      }
    : rules.runPreflight(upgradePreflightFacts(input));
  const lines: string[] = [];
  const board = input.board
    ? input.board.firmwareVersion
      ? vscode.l10n.t('{0} (firmware {1})', input.board.name, input.board.firmwareVersion)
      : input.board.name
    : input.boardError
      ? vscode.l10n.t('not identified: {0}', input.boardError)
      : vscode.l10n.t('not identified');
  lines.push(
    input.isSimulated
      ? vscode.l10n.t('Board: {0} on {1} (simulated)', board, input.portPath)
      : vscode.l10n.t('Board: {0} on {1}', board, input.portPath),
  );
  const r = input.known.report;
  if (r?.lrVersion || r?.softwareVersion || input.known.state !== undefined) {
    const version = r?.lrVersion ?? r?.softwareVersion;
    const versionText = version
      ? r?.softwareBuild
        ? vscode.l10n.t('{0} build {1}', version, r.softwareBuild)
        : version
      : vscode.l10n.t('version unknown');
    lines.push(
      input.known.state !== undefined
        ? vscode.l10n.t('Modem (last read): {0}, state {1}', versionText, input.known.state)
        : vscode.l10n.t('Modem (last read): {0}', versionText),
    );
  } else {
    lines.push(vscode.l10n.t('Modem: state detected after the switch to mirror mode'));
  }
  lines.push('', text);
  lines.push(
    '',
    vscode.l10n.t('The board switches to mirror mode and stays there: afterwards unplug it and plug it back in.'),
    vscode.l10n.t('Do not unplug the board during the upgrade; pauses of a few minutes (at 7–10 % and at 99 %) are normal.'),
  );
  return { results, isRefused: hasFailure, detail: lines.join('\n') };
}
