import type { UpgradePath } from '../engine/upgradeEvents';
import type { FirmwareFileClass, TransferMethod } from '../parse/firmwareFile';
import type { ModemFirmwareKind, ModemState } from '../parse/modemVersion';
import type { TransferMethodOption } from '../preflight/transferMethod';

/**
 * What goes into the choice of a package's files and what comes out of it
 * (choosePackageFiles.ts), apart from the choosing, so the chooser's helpers, the gate's
 * check of the choice and the front ends share one vocabulary.
 */

/** A file of the package, as read (firmwarePackage.ts): its name decides what it is. */
export interface CandidateFile {
  name: string;
  size: number;
  path: string;
}

/** What the modem said of itself before anything changed (the board's info(), or the host's read). */
export interface ChooserModem {
  /** Undefined: the state could not be read ("Cannot determine modem state!", or not read at all). */
  state?: ModemState;
  softwareBuild?: number;
  bootloader0Build?: number;
  kind?: ModemFirmwareKind;
}

export interface ChosenFile extends CandidateFile {
  role: 'firmware' | 'updater';
  class: FirmwareFileClass;
  /** Firmware only: the method it will be sent with. */
  method?: TransferMethod;
  /** One line: why this file ("modem runs 38638 → upgdiff_38638-to-41065.dup, 1.2 MiB, FFF, about 2 min"). */
  reason: string;
}

export interface LeftOutFile {
  name: string;
  reason: string;
}

/**
 * - other-network: the package installs the other network type (a switch is the user's
 *   choice: the gate's network-change check asks for the confirmation);
 * - older-build: a downgrade, confirmed by the user;
 * - same-build: the modem already runs the package's build (refused: nothing to do);
 * - upgrade-mode: state 4, an interrupted upgrade resumed with the full image;
 * - unknown-modem: the state or build was not read, so the full image (any build);
 * - nothing-fits: no file of the package can go to this modem (refused);
 * - two-networks: images for both network types, and the modem's is not known (refused);
 * - pick-missing: a file named to pick is not in the package (refused).
 */
export type ChoiceFlagKind = 'other-network' | 'older-build' | 'same-build' | 'upgrade-mode' | 'unknown-modem' | 'nothing-fits' | 'two-networks' | 'pick-missing';

export interface ChoiceFlag {
  kind: ChoiceFlagKind;
  /** note: said, nothing to confirm; warn: needs a confirmation; refuse: nothing is sent. */
  severity: 'note' | 'warn' | 'refuse';
  message: string;
  action?: string;
}

export interface FileChoice {
  /** In the order they are sent (two-stage: stage 1, then stage 2). */
  firmware: ChosenFile[];
  updater?: ChosenFile;
  /** The host half's path as predicted from the modem's state (undefined when the gate will refuse it). */
  path?: UpgradePath;
  /** The whole upgrade's expected duration, a guide. */
  estimatedMs?: number;
  leftOut: LeftOutFile[];
  flags: ChoiceFlag[];
  /** One line for a step or a log: "upgdiff_38638-to-41065.dup (FFF), about 2 min". */
  summary: string;
}

export interface ChooseOptions {
  /** The transfer method asked for ('auto' by default). */
  method?: TransferMethodOption;
  /** Names of package files to send instead of the choice (an expert's override); the gate still checks them. */
  pick?: readonly string[];
  /**
   * The board's updater runs first and, given updater.elf, its recovery (FFH) method
   * (the whole upgrade from the board's REPL; the default). False for the host half
   * alone (a board already in mirror mode): the path and duration are predicted for it.
   */
  boardRunsFfh?: boolean;
}

/** Flags the preflight gate raises itself: shown with the choice, confirmed once, by the gate. */
export const FLAGS_THE_GATE_RAISES: ReadonlySet<ChoiceFlagKind> = new Set(['other-network']);
