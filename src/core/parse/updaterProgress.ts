import { buildModemVersionReport, type ModemVersionReport } from './modemVersion';

/**
 * What the board's own updater prints while `sqnsupgrade.run()` sends a file to the modem
 * from the board (the SD card and /flash methods, PROTOCOL.md §9): a progress bar such as
 * `[####                ] 20%`, lines that announce a wait, and after success the
 * version block (showver's `SYSTEM VERSION` table, the ATI1 lines, `IMEI: …`).
 * Pure functions over the lines; the board's messages that say why it stopped are in
 * updaterMessages.ts.
 */

/**
 * The percentage of a progress bar line: any bar width, `#`, `=` or `-` marks, with or
 * without a space before the number. Undefined for any other line.
 */
export function parseProgressBar(line: string): number | undefined {
  // A bar redrawn with carriage returns: the last drawing counts.
  const last = line.split('\r').map((part) => part.trim()).filter(Boolean).at(-1) ?? '';
  const match = /^\[[#=\->. ]*\]\s*(\d{1,3})\s*%$/.exec(last);
  if (!match) return undefined;
  const percent = Number(match[1]);
  return percent <= 100 ? percent : undefined;
}

/** Which part of the board's run a line announces. */
export type OnBoardPhase = 'prepare-wait' | 'transfer' | 'write-wait' | 'boot-wait' | 'done';

const PHASE_MARKS: readonly { pattern: RegExp; phase: OnBoardPhase }[] = [
  { pattern: /Starting STP/i, phase: 'transfer' },
  { pattern: /Waiting for the modem to restart|Waiting for the updater to start|Loading .* into the modem/i, phase: 'prepare-wait' },
  { pattern: /Waiting for the modem to finish/i, phase: 'write-wait' },
  { pattern: /Waiting for the modem to boot/i, phase: 'boot-wait' },
  { pattern: /modem has been successfully updated/i, phase: 'done' },
];

/** The phase a line opens, when it announces one (a bar line opens the transfer). */
export function onBoardPhaseOf(line: string): OnBoardPhase | undefined {
  if (parseProgressBar(line) !== undefined) return 'transfer';
  return PHASE_MARKS.find((mark) => mark.pattern.test(line))?.phase;
}

/**
 * The version block printed after `Your modem has been successfully updated.`: the showver
 * table (from `SYSTEM VERSION`), the ATI1 lines and `IMEI: …`. Undefined when the lines hold
 * neither a build nor an IMEI.
 */
export function parseUpdaterVersionBlock(lines: readonly string[]): ModemVersionReport | undefined {
  const trimmedEnds = lines.map((line) => line.replace(/\s+$/, ''));
  const start = trimmedEnds.findIndex((line) => /^\s*SYSTEM VERSION\s*$/.test(line));
  const isAti1 = (line: string) => /^(UE|LR)\d/i.test(line.trim());
  let showverText: string | undefined;
  if (start !== -1) {
    const rest = trimmedEnds.slice(start);
    const end = rest.findIndex((line, index) => index > 0 && (isAti1(line) || /^IMEI\b/i.test(line.trim()) || line.trim() === ''));
    showverText = (end === -1 ? rest : rest.slice(0, end)).join('\n');
  }
  const after = start === -1 ? trimmedEnds : trimmedEnds.slice(start);
  const ati1Lines = after.filter(isAti1).map((line) => line.trim());
  const imeiLines = after.filter((line) => /^\s*IMEI\b/i.test(line)).map((line) => line.trim());
  const report = buildModemVersionReport({ ati1Lines, imeiLines, ...(showverText !== undefined ? { showverText } : {}) });
  return report.softwareBuild !== undefined || report.imei ? report : undefined;
}
