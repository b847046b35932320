/**
 * What the board's own updater (the firmware's `sqnsupgrade`) prints when it cannot go on,
 * and what each line means for the user (PROTOCOL.md §9, "Board-side messages"). These
 * lines come before mirror mode: unless the MIRROR line followed, the REPL is alive
 * afterwards, so none of them needs a power-cycle to leave.
 *
 * A table, so the trigger, the diagnosis rules and the README name the same messages.
 */

export type UpdaterMessageId =
  | 'modem-not-detected'
  | 'no-upgrade-mode'
  | 'modem-not-disabled'
  | 'at-negotiation-failed'
  | 'swboot-refused'
  | 'bootrom-upgrade-failed'
  | 'updater-load-failed'
  | 'modem-in-recovery'
  | 'modem-in-upgrade-mode'
  | 'sd-card'
  | 'wrong-firmware-file'
  | 'code-download-failed'
  | 'modem-rejected-image'
  | 'ffh-not-necessary'
  | 'upgrade-succeeded';

export interface UpdaterMessage {
  id: UpdaterMessageId;
  /** 'failure': the updater stops; 'info': it goes on; 'success': it finished. */
  severity: 'failure' | 'info' | 'success';
  pattern: RegExp;
  /** The message as printed (for the README and reports). */
  printed: string;
  /** What it means, in one line. */
  title: string;
  /** What to do next. */
  action: string;
}

const SAFE_BOOT =
  'start the board in safe boot (hold P12 / G28 to 3V3 while pressing reset, or press Ctrl-F at its REPL) so boot.py and main.py do not run';

export const UPDATER_MESSAGES: readonly UpdaterMessage[] = [
  {
    id: 'modem-not-detected',
    severity: 'failure',
    pattern: /Could not detect your modem/i,
    printed: 'Could not detect your modem!',
    title: "The board's updater could not detect the modem",
    action: `The modem did not answer the board, or your code holds LTE. Power the board off (unplug it), then ${SAFE_BOOT}, and run the upgrade again.`,
  },
  {
    id: 'no-upgrade-mode',
    severity: 'failure',
    pattern: /does not support LTE\.modem_upgrade_mode/i,
    printed: 'Firmware does not support LTE.modem_upgrade_mode()!',
    title: 'The board firmware is too old for the modem upgrade (no mirror mode)',
    action: 'Update the board firmware first (Pycom firmware updater, 1.20 or later), then run the modem upgrade again. The modem was not changed.',
  },
  {
    id: 'modem-not-disabled',
    severity: 'failure',
    pattern: /Modem not disabled/i,
    printed: 'Modem not disabled (OSError)',
    title: 'LTE is in use on the board, so the updater cannot take the modem',
    action:
      'Something started LTE() before the updater: main.py or boot.py, Pybytes, or pycom.lte_modem_en_on_boot(True). ' +
      `Disable it (at the REPL: import pycom; pycom.lte_modem_en_on_boot(False), and Pybytes off), or ${SAFE_BOOT}; then run the upgrade again.`,
  },
  {
    id: 'at-negotiation-failed',
    severity: 'failure',
    pattern: /AT auto-negotiation failed|ERROR in AT\+IPR|ERROR in AT\+SMOD/i,
    printed: 'AT auto-negotiation failed! Exiting. / ERROR in AT+IPR=… / ERROR in AT+SMOD returned …',
    title: 'The modem does not answer the board at the expected speed',
    action:
      `Power-cycle the board (unplug it, plug it back), ${SAFE_BOOT}, and run the upgrade again. ` +
      'Users report that lte.factory_reset() at the REPL (from network import LTE; LTE().factory_reset()) and a safe boot help when it persists.',
  },
  {
    id: 'swboot-refused',
    severity: 'failure',
    pattern: /Received ERROR from AT\+SMSWBOOT/i,
    printed: 'Received ERROR from AT+SMSWBOOT=0,1! / …3,1! Aborting! / …1,0! Aborting!',
    title: 'The modem refused to switch its boot mode',
    action: 'Power-cycle the board (unplug it, plug it back) and run the upgrade again; if it happens again, use the recovery method (the full .dup image with updater.elf).',
  },
  {
    id: 'bootrom-upgrade-failed',
    severity: 'failure',
    pattern: /Unable to upgrade bootrom/i,
    printed: 'Unable to upgrade bootrom.',
    title: "The board's updater could not rewrite the modem's bootrom",
    action: 'Check that updater.elf is the one from the same firmware package (unmodified), then run the upgrade again with the full .dup image and updater.elf.',
  },
  {
    id: 'updater-load-failed',
    severity: 'failure',
    pattern: /Unable to load updater/i,
    printed: 'Unable to load updater from …',
    title: 'The board could not load updater.elf into the modem',
    action: 'Check that updater.elf on /flash is the one from the firmware package (the tool verifies its copy by hash), then run the upgrade again with the full .dup image and updater.elf.',
  },
  {
    id: 'modem-in-recovery',
    severity: 'failure',
    pattern: /modem is in recovery mode/i,
    printed: 'Your modem is in recovery mode. Please specify updater.elf file / … You will need to use firmware.dup and updater.elf file to upgrade.',
    title: 'The modem is in its recovery bootrom (state 0)',
    action: 'Run the upgrade with the full .dup image (CATM1-<build>.dup or NB1-<build>.dup) and updater.elf: the recovery method. A diff file cannot be used.',
  },
  {
    id: 'modem-in-upgrade-mode',
    severity: 'info',
    pattern: /modem is in upgrade mode/i,
    printed: 'Your modem is in upgrade mode! Use firmware.dup to flash new firmware.',
    title: 'The modem is in upgrade mode (state 4): an earlier upgrade can resume',
    action: 'Run the upgrade with the same full .dup image as the interrupted one; updater.elf is not needed.',
  },
  {
    id: 'sd-card',
    severity: 'failure',
    pattern: /Unable to mount SD card|Exception when checking file/i,
    printed: 'Unable to mount SD card! / Exception when checking file … wrong file name?',
    title: 'The board could not read the firmware file from its SD card or path',
    action: 'Check that the SD card is inserted and FAT-formatted and that the file name is exactly right (case matters), then run the upgrade again.',
  },
  {
    id: 'wrong-firmware-file',
    severity: 'failure',
    pattern: /Firmware file is too small|does not contain a recovery bootrom/i,
    printed: 'Firmware file is too small! / This firmware does not contain a recovery bootrom.',
    title: 'The board refused the firmware file',
    action: 'Use the full .dup image from the firmware package (download it again if it may be damaged).',
  },
  {
    id: 'code-download-failed',
    severity: 'failure',
    pattern: /Code download failed/i,
    printed: 'Code download failed[1], aborting! / Code download failed [2], aborting!',
    title: 'The transfer from the board to the modem failed',
    action: 'Power-cycle the board (unplug it, plug it back) and run the upgrade again; if it fails again, use the recovery method (the full .dup image with updater.elf).',
  },
  {
    id: 'modem-rejected-image',
    severity: 'failure',
    pattern: /Upgrade failed with result|upgrade was unsucessfull|upgrade was unsuccessful/i,
    printed: 'Upgrade failed with result …! / Modem upgrade was unsucessfull. Please check your firmware file(s)',
    title: 'The modem rejected the image',
    action: "Check that the file fits the modem (a diff applies only to its from-build; the network type must match), then run the upgrade again with the full image.",
  },
  {
    id: 'ffh-not-necessary',
    severity: 'info',
    pattern: /FFH mode is not necessary/i,
    printed: 'FFH mode is not necessary... ignoring! / Do not specify updater.elf when updating!',
    title: "The modem's bootrom is already new: the updater ignores updater.elf",
    action: 'Nothing to do: the normal method runs. Next time leave updater.elf out.',
  },
  {
    id: 'upgrade-succeeded',
    severity: 'success',
    pattern: /modem has been successfully updated/i,
    printed: 'Your modem has been successfully updated.',
    title: 'The modem was upgraded',
    action: 'Power-cycle the board (unplug it, plug it back) so the modem starts the new firmware cleanly.',
  },
];

export function recogniseUpdaterLine(line: string): UpdaterMessage | undefined {
  return UPDATER_MESSAGES.find((message) => message.pattern.test(line));
}

/** The first line that says why the updater stopped, with the message it matched. */
export function firstUpdaterFailure(lines: readonly string[]): { line: string; message: UpdaterMessage } | undefined {
  for (const line of lines) {
    const message = recogniseUpdaterLine(line);
    if (message?.severity === 'failure') return { line, message };
  }
  return undefined;
}

export function updaterMessageById(id: string): UpdaterMessage | undefined {
  return UPDATER_MESSAGES.find((message) => message.id === id);
}
