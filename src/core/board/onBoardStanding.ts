import type { ModemVersionReport } from '../parse/modemVersion';

/**
 * The on-board run (onBoardUpgrade.ts) tracks where it stands as one key while it runs, so
 * the result's hint and its one-line message, cancelled or failed, come from one place.
 */

/** Where the board and modem stand after an on-board run, in words (the result's hint). */
export const ON_BOARD_STANDING = {
  untouched: 'Neither the board nor the modem was changed. You can run the upgrade again at any time.',
  atRepl: 'The modem was not changed; the board is at its REPL (no power-cycle needed). Fix the cause above and run the upgrade again.',
  stoppedBeforeTransfer:
    "The board's updater stopped before it sent any firmware; the board is back at its REPL (no power-cycle needed). Fix the cause above and run the upgrade again.",
  rejected:
    "The modem rejected the file and keeps running its old firmware; the board is back at its REPL. Power-cycle the board (unplug it, plug it back) before the next attempt.",
  stoppedAfterTransfer:
    "The board's updater stopped after sending firmware; the board is back at its REPL. Power-cycle the board (unplug it, plug it back), read the modem's info to see which build it runs, and run the upgrade again (a modem in upgrade mode resumes with the same full image).",
  cancelledBeforeTransfer:
    "Cancelled while the board's updater was preparing the modem; it had sent no firmware, but it may still be running on the board. Power-cycle the board (unplug it, plug it back), then run the upgrade again.",
  mayBeWriting:
    "The board's updater may still be sending the firmware, or the modem writing its flash. Do not unplug the board now: leave it powered at least 15 minutes (pauses that long are normal), then power-cycle it (unplug, plug back) and read the modem's info to see which build it runs.",
  done:
    'The board is back at its REPL and the modem runs the new firmware. Power-cycle the board (unplug it, plug it back) so the modem starts it cleanly: the modem has finished writing, so it is safe now.',
} as const;
export type OnBoardStanding = keyof typeof ON_BOARD_STANDING;

export function successMessage(before: ModemVersionReport | undefined, after: ModemVersionReport | undefined): string {
  const from = before?.softwareBuild;
  const to = after?.softwareBuild;
  const builds = from !== undefined && to !== undefined ? ` (build ${from} → ${to})` : to !== undefined ? ` (build ${to})` : '';
  return `The board's updater upgraded the modem${builds}.`;
}

export function failureMessage(standing: OnBoardStanding, isCancel: boolean): string {
  if (standing === 'mayBeWriting' || standing === 'cancelledBeforeTransfer') {
    return `${isCancel ? 'Cancelled' : 'Stopped waiting'} while the board's updater may still be working on the modem.`;
  }
  if (standing === 'untouched' || standing === 'atRepl' || standing === 'stoppedBeforeTransfer') {
    return isCancel ? 'Upgrade cancelled before the modem was changed.' : "The on-board upgrade stopped before the modem was changed.";
  }
  return "The board's updater did not upgrade the modem.";
}
