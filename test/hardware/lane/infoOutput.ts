/**
 * What the firmware's `sqnsupgrade.info()` printed, in the words PROTOCOL.md §9 gives:
 * the state sentence, the two ATI1 lines (`UE5.0.0.0d`, `LR5.1.1.0-41065`) and `IMEI: …`.
 * Every field is optional: a board prints what its updater version prints, and the
 * lane records the raw text whatever it is.
 */
export interface ModemInfoOutput {
  /** 0 recovery, 1 mTools, 2 application, 4 upgrade mode; 'unknown' for "Cannot determine modem state!". */
  state?: 0 | 1 | 2 | 4 | 'unknown';
  /** The sentence the state came from, as printed. */
  stateLine?: string;
  /** ATI1's UE line, e.g. 'UE5.0.0.0d'. */
  ueVersion?: string;
  /** ATI1's LR line, e.g. 'LR5.1.1.0-41065'. */
  lrVersion?: string;
  /** The build number after the LR version's dash. */
  softwareBuild?: number;
  imei?: string;
  /** 'enabled' | 'disabled' from `LTE autostart …` (verbose only). */
  lteAutostart?: 'enabled' | 'disabled';
}

/** The §9 sentences, matched on their distinctive part so punctuation changes between updater versions do not matter. */
const STATE_SENTENCES: ReadonlyArray<{ pattern: RegExp; state: ModemInfoOutput['state'] }> = [
  { pattern: /modem is in application mode/i, state: 2 },
  { pattern: /modem is in mTools mode/i, state: 1 },
  { pattern: /modem is in recovery mode/i, state: 0 },
  { pattern: /modem is in upgrade mode/i, state: 4 },
  { pattern: /Cannot determine modem state/i, state: 'unknown' },
];

export function parseModemInfoOutput(text: string): ModemInfoOutput {
  const found: ModemInfoOutput = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (found.state === undefined) {
      const sentence = STATE_SENTENCES.find((s) => s.pattern.test(line));
      if (sentence) {
        found.state = sentence.state;
        found.stateLine = line;
        continue;
      }
    }
    const ue = /^UE\d+(\.\d+)+\w*$/.exec(line);
    if (ue && found.ueVersion === undefined) {
      found.ueVersion = line;
      continue;
    }
    const lr = /^LR\d+(?:\.\d+)+-(\d+)$/.exec(line);
    if (lr && found.lrVersion === undefined) {
      found.lrVersion = line;
      found.softwareBuild = Number(lr[1]);
      continue;
    }
    const imei = /^IMEI:\s*(\d{14,16})\b/i.exec(line);
    if (imei && found.imei === undefined) {
      found.imei = imei[1]!;
      continue;
    }
    const autostart = /^LTE autostart (enabled|disabled)/i.exec(line);
    if (autostart) found.lteAutostart = autostart[1]!.toLowerCase() as 'enabled' | 'disabled';
  }
  return found;
}

const STATE_NAMES: Record<string, string> = { 0: 'recovery', 1: 'mTools', 2: 'application', 4: 'upgrade mode', unknown: 'could not be determined' };

/** One line for the check table: what was recognised, or that nothing was. */
export function summarizeModemInfo(info: ModemInfoOutput): string {
  const parts: string[] = [];
  if (info.state !== undefined) parts.push(info.state === 'unknown' ? 'state could not be determined' : `state ${info.state} (${STATE_NAMES[String(info.state)]})`);
  if (info.lrVersion) parts.push(info.lrVersion);
  if (info.ueVersion) parts.push(info.ueVersion);
  if (info.imei) parts.push(`IMEI ${info.imei}`);
  return parts.length ? parts.join(', ') : 'no state, ATI1 or IMEI line recognised (raw output recorded)';
}
