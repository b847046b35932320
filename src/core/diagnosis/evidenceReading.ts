import { LTE_BOARDS } from '../board/boardIdentity';
import type { CrashDump } from '../parse/crashDump';
import { OLD_BOOTROM_BUILD } from '../parse/modemVersion';
import type { DiagnosisEvidence } from './evidence';
import { dotUnprintable } from '../parse/controlChars';

/**
 * Reading the evidence: the predicates the diagnosis rules match on, the sentences their
 * evidence lines are made of, and the next step from where the modem stands. Device
 * text is cut to printable characters here, before any front end sees it.
 */

/**
 * The modem pauses during the transfer to do internal work, for up to about 90 s per STP
 * request, seen around 7–10 % and at 99 % (PROTOCOL.md §2 timing facts, §6). The zones
 * carry a little margin because where the pause falls moves with the file.
 */
export const NORMAL_STALL_ZONES_PERCENT: readonly { from: number; to: number }[] = [
  { from: 6.5, to: 11 },
  { from: 98.5, to: 100 },
];

/** PROTOCOL.md §6: "wait up to 5 min, do not unplug"; the published tool waits 300 s too. */
export const NORMAL_STALL_MAX_MS = 300_000;

/** GPy v1.0 modems scan these bands only; the set is fixed in the hardware (PROTOCOL.md §5). */
export const GPY_V1_BANDS: readonly number[] = [3, 4, 12, 13, 20, 28];

/** Bands 5 and 8 need newer modem hardware and at least this firmware build (PROTOCOL.md §5). */
export const BANDS_5_8_MIN_BUILD = 39000;

/** Steps that run on the board's REPL, before mirror mode. */
export const BOARD_STEPS = new Set(['board-connect', 'board-identify', 'board-modem-read', 'choose-files', 'preflight', 'push-files', 'trigger']);

/** Steps after which the modem may hold a partial upgrade. */
export const MODEM_CHANGING_STEPS = new Set(['recovery-boot', 'load-updater', 'transfer', 'apply', 'await-upgrade', 'boot-check', 'boot-app']);

/** Device text in a diagnosis: printable ASCII only. */
export const printable = dotUnprintable;

export function transferPercent(e: DiagnosisEvidence): number | undefined {
  const progress = e.transferProgress;
  if (!progress || progress.bytesTotal <= 0) return undefined;
  return (progress.bytesDone / progress.bytesTotal) * 100;
}

export function isInNormalStallZone(percent: number | undefined): boolean {
  return percent !== undefined && NORMAL_STALL_ZONES_PERCENT.some((zone) => percent >= zone.from && percent <= zone.to);
}

export function formatSeconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

export function formatPercent(percent: number): string {
  return `${percent < 10 ? percent.toFixed(1) : Math.floor(percent)} %`;
}

export function hasOldBootrom(e: DiagnosisEvidence): boolean {
  return e.bootloader0Build === OLD_BOOTROM_BUILD || e.crashDump?.build === OLD_BOOTROM_BUILD || e.modemBuild === OLD_BOOTROM_BUILD;
}

export function isTimeoutLike(e: DiagnosisEvidence): boolean {
  return e.errorCode === 'timeout' || e.errorCode === 'modem-silent';
}

export function isCancelled(e: DiagnosisEvidence): boolean {
  return e.errorCode === 'aborted';
}

/** Whether the modem may now hold a partly done upgrade (it then resumes from state 4). */
export function mayHavePartialUpgrade(e: DiagnosisEvidence): boolean {
  if (e.modemStateAfter === 4) return true;
  // Read after the failure: the application runs, whatever the transfer had staged.
  if (e.modemStateAfter === 2) return false;
  if (e.modemStateBefore === 4) return true;
  if ((e.transferProgress?.bytesDone ?? 0) > 0) return true;
  return e.failedStep !== undefined && MODEM_CHANGING_STEPS.has(e.failedStep);
}

/** The next run, from where the modem stands (or most likely stands). */
export function howToContinue(e: DiagnosisEvidence): string {
  if (e.modemStateAfter === 0) {
    return 'run the upgrade with the full .dup image (CATM1-<build>.dup or NB1-<build>.dup) and updater.elf (the recovery method): the modem is in its recovery bootrom (state 0).';
  }
  if (e.modemStateAfter === 4) {
    return 'run the same upgrade again with the same file: the tool finds the modem in upgrade mode (state 4) and resumes.';
  }
  if (e.modemStateAfter === 2) {
    return 'run the same upgrade again: the modem is back in its application (state 2) with its old firmware, so the upgrade starts over.';
  }
  if (e.failedStep !== undefined && BOARD_STEPS.has(e.failedStep)) return 'run the upgrade again; the modem was not changed.';
  if (mayHavePartialUpgrade(e)) {
    return 'run the same upgrade again with the same file: the tool detects an interrupted upgrade (state 4) and resumes it.';
  }
  return 'run the upgrade again.';
}

export function crashLine(dump: CrashDump): string {
  const where = dump.file !== undefined ? `${printable(dump.file)}${dump.line !== undefined ? `@${dump.line}` : ''}` : undefined;
  const build = dump.buildString !== undefined ? printable(dump.buildString) : dump.build !== undefined ? `build ${dump.build}` : 'an unknown build';
  const text = dump.assertionText !== undefined ? printable(dump.assertionText.split(/\r\n|\r|\n/)[0] ?? '').slice(0, 80) : '';
  const what = where ? `assertion at ${where}` : text ? `"${text}"${dump.isTruncated ? ' (cut short)' : ''}` : 'present';
  return `Crash dump: ${what}, written by ${build}.`;
}

/** A crash dump stays on the modem until overwritten: say so when it cannot be from the firmware running now. */
export function crashAgeLine(e: DiagnosisEvidence): string[] {
  const dump = e.crashDump;
  if (!dump || dump.build === undefined || e.modemBuild === undefined || dump.build === e.modemBuild) return [];
  return [`The dump was written by build ${dump.build} while the modem now runs ${e.modemBuild}: it may be from an earlier crash.`];
}

export function errorLine(e: DiagnosisEvidence): string[] {
  if (!e.errorMessage) return e.errorCode ? [`Error code: ${e.errorCode}.`] : [];
  return [`Error${e.errorCode ? ` (${e.errorCode})` : ''}${e.failedStep ? ` at step "${e.failedStep}"` : ''}: ${printable(e.errorMessage)}`];
}

export function stateLines(e: DiagnosisEvidence): string[] {
  const lines: string[] = [];
  if (e.modemStateBefore !== undefined) lines.push(`AT+SMOD? answered ${e.modemStateBefore} before the upgrade.`);
  if (e.modemStateAfter !== undefined) lines.push(`AT+SMOD? answered ${e.modemStateAfter} after the failure.`);
  return lines;
}

export function progressLines(e: DiagnosisEvidence): string[] {
  const percent = transferPercent(e);
  if (percent === undefined || !e.transferProgress) return [];
  return [`Transfer reached ${formatPercent(percent)} (${e.transferProgress.bytesDone} of ${e.transferProgress.bytesTotal} bytes).`];
}

export function silenceLines(e: DiagnosisEvidence): string[] {
  return e.modemSilentMs !== undefined ? [`The modem had been silent for ${formatSeconds(e.modemSilentMs)}.`] : [];
}

export function lastAtLines(e: DiagnosisEvidence): string[] {
  if (!e.lastAt) return [];
  const reply = [...e.lastAt.lines, e.lastAt.final].filter(Boolean).map(printable).join(' | ');
  return [`Last AT command: ${printable(e.lastAt.command)} → ${reply || '(nothing)'}.`];
}

export function bootromLines(e: DiagnosisEvidence): string[] {
  const lines: string[] = [];
  if (e.bootloader0Build !== undefined) lines.push(`Bootloader0 (bootrom) build ${e.bootloader0Build}.`);
  if (e.modemBuild !== undefined) lines.push(`Modem software build ${e.modemBuild}.`);
  return lines;
}

export function portName(e: DiagnosisEvidence): string {
  return e.portPath ?? 'the port';
}

export function platformOf(e: DiagnosisEvidence): NodeJS.Platform {
  const platform = e.platform ?? 'linux';
  return (['win32', 'darwin', 'linux'].includes(platform) ? platform : 'linux') as NodeJS.Platform;
}

export function releaseBefore120(release: string | undefined): boolean {
  const match = release ? /^(\d+)\.(\d+)/.exec(release) : null;
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major < 1 || (major === 1 && minor < 20);
}

export function isLteBoard(machine: string): boolean {
  return (LTE_BOARDS as readonly string[]).some((model) => model.toLowerCase() === machine.trim().toLowerCase());
}

export function unsupportedBands(e: DiagnosisEvidence): number[] {
  return (e.wantedBands ?? []).filter((band) => !GPY_V1_BANDS.includes(band));
}

export function isRevision1(revision: string | undefined): boolean {
  return revision !== undefined && /^v?1(\.0+)?$/i.test(revision.trim());
}
