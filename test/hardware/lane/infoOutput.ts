import { firstUpdaterFailure } from '../../../src/core/parse/updaterMessages';
import { parseUpdaterInfo, type UpdaterInfo } from '../../../src/core/parse/updaterInfo';

/**
 * What the firmware's `sqnsupgrade.info()` printed, read with the project's own parsers
 * (PROTOCOL.md §9 wording): state, ATI1 lines, IMEI, and any of the updater's failure
 * messages. Every part is optional: a board prints what its updater version prints, and
 * the lane records the raw text whatever it is.
 */
export interface ModemInfoOutput {
  info: UpdaterInfo;
  /** The updater said "Cannot determine modem state!". */
  isStateUndetermined: boolean;
  /** A §9 failure message among the lines, with what it means and what to do. */
  failure?: { line: string; title: string; action: string };
}

const STATE_NAMES: Record<number, string> = { 0: 'recovery', 1: 'mTools', 2: 'application', 4: 'upgrade mode' };

export function parseModemInfoOutput(text: string): ModemInfoOutput {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  const found: ModemInfoOutput = {
    info: parseUpdaterInfo(lines),
    isStateUndetermined: lines.some((line) => /Cannot determine modem state/i.test(line)),
  };
  const failure = firstUpdaterFailure(lines);
  if (failure) found.failure = { line: failure.line, title: failure.message.title, action: failure.message.action };
  return found;
}

/** One line for the check table: what was recognised, or that nothing was. */
export function summarizeModemInfo({ info, isStateUndetermined, failure }: ModemInfoOutput): string {
  const parts: string[] = [];
  if (info.state !== undefined) parts.push(`state ${info.state} (${STATE_NAMES[info.state]})`);
  else if (isStateUndetermined) parts.push('the updater could not determine the modem state');
  if (info.report.lrVersion) parts.push(`LR${info.report.lrVersion}`);
  if (info.report.ueVersion) parts.push(`UE${info.report.ueVersion}`);
  if (info.report.imei) parts.push(`IMEI ${info.report.imei}`);
  if (failure) parts.push(`the updater said "${failure.line}": ${failure.title}`);
  return parts.length ? parts.join(', ') : 'no state, ATI1 or IMEI line recognised (raw output recorded)';
}
