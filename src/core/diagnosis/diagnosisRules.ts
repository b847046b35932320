import { OLD_BOOTROM_BUILD } from '../parse/modemVersion';
import { openFailureAction } from '../transport/serialErrors';
import { standingActions } from '../engine/upgradeErrors';
import { STEP_TITLES, type StepId } from '../engine/upgradeEvents';
import { READ_INFO, type UserAction } from '../userActions';
import type { DiagnosisEvidence } from './evidence';
import { UPDATER_MESSAGE_RULE } from './updaterMessageRule';
import {
  NORMAL_STALL_MAX_MS,
  GPY_V1_BANDS,
  BANDS_5_8_MIN_BUILD,
  BOARD_STEPS,
  printable,
  transferPercent,
  isInNormalStallZone,
  formatSeconds,
  formatPercent,
  hasOldBootrom,
  isTimeoutLike,
  isCancelled,
  mayHavePartialUpgrade,
  howToContinue,
  crashLine,
  crashAgeLine,
  errorLine,
  stateLines,
  progressLines,
  silenceLines,
  lastAtLines,
  bootromLines,
  portName,
  platformOf,
  releaseBefore120,
  isLteBoard,
  unsupportedBands,
  isRevision1,
} from './evidenceReading';

/**
 * Why an upgrade failed and what to do next, as a table (PROTOCOL.md §6 and the forum
 * threads behind it). `diagnose()` takes the first rule that matches, so the table is
 * ordered most specific first and ends with a catch-all. Each rule reads only the
 * evidence; its texts say what happened, what to do, and which facts made it match.
 */
export interface DiagnosisRule {
  cause: string;
  /**
   * 'question' rules answer something asked beside any failure (which bands a board
   * can scan); they are reported along with the failure's diagnosis, not instead of it.
   */
  kind?: 'failure' | 'question';
  matches(e: DiagnosisEvidence): boolean;
  title(e: DiagnosisEvidence): string;
  action(e: DiagnosisEvidence): string;
  /** The steps `action` names, for a front end to spell out (none when left out). */
  actions?(e: DiagnosisEvidence): UserAction[];
  evidenceLines(e: DiagnosisEvidence): string[];
}

/** The error's own actions where a rule's text is the error's own advice (`e.errorAction ?? …`), else `fallback`. */
function errorActionsOr(e: DiagnosisEvidence, fallback: UserAction[] = []): UserAction[] {
  return e.errorAction !== undefined ? (e.errorActions ?? []) : fallback;
}


/** Board steps before its updater runs (the trigger, the on-board run): the modem is untouched there. */
const BOARD_STEPS_BEFORE_UPDATER: ReadonlySet<string> = new Set([...BOARD_STEPS, 'on-board-file', 'push-firmware'].filter((step) => step !== 'trigger'));
export const DIAGNOSIS_RULES: readonly DiagnosisRule[] = [
  {
    cause: 'port-busy',
    matches: (e) => e.errorCode === 'port-open' && e.portOpenFailure === 'busy',
    title: (e) => `${portName(e)} is held by another program`,
    action: (e) =>
      `${openFailureAction(portName(e), 'busy', { platform: platformOf(e) })} After the board printed "Going into MIRROR mode", the REPL terminal must be closed before the host transfer.`,
    evidenceLines: (e) => [...errorLine(e)],
  },
  {
    cause: 'port-permission',
    matches: (e) => e.errorCode === 'port-open' && e.portOpenFailure === 'permission',
    title: (e) => `No permission to open ${portName(e)}`,
    action: (e) => openFailureAction(portName(e), 'permission', { platform: platformOf(e) }),
    evidenceLines: (e) => [...errorLine(e)],
  },
  {
    cause: 'port-missing',
    matches: (e) => e.errorCode === 'port-open' && e.portOpenFailure === 'missing',
    title: (e) => `${portName(e)} does not exist`,
    action: (e) => e.errorAction ?? openFailureAction(portName(e), 'missing', { platform: platformOf(e) }),
    actions: (e) => errorActionsOr(e),
    evidenceLines: (e) => [...errorLine(e)],
  },
  {
    // Where a board is after plugging it in: info, crash dump or the host-side upgrade
    // pointed at it before anything started mirror mode.
    cause: 'board-at-repl',
    matches: (e) => e.errorCode === 'board-at-repl',
    title: (e) => `${e.portPath ?? 'The port'} is the board's Python REPL, not the modem`,
    action: (e) =>
      e.errorAction ??
      'The modem answers on this port only in mirror mode. The full upgrade (board upgrade, or "Pycom: Upgrade Modem") starts it by itself; ' +
        'info and crash dump can start it first when asked to go through the board. Mirror mode has no exit: unplug the board and plug it back in afterwards.',
    actions: (e) =>
      errorActionsOr(e, [
        { kind: 'run-command', command: 'board-upgrade', ...(e.portPath ? { port: e.portPath } : {}) },
        { kind: 'run-command', command: 'info', viaBoard: true, ...(e.portPath ? { port: e.portPath } : {}) },
      ]),
    evidenceLines: (e) => [...errorLine(e)],
  },
  {
    cause: 'board-not-at-repl',
    matches: (e) => e.errorCode === 'board-silent',
    title: () => 'The board does not answer at its REPL',
    action: () =>
      'A board left in mirror mode by an earlier attempt never returns to its REPL: power-cycle it (unplug, plug back; the reset button ' +
      'does not leave mirror mode for the modem), close any terminal holding the port, check the port is the board, then run the upgrade again.',
    evidenceLines: (e) => [...errorLine(e)],
  },
  {
    cause: 'no-lte-modem',
    matches: (e) => e.errorCode === 'no-lte-modem' || (e.boardMachine !== undefined && !isLteBoard(e.boardMachine)),
    title: (e) => `The board${e.boardMachine ? ` (${printable(e.boardMachine)})` : ''} has no LTE modem`,
    action: () =>
      'Only the GPy, FiPy and G01 carry the Sequans LTE modem; a LoPy, WiPy or SiPy has none to upgrade. Connect a GPy, FiPy or G01 and pick its port.',
    evidenceLines: (e) => [...(e.boardMachine ? [`The board calls itself ${printable(e.boardMachine)}.`] : []), ...errorLine(e)],
  },
  {
    cause: 'firmware-without-sqnsupgrade',
    matches: (e) => e.errorCode === 'sqnsupgrade-missing' || (e.hasSqnsupgrade === false && releaseBefore120(e.boardRelease)),
    title: (e) => `The board firmware${e.boardRelease ? ` ${printable(e.boardRelease)}` : ''} has no sqnsupgrade module`,
    action: () =>
      'Pycom firmware includes sqnsupgrade from 1.20 on. Update the board firmware (Pycom firmware updater) to 1.20 or later, ' +
      'or copy the sqnsupgrade .py files from Pycom\'s published libraries to /flash, then run the upgrade again.',
    evidenceLines: (e) => [
      ...(e.boardRelease ? [`Board firmware ${printable(e.boardRelease)}.`] : []),
      ...(e.hasSqnsupgrade === false ? ['`import sqnsupgrade` failed on the board.'] : []),
      ...errorLine(e),
    ],
  },
  UPDATER_MESSAGE_RULE,
  {
    cause: 'flash-full',
    matches: (e) => e.errorCode === 'flash-full',
    title: () => 'Not enough space on /flash for updater.elf',
    action: () =>
      'Delete files you no longer need from /flash (old logs, libraries, a previous updater.elf), then run the upgrade again. ' +
      'Only updater.elf goes to /flash; the .dup image is streamed from the computer.',
    evidenceLines: (e) => [
      ...(e.flash ? [`Needed ${e.flash.neededBytes} bytes, /flash has ${e.flash.freeBytes} bytes free.`] : []),
      ...errorLine(e),
    ],
  },
  {
    cause: 'files-refused',
    matches: (e) => e.errorCode === 'usage',
    title: (e) => (e.errorMessage ? printable(e.errorMessage) : 'The files or options were refused'),
    action: (e) => e.errorAction ?? 'Check the files and options, then run the command again.',
    actions: (e) => errorActionsOr(e),
    evidenceLines: (e) => ['Refused before anything was sent to the modem.', ...errorLine(e)],
  },
  {
    cause: 'patch-did-not-apply',
    matches: (e) => e.upgradeResultText !== undefined && /patch didn'?t apply|\bdiffUpgrade\b/i.test(e.upgradeResultText),
    title: () => "The diff file does not match the modem's build (Patch didn't apply!)",
    action: (e) => {
      const diff = e.files?.find((file) => file.kind === 'diff' || /^upgdiff_/i.test(file.name));
      const build = e.modemBuild !== undefined ? `upgdiff_${e.modemBuild}-to-<target>.dup` : 'the upgdiff_<modem build>-to-<target>.dup file';
      return (
        `A differential file applies only to the build it was made from${diff?.fromBuild !== undefined ? ` (this one: ${diff.fromBuild})` : ''}. ` +
        `Use ${build}, or the full image (CATM1-<build>.dup / NB1-<build>.dup), which applies to any build. ` +
        "Read the modem's info to see the build it runs. The modem keeps its old firmware."
      );
    },
    actions: () => [READ_INFO],
    evidenceLines: (e) => [
      `The modem answered +SMUPGRADE: ${printable(e.upgradeResultText ?? '')}`,
      ...(e.modemBuild !== undefined ? [`The modem runs build ${e.modemBuild}.`] : []),
      ...(e.files ?? []).filter((f) => f.fromBuild !== undefined).map((f) => `${printable(f.name)} upgrades build ${f.fromBuild}.`),
    ],
  },
  {
    cause: 'normal-stall-cut-short',
    matches: (e) =>
      // A user's cancel is not a stall: the 'cancelled' rule tells where the modem stands.
      (e.errorCode === 'stp-no-reply' || e.errorCode === 'timeout') &&
      (e.failedStep === undefined || e.failedStep === 'transfer') &&
      isInNormalStallZone(transferPercent(e)) &&
      e.modemSilentMs !== undefined &&
      e.modemSilentMs < NORMAL_STALL_MAX_MS,
    title: (e) =>
      `The transfer stopped during the modem's normal pause at ${formatPercent(transferPercent(e) ?? 0)}`,
    action: (e) =>
      'Around 7–10 % and at 99 % the modem works internally and may not answer for up to 5 minutes: that is normal. ' +
      'Leave the board powered at least 10 more minutes (the modem may still be writing its flash), then power-cycle it (unplug, plug back), put it in mirror mode and ' +
      `${howToContinue({ ...e, failedStep: 'transfer' })} Next time let the pause run: do not cancel or unplug.`,
    evidenceLines: (e) => [...progressLines(e), ...silenceLines(e), `A normal pause lasts up to ${formatSeconds(NORMAL_STALL_MAX_MS)}.`, ...errorLine(e)],
  },
  {
    cause: 'cancelled',
    matches: (e) => isCancelled(e),
    title: (e) => `Cancelled${e.failedStep ? ` during "${e.failedStep}"` : ''}`,
    action: (e) =>
      e.resumeHint ??
      (mayHavePartialUpgrade(e) || e.modemStateAfter !== undefined
        ? `The modem may hold a partly done upgrade and may still be writing its flash: leave the board powered at least 10 minutes. Power-cycle it only after that (unplug, plug back), put it in mirror mode and ${howToContinue(e)}`
        : e.failedStep !== undefined && BOARD_STEPS.has(e.failedStep)
          ? 'Nothing was changed on the modem. Run the upgrade again when ready.'
          : `If the board already went into mirror mode, power-cycle it (unplug, plug back) first; then ${howToContinue(e)}`),
    actions: (e) => standingActions(e.resumeHint),
    evidenceLines: (e) => [...progressLines(e), ...stateLines(e)],
  },
  {
    cause: 'port-vanished',
    matches: (e) => e.errorCode === 'port-closed' || e.portVanished === true,
    title: (e) => `${portName(e)} disappeared${e.failedStep ? ` during "${e.failedStep}"` : ''}`,
    action: (e) =>
      'The USB connection dropped: a loose or charge-only cable, a hub, or the board lost power or was reset. ' +
      `Use a short data cable directly on the computer, plug the board back in, put it in mirror mode and ${howToContinue(e)}`,
    evidenceLines: (e) => [...errorLine(e), ...progressLines(e), ...stateLines(e)],
  },
  {
    cause: 'modem-in-recovery',
    matches: (e) => e.modemStateAfter === 0,
    title: () => 'The modem is in its recovery bootrom (state 0)',
    action: () =>
      'An earlier upgrade was interrupted before the new firmware was complete; the bootrom knows only AT, AT+SMOD?, AT+IPR and AT+STP. ' +
      'Power-cycle the board, then run the upgrade with the full .dup image (CATM1-<build>.dup or NB1-<build>.dup) and updater.elf: the recovery method. A diff file cannot be used.',
    evidenceLines: (e) => [...stateLines(e), ...(e.crashDump ? [crashLine(e.crashDump)] : []), ...errorLine(e)],
  },
  {
    cause: 'modem-in-upgrade-mode',
    matches: (e) => e.modemStateAfter === 4,
    title: () => 'The modem is in upgrade mode (state 4): the upgrade can resume',
    action: () =>
      'Power-cycle the board (unplug, plug back), put it in mirror mode and run the same upgrade again with the same file: ' +
      'the tool detects upgrade mode and resumes without preparing the modem again.',
    evidenceLines: (e) => [...stateLines(e), ...progressLines(e), ...(e.crashDump ? [crashLine(e.crashDump)] : []), ...errorLine(e)],
  },
  {
    cause: 'crash-on-old-bootrom',
    matches: (e) => e.crashDump !== undefined && hasOldBootrom(e),
    title: (e) =>
      `The modem crashed${e.crashDump?.file ? ` (${printable(e.crashDump.file)}${e.crashDump.line !== undefined ? `@${e.crashDump.line}` : ''})` : ''} and has the old ${OLD_BOOTROM_BUILD} bootrom`,
    action: () =>
      `A modem with the ${OLD_BOOTROM_BUILD} bootrom needs the recovery method once. Power-cycle the board (unplug, plug back), ` +
      'then run the upgrade with the full .dup image (not a diff) and updater.elf. If the board prints "FFH mode is not necessary", ' +
      'let the tool continue with the normal method.',
    evidenceLines: (e) => [...(e.crashDump ? [crashLine(e.crashDump)] : []), ...bootromLines(e), ...crashAgeLine(e), ...errorLine(e)],
  },
  {
    cause: 'upgrade-failed',
    matches: (e) => e.errorCode === 'upgrade-failed' || (e.upgradeResultText !== undefined && /fail/i.test(e.upgradeResultText)),
    title: (e) => `The modem reported that the upgrade failed${e.upgradeResultText ? `: ${printable(e.upgradeResultText)}` : ''}`,
    action: () =>
      'Power-cycle the board, read the modem crash dump, and run the upgrade again with the full image (CATM1-<build>.dup / NB1-<build>.dup). ' +
      'If the modem then answers only AT and AT+SMOD? (state 0), add updater.elf (recovery method).',
    evidenceLines: (e) => [...errorLine(e), ...(e.crashDump ? [crashLine(e.crashDump)] : []), ...bootromLines(e)],
  },
  {
    cause: 'stp-silent-after-wait',
    matches: (e) => e.errorCode === 'stp-no-reply',
    title: (e) => {
      const percent = transferPercent(e);
      return `The modem stopped answering the transfer${percent !== undefined ? ` at ${formatPercent(percent)}` : ''}`;
    },
    action: (e) =>
      `The modem stayed silent longer than a normal pause. Power-cycle the board (unplug, plug back), put it in mirror mode and ${howToContinue(e)} ` +
      'If it stops again, read the crash dump and try the recovery method (full .dup image with updater.elf).',
    evidenceLines: (e) => [...progressLines(e), ...silenceLines(e), ...(e.crashDump ? [crashLine(e.crashDump)] : []), ...errorLine(e)],
  },
  {
    cause: 'stp-rejected',
    matches: (e) => e.errorCode === 'stp-rejected',
    title: () => 'The modem refused the transfer',
    action: (e) =>
      `Power-cycle the board (unplug, plug back), put it in mirror mode and ${howToContinue(e)} ` +
      'If the modem refuses again, use the recovery method: the full .dup image with updater.elf.',
    evidenceLines: (e) => [...errorLine(e), ...progressLines(e)],
  },
  {
    cause: 'wrong-baud',
    matches: (e) => e.garbageSeen === true || e.errorCode === 'garbled',
    title: () => 'The modem answers garbage: the port speed does not match',
    action: () =>
      'The board is probably not in mirror mode at 921600 baud (or another program changed the port speed). Close every other program on the port, ' +
      'power-cycle the board (unplug, plug back), start the updater on the board again until it prints "Going into MIRROR mode", ' +
      'then run the upgrade: the tool retries detection at 921600 and 115200 baud.',
    evidenceLines: (e) => ['Bytes that are not text arrived (framing errors of a wrong baud rate).', ...lastAtLines(e), ...errorLine(e)],
  },
  {
    cause: 'modem-silent-after-mirror',
    matches: (e) => isTimeoutLike(e) && (e.failedStep === 'detect' || e.failedStep === 'mirror-handover'),
    title: () => 'The modem did not answer after the switch to mirror mode (Timeout waiting for modem to respond)',
    action: () =>
      'Close the REPL terminal, power-cycle the board (unplug it; the reset button does not reset the modem), start the updater on the board again and retry. ' +
      'If the modem stays silent, read its crash dump and use the recovery method: the full .dup image with updater.elf.',
    evidenceLines: (e) => [...silenceLines(e), ...lastAtLines(e), ...(e.crashDump ? [crashLine(e.crashDump)] : []), ...errorLine(e)],
  },
  {
    cause: 'modem-crashed',
    matches: (e) => e.crashDump !== undefined,
    title: (e) =>
      `The modem has a crash dump${e.crashDump?.file ? ` (${printable(e.crashDump.file)}${e.crashDump.line !== undefined ? `@${e.crashDump.line}` : ''})` : ''}`,
    action: (e) =>
      `Power-cycle the board (unplug, plug back), put it in mirror mode and ${howToContinue(e)} ` +
      'If it fails again the same way, use the recovery method (full .dup image with updater.elf) and post the diagnostic report.',
    evidenceLines: (e) => [...(e.crashDump ? [crashLine(e.crashDump)] : []), ...crashAgeLine(e), ...errorLine(e)],
  },
  {
    cause: 'modem-refused-command',
    matches: (e) => e.errorCode === 'modem-refused',
    title: (e) => `The modem refused ${e.lastAt ? printable(e.lastAt.command) : 'a command'}`,
    action: (e) => e.errorAction ?? `Power-cycle the board (unplug, plug back), put it in mirror mode and ${howToContinue(e)}`,
    actions: (e) => errorActionsOr(e),
    evidenceLines: (e) => [...lastAtLines(e), ...stateLines(e), ...errorLine(e)],
  },
  {
    // A board step timed out before its updater ran: the board went quiet, not the modem,
    // and nothing is being written to the modem, so unplugging is safe.
    cause: 'board-silent-before-updater',
    matches: (e) => isTimeoutLike(e) && e.failedStep !== undefined && BOARD_STEPS_BEFORE_UPDATER.has(e.failedStep),
    title: (e) => `The board stopped answering during "${STEP_TITLES[e.failedStep as StepId] ?? e.failedStep}"`,
    action: () =>
      'The modem was not changed. Close any other program that uses the port, then run the upgrade again. ' +
      'If the board stays silent, unplug it and plug it back in: nothing is being written to the modem, so that is safe now.',
    evidenceLines: (e) => [...errorLine(e)],
  },
  {
    cause: 'modem-silent',
    matches: (e) => isTimeoutLike(e),
    title: (e) => `The modem stopped answering${e.failedStep ? ` during "${e.failedStep}"` : ''}`,
    action: (e) =>
      `Power-cycle the board (unplug, plug back), put it in mirror mode and ${howToContinue(e)} ` +
      'If it stays silent, read the crash dump and try the recovery method (full .dup image with updater.elf).',
    evidenceLines: (e) => [...silenceLines(e), ...lastAtLines(e), ...progressLines(e), ...errorLine(e)],
  },
  {
    cause: 'bands-need-hardware',
    kind: 'question',
    matches: (e) => unsupportedBands(e).length > 0 && (e.boardRevision === undefined || isRevision1(e.boardRevision)),
    title: (e) => `A firmware upgrade cannot add band${unsupportedBands(e).length > 1 ? 's' : ''} ${unsupportedBands(e).join(', ')}`,
    action: (e) =>
      `Band support is fixed in the modem hardware. A GPy v1.0 scans bands ${GPY_V1_BANDS.join(', ')} only, whatever its firmware. ` +
      (isRevision1(e.boardRevision)
        ? 'Use a newer board for these bands.'
        : `Check the board revision: only newer modem hardware with firmware build ${BANDS_5_8_MIN_BUILD} or later scans bands 5 and 8.`),
    evidenceLines: (e) => [
      `Wanted bands: ${(e.wantedBands ?? []).join(', ')}.`,
      ...(e.boardMachine ? [`Board: ${printable(e.boardMachine)}${e.boardRevision ? ` v${printable(e.boardRevision.replace(/^v/i, ''))}` : ''}.`] : []),
    ],
  },
  {
    cause: 'bands-need-firmware',
    kind: 'question',
    matches: (e) =>
      unsupportedBands(e).some((band) => band === 5 || band === 8) &&
      e.boardRevision !== undefined &&
      !isRevision1(e.boardRevision) &&
      e.modemBuild !== undefined &&
      e.modemBuild < BANDS_5_8_MIN_BUILD,
    title: () => `Bands 5 and 8 need modem firmware ${BANDS_5_8_MIN_BUILD} or later`,
    action: () => `Upgrade the modem to a CAT-M1 image with build ${BANDS_5_8_MIN_BUILD} or later; this board's newer modem hardware can then scan bands 5 and 8.`,
    evidenceLines: (e) => [`Wanted bands: ${(e.wantedBands ?? []).join(', ')}.`, ...bootromLines(e)],
  },
  {
    cause: 'unknown',
    matches: () => true,
    title: (e) => (e.errorMessage ? printable(e.errorMessage) : e.errorCode ? `Failed (${e.errorCode})` : 'No failure was recorded'),
    action: (e) =>
      e.errorAction ??
      (e.errorCode
        ? `Power-cycle the board, then ${howToContinue(e)} If it fails again, copy the diagnostic report into a forum post or an issue.`
        : 'Nothing to do.'),
    actions: (e) => errorActionsOr(e),
    evidenceLines: (e) => [...errorLine(e), ...lastAtLines(e), ...stateLines(e), ...progressLines(e)],
  },
];
