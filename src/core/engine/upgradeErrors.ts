import type { ReplSighting } from '../at/replRecogniser';
import { ModemToolError, type ModemToolErrorOptions } from '../errors';
import { ADD_UPDATER, READ_INFO, type UserAction } from '../userActions';
import { PUBLISHED_UPDATER_WAITS, WAIT_PHASES, wholeMinutes } from './upgradeTimeouts';

/** The modem answered a command the upgrade cannot do without with something other than OK. */
export class ModemRefusedError extends ModemToolError {
  readonly code = 'modem-refused';
  constructor(
    readonly command: string,
    /** The reply as received: info lines and final result code. */
    readonly replyText: string,
    action: string,
    options?: ModemToolErrorOptions,
  ) {
    super(`The modem refused ${command}: ${replyText.trim() || '(no text)'}.`, action, options);
  }
}

/** The modem stayed silent (or sent only garbage) through a whole wake-up deadline. */
export class ModemNotAnsweringError extends ModemToolError {
  readonly code = 'modem-silent';
  constructor(
    readonly waitedMs: number,
    readonly baudRatesTried: number[],
    readonly lastBytes: Uint8Array,
    readonly sawGarbage: boolean,
    action: string,
    options?: ModemToolErrorOptions,
  ) {
    super(
      `The modem did not answer AT within ${Math.round(waitedMs / 1000)} s` +
        ` (tried ${baudRatesTried.join(' and ')} baud` +
        (sawGarbage ? '; only garbled bytes arrived, as from a wrong baud rate' : lastBytes.length ? '' : '; the line stayed silent') +
        ').',
      action,
      options,
    );
  }
}

/**
 * The port answered AT like a MicroPython REPL: it is the board's REPL, not the modem.
 * Where a board is after plugging it in; the modem is reachable on this port only once
 * the board's updater bridged it (mirror mode). Thrown at the first sign, so nothing
 * more is sent to the REPL.
 */
export class BoardAtReplError extends ModemToolError {
  readonly code = 'board-at-repl';
  constructor(
    readonly portPath: string,
    readonly baudRate: number,
    readonly sighting: ReplSighting,
    /** What the probe received (echo, traceback, prompt). */
    readonly lastBytes: Uint8Array,
    action: string = BOARD_AT_REPL_ACTION,
    actions: UserAction[] = boardAtReplActions(portPath),
  ) {
    super(
      `${portPath} is the board's MicroPython REPL, not the modem: it answered AT with ${describeSighting(sighting)}. ` +
        'The modem answers on this port only in mirror mode.',
      action,
      { actions },
    );
  }

  /** The same finding with advice for one front end (its commands and flags, already in `action`). */
  withAction(action: string, actions: UserAction[] = []): BoardAtReplError {
    const error = new BoardAtReplError(this.portPath, this.baudRate, this.sighting, this.lastBytes, action, actions);
    if (this.step) error.step = this.step;
    return error;
  }
}

/** Mirror mode has no exit; only a power cycle gives the REPL back (PROTOCOL.md §1). */
export const LEAVE_MIRROR_MODE = 'Mirror mode has no exit: unplug the board and plug it back in afterwards to get its REPL back.';

const BOARD_AT_REPL_ACTION =
  'The full upgrade starts mirror mode by itself. To read the modem\'s info or crash dump, let the tool put the board in mirror mode first. ' +
  LEAVE_MIRROR_MODE;

function boardAtReplActions(portPath: string): UserAction[] {
  return [
    { kind: 'run-command', command: 'board-upgrade', port: portPath },
    { kind: 'run-command', command: 'info', port: portPath, viaBoard: true },
  ];
}

function describeSighting(sighting: ReplSighting): string {
  switch (sighting.kind) {
    case 'traceback':
      return 'a Python traceback';
    case 'python-error':
      return `a Python error (${sighting.evidence})`;
    case 'banner':
      return `the MicroPython banner (${sighting.evidence})`;
    case 'raw-repl-banner':
    case 'raw-repl-prompt':
      return 'the raw REPL\'s prompt';
    case 'paste-mode':
      return 'the REPL\'s paste mode';
    case 'prompt':
      return `the REPL prompt "${sighting.evidence}"`;
  }
}

/** The modem finished the upgrade and reported failure (+SMUPGRADE: fail…). */
export class ModemUpgradeFailedError extends ModemToolError {
  readonly code = 'upgrade-failed';
  constructor(
    readonly resultText: string,
    action: string,
    options?: ModemToolErrorOptions,
  ) {
    super(`The modem reported that the upgrade failed: ${resultText}`, action, options);
  }
}

/** The modem is in a state no upgrade path starts from (e.g. mTools). */
export class ModemStateError extends ModemToolError {
  readonly code = 'modem-state';
}

/** The longest pause of a modem writing its flash that users report as normal (NB-IoT, ~10 min). */
const FLASH_WRITE_MINUTES = wholeMinutes(WAIT_PHASES['post-transfer-wake'].normalMs);
const PUBLISHED_POST_TRANSFER_MINUTES = wholeMinutes(PUBLISHED_UPDATER_WAITS.probesAfterTransfer * PUBLISHED_UPDATER_WAITS.atProbeMs);

/**
 * Where the modem stands after a failure or cancel, in words a user can act on. A
 * failure reaches these texts only once its phase's budget ran out (upgradeTimeouts.ts),
 * so their power-cycle advice never cuts a normal pause short; a cancel can come at any
 * moment, and cancelledHint says what the modem may still be doing.
 */
export const STANDING = {
  untouched: 'The modem was not changed. You can run the upgrade again at any time.',
  preparing:
    'The modem was being prepared but no firmware was sent; it still runs its old firmware. Power-cycle the board (unplug it), then run the upgrade again.',
  inUpdater:
    'The modem is in its updater (upgrade mode) without new firmware. Power-cycle the board, put it back in mirror mode and run the same upgrade again: the tool detects upgrade mode (state 4) and resumes.',
  partialTransfer:
    'The firmware transfer was interrupted part-way; the modem stays in upgrade mode. Power-cycle the board, put it back in mirror mode and run the same upgrade again: the tool resumes (state 4). Do not use a diff file for the retry unless the modem still reports its old build.',
  stagedPartly:
    'Part of the file was staged in the modem when the transfer stopped; the modem keeps its old firmware (a staged file is applied only on request). Power-cycle the board, put it back in mirror mode and run the same upgrade again: it starts over.',
  recoveryBootrom:
    'The modem is in its recovery bootrom (state 0). Power-cycle the board, put it back in mirror mode and run the upgrade with the full .dup image and updater.elf (the recovery method).',
  applying:
    `The modem was applying the firmware. Leave it powered at least ${FLASH_WRITE_MINUTES} more minutes (it may still be writing its flash), then power-cycle the board and read the modem's info to see which build it runs; if it is in upgrade mode (state 4), run the same upgrade again to resume.`,
  keptOld:
    'The modem rejected the file and keeps running its old firmware. Power-cycle the board (unplug it) before the next attempt.',
  booting:
    `The new firmware was written; the modem was rebooting into it. Leave it powered at least ${FLASH_WRITE_MINUTES} more minutes, then power-cycle the board and read the modem's info to confirm the new version.`,
  done: 'The modem runs the new firmware. Power-cycle the board to leave mirror mode.',
  // The board half, before the modem was changed: only mirror mode needs a power-cycle to
  // leave; a board whose updater printed an error and returned is at its REPL, and one
  // whose updater went quiet may still be working.
  boardUntouched: 'Neither the board nor the modem was changed. You can run the upgrade again at any time.',
  // The port opened but no REPL answered: most often a board still in mirror mode from an
  // earlier attempt (its bytes go to the modem), which only a power cycle ends.
  noRepl:
    'Neither the board nor the modem was changed, but the board did not answer at its REPL. If an earlier attempt left it in mirror mode, power-cycle it (unplug it, plug it back) first, then run the upgrade again.',
  atRepl: 'The modem was not changed; the board is at its REPL. Fix the cause above and run the upgrade again.',
  inMirror:
    'The board is in mirror mode (it has no way back): power-cycle it (unplug, plug back), then run the upgrade again. The modem was not changed.',
  updaterBack: "The board's updater stopped and the board is back at its REPL (no power-cycle needed). Fix the cause above and run the upgrade again.",
  // With updater.elf the board's updater may be rewriting the modem's bootrom or loading
  // updater.elf into it: a power cut then can brick the modem (PROTOCOL.md §9).
  updaterBusy:
    "The board's updater may still be working on the modem (with updater.elf it may be rewriting the bootrom or loading the updater, which takes minutes). " +
    'Do not unplug the board now: leave it powered for 15 minutes, then power-cycle it (unplug, plug back) and run the upgrade again.',
  updaterProbing:
    "The board's updater was still probing the modem; nothing was written to it. Power-cycle the board (unplug, plug back), then run the upgrade again.",
} as const;

export type Standing = keyof typeof STANDING;

/** Where the board half can leave things. */
export type BoardStanding = 'boardUntouched' | 'noRepl' | 'atRepl' | 'inMirror' | 'updaterBack' | 'updaterBusy' | 'updaterProbing';

/** The steps a standing's text names that a front end spells out (a command line, a button). */
export const STANDING_ACTIONS: Partial<Record<Standing, UserAction[]>> = {
  recoveryBootrom: [ADD_UPDATER],
  applying: [READ_INFO],
  booting: [READ_INFO],
};

/**
 * The actions of the standing a result's hint tells (STANDING's text, alone or after a
 * cancel's warning), or none. The result event carries the hint as text, so a front end
 * finds the actions back from it.
 */
export function standingActions(hint: string | undefined): UserAction[] {
  if (!hint) return [];
  for (const [standing, actions] of Object.entries(STANDING_ACTIONS) as [Standing, UserAction[]][]) {
    if (hint.endsWith(STANDING[standing])) return actions;
  }
  return [];
}

/** Standings in which the modem may be writing its flash on its own, whatever the host does. */
const MAY_BE_WRITING: Partial<Record<Standing, string>> = {
  partialTransfer: 'was receiving the firmware and writing it to its flash',
  stagedPartly: 'was storing the staged file in its flash',
  applying: 'was applying the firmware to its flash',
  booting: 'was booting its freshly written firmware',
};

/**
 * The result hint after the user cancelled: a cancel stops the host, not the modem,
 * which may go on writing its flash for minutes. Unplugging it then can brick it.
 */
export function cancelledHint(standing: Standing): string {
  const doing = MAY_BE_WRITING[standing];
  if (!doing) return STANDING[standing];
  return (
    `Cancelled while the modem ${doing}. The modem may still be writing its flash: leave the board powered at least ${FLASH_WRITE_MINUTES} minutes ` +
    `before unplugging it (pauses that long are normal; the published updater waits up to ${PUBLISHED_POST_TRANSFER_MINUTES} minutes for the modem to answer). ` +
    `After that: ${STANDING[standing]}`
  );
}
