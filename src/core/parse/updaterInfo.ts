import { buildModemVersionReport, type ModemState, type ModemVersionReport } from './modemVersion';

/**
 * What the board's own `sqnsupgrade.info(verbose=True)` printed (PROTOCOL.md §9): the
 * modem's state, and in application mode its ATI1 lines and IMEI. It reads the modem over
 * the board's UART and returns to the REPL, so nothing about it needs a power-cycle.
 */
export interface UpdaterInfo {
  /** Undefined when the updater said "Cannot determine modem state!" or printed nothing known. */
  state?: ModemState;
  /** ATI1 and IMEI as a version report (no showver: Bootloader0 stays unknown this way). */
  report: ModemVersionReport;
  /** `LTE autostart enabled|disabled.` (verbose only): LTE started at boot blocks the updater. */
  isLteAutostart?: boolean;
  /** The updater's version from its welcome line, e.g. '1.2.7'. */
  updaterVersion?: string;
}

const STATE_PHRASES: readonly { pattern: RegExp; state: ModemState }[] = [
  { pattern: /modem is in application mode/i, state: 2 },
  { pattern: /modem is in mtools mode/i, state: 1 },
  { pattern: /modem is in recovery mode/i, state: 0 },
  { pattern: /modem is in upgrade mode/i, state: 4 },
];

export function parseUpdaterInfo(lines: readonly string[]): UpdaterInfo {
  const trimmed = lines.map((line) => line.trim());
  let state: ModemState | undefined;
  for (const line of trimmed) {
    const found = STATE_PHRASES.find((phrase) => phrase.pattern.test(line));
    if (found) {
      state = found.state;
      break;
    }
  }
  const ati1Lines = trimmed.filter((line) => /^(UE|LR)\d/i.test(line));
  const imeiLines = trimmed.filter((line) => /^IMEI\b/i.test(line));
  const info: UpdaterInfo = { report: buildModemVersionReport({ ati1Lines, imeiLines }) };
  if (state !== undefined) info.state = state;
  const autostart = trimmed.map((line) => /LTE autostart (enabled|disabled)/i.exec(line)?.[1]).find(Boolean);
  if (autostart) info.isLteAutostart = autostart.toLowerCase() === 'enabled';
  const version = trimmed.map((line) => /firmware updater \[([\d.]+)\]/.exec(line)?.[1]).find(Boolean);
  if (version) info.updaterVersion = version;
  return info;
}
