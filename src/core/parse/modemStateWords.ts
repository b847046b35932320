/**
 * The AT+SMOD? states in the words every front end uses (CLI, panel, log view, report):
 * one table, so the same state never reads two ways.
 */
const MODEM_STATE_WORDS: Readonly<Record<number, string>> = Object.freeze({
  0: 'recovery bootrom (needs updater.elf)',
  1: 'mTools',
  2: 'application',
  // State 4 is also where the updater runs during an upgrade: only at the start does it mean an interruption.
  4: 'upgrade mode (the updater runs; at the start this means an earlier upgrade was interrupted: it will resume)',
});

export function modemStateWords(state: number): string {
  return MODEM_STATE_WORDS[state] ?? `unknown state ${state}`;
}

/** "2 — application": the number the modem answered, then what it means. */
export function describeModemState(state: number): string {
  return `${state} — ${modemStateWords(state)}`;
}
