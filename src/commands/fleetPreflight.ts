import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { FirmwareFileCheck } from '../glue/modemCore';
import type { UpgradePreflight } from '../glue/upgradePreflight';
import type { PanelFleetRow } from '../shared/panelMessages';
import type { identifyBoardOn } from './boardIdentify';

/** One board as the several-board preflight saw it: who it is, its checks, and why it is skipped when it is. */
export interface FleetBoardCheck {
  portPath: string;
  identity: Awaited<ReturnType<typeof identifyBoardOn>>;
  preflight: UpgradePreflight;
  /** Set when the board cannot be upgraded with these files: it is skipped, the others go on. */
  refusal?: string;
}

/**
 * The confirmation's text for several boards: a line per board (port, board, what its
 * checks said), then the files once and the rules of mirror mode once.
 */
/** What every board of the fleet gets: checked files, or a package each board chooses from. */
export interface FleetFirmware {
  checks: readonly FirmwareFileCheck[];
  updater?: FirmwareFileCheck;
  packageSource?: string;
}

export function fleetPreflightTable(boards: readonly FleetBoardCheck[], firmware: FleetFirmware): string {
  const files = [...firmware.checks, ...(firmware.updater ? [firmware.updater] : [])];
  const lines = boards.map((board) => {
    const who = board.identity.board
      ? board.identity.board.firmwareVersion
        ? vscode.l10n.t('{0} (firmware {1})', board.identity.board.name, board.identity.board.firmwareVersion)
        : board.identity.board.name
      : vscode.l10n.t('not identified');
    const warnings = board.preflight.results.filter((r) => r.status === 'warn');
    const verdict = board.refusal
      ? vscode.l10n.t('skipped: {0}', board.refusal)
      : warnings.length
        ? vscode.l10n.t('ready, {0}', warnings.map((w) => `${w.title}: ${w.detail}`).join('; '))
        : vscode.l10n.t('ready');
    return `${board.portPath} · ${who} — ${verdict}`;
  });
  return [
    ...lines,
    '',
    ...(firmware.packageSource
      ? [vscode.l10n.t('Package: {0}. Each board gets the files for its own modem (the diff for its build, or the full image and updater.elf where needed), checked before anything changes on it.', basename(firmware.packageSource))]
      : [vscode.l10n.t('Files:'), ...files.map((file) => `  ${file.summary}`), ...files.flatMap((file) => file.warnings.map((warning) => `  ! ${warning}`))]),
    '',
    vscode.l10n.t("Each board reads its modem with its own updater before anything changes; a board whose modem does not fit the files stops there, and the others go on."),
    vscode.l10n.t('Every board switches to mirror mode and stays there: afterwards unplug each one and plug it back in.'),
    vscode.l10n.t('Do not unplug a board during its upgrade; pauses of a few minutes (at 7–10 % and at 99 %) are normal.'),
  ].join('\n');
}

/** The notification's line: how many are done, and each running board's step or percentage. */
export function fleetSummary(rows: readonly PanelFleetRow[]): string {
  const ended = rows.filter((row) => row.status !== 'queued' && row.status !== 'running').length;
  const running = rows
    .filter((row) => row.status === 'running')
    .map((row) => `${row.portPath} ${row.percent !== undefined ? `${row.percent} %` : (row.step ?? '')}`.trim());
  return [vscode.l10n.t('{0} of {1} done', ended, rows.length), ...running].join(' · ');
}
