import type { UpgradePath } from '../engine/upgradeEvents';
import type { TransferMethod } from '../parse/firmwareFile';
import { OLD_BOOTROM_BUILD, type ModemState } from '../parse/modemVersion';
import { ADD_UPDATER, type UserAction } from '../userActions';

/**
 * The host half's path from the modem's state and the files: one function for the
 * engine (chooseUpgradePath, which throws on a refusal) and preflight
 * (predictUpgradePath, which shows it), so the two cannot disagree.
 */
export interface PathInput {
  /** AT+SMOD? as the host reads it in mirror mode; undefined before mirror mode. */
  state: ModemState | undefined;
  hasUpdater: boolean;
  /** Bootloader0's build, when showver was read (state 2 only). */
  bootloader0Build?: number;
  /** The software build; before mirror mode (the board's info()) it stands in for an unread bootrom. */
  softwareBuild?: number;
  /** The first diff among the files, by name. */
  diffName?: string;
  /** The method of the first firmware file (src/core/preflight/transferMethod.ts). */
  firstMethod?: TransferMethod;
  /**
   * The state was read before the board half ran, and the board's FFH method will run
   * (updater.elf given): preflight predicts what the host will find after mirroring.
   */
  isBeforeBoardHalf?: boolean;
}

export type PathRefusalKind = 'files' | 'modem-state';

export interface PathRefusal {
  kind: PathRefusalKind;
  detail: string;
  action: string;
  /** The steps `action` names, for a front end to spell out. */
  actions?: UserAction[];
}

export interface PathDecision {
  path?: UpgradePath;
  /** State 1 (mTools): the published updater prepares with AT+BIND=AT and AT+CFUN=4 but sends no AT+SMSWBOOT=3,1. */
  skipRecoveryBoot: boolean;
  /** The state is not the one the host will see (not read yet, or the board changes it first). */
  isExpected: boolean;
  notes: string[];
  refusal?: PathRefusal;
}

const UPDATER_NOT_SENT = 'updater.elf is not needed and will not be sent';

/** Bootloader0 read as 33080, or, before it can be read, a modem that runs build 33080. */
export function isOldBootrom(modem: { bootloader0Build?: number; softwareBuild?: number }): boolean {
  return modem.bootloader0Build === OLD_BOOTROM_BUILD || (modem.bootloader0Build === undefined && modem.softwareBuild === OLD_BOOTROM_BUILD);
}

export function decideUpgradePath(input: PathInput): PathDecision {
  const normal = input.firstMethod;
  const decision = (path: UpgradePath | undefined, extra: Partial<PathDecision> = {}): PathDecision => ({
    ...(path ? { path } : {}),
    skipRecoveryBoot: false,
    isExpected: false,
    notes: [],
    ...extra,
  });
  switch (input.state) {
    case undefined:
      return decision(normal, { isExpected: true });
    case 0: {
      if (!input.hasUpdater) {
        return decision(undefined, {
          refusal: {
            kind: 'files',
            detail: 'The modem is in its recovery bootrom (AT+SMOD? answered 0): it only accepts updater.elf, then a full image.',
            action:
              'Run the upgrade again with updater.elf and the full .dup image (CATM1-<build>.dup or NB1-<build>.dup) from the same firmware archive.',
            actions: [ADD_UPDATER],
          },
        });
      }
      if (input.diffName) {
        return decision(undefined, {
          refusal: {
            kind: 'files',
            detail: `${input.diffName} is a differential upgrade; a modem in recovery needs the full image.`,
            action: 'Use the full CATM1-<build>.dup or NB1-<build>.dup together with updater.elf from the same package.',
          },
        });
      }
      // The board's FFH method loads updater.elf into a recovery modem itself (PROTOCOL.md §9).
      if (input.isBeforeBoardHalf) return decision('resume', { isExpected: true });
      return decision('recovery');
    }
    case 4:
      return decision('resume', { notes: input.hasUpdater ? [`The modem is in upgrade mode (state 4): ${UPDATER_NOT_SENT}.`] : [] });
    case 2: {
      // PROTOCOL.md section 9: uart(True, updater.elf) on a modem with the old bootrom
      // loads updater.elf into the modem from the board before mirroring; the host then
      // finds state 4 (or 2) and must not send updater.elf again.
      if (input.isBeforeBoardHalf && input.hasUpdater && isOldBootrom(input)) {
        return decision('resume', { isExpected: true });
      }
      return decision(normal, {
        notes: input.hasUpdater ? [`The modem is not in recovery (state 2): ${UPDATER_NOT_SENT}; using the normal method.`] : [],
      });
    }
    case 1:
      // The published updater 1.2.7 upgrades from mTools too, without the reboot into recovery.
      return decision(normal, {
        skipRecoveryBoot: true,
        notes: [
          'The modem is in mTools mode (state 1): it is prepared (AT+BIND=AT, AT+CFUN=4) and sent the file without the reboot into its updater, as the published updater does.',
          ...(input.hasUpdater ? [`updater.elf is not needed in mTools mode and will not be sent.`] : []),
        ],
      });
    default:
      return decision(undefined, {
        refusal: {
          kind: 'modem-state',
          detail: `The modem answered AT+SMOD? with ${String(input.state)}, a state no upgrade starts from.`,
          action: 'Power-cycle the board (unplug it), put it back in mirror mode, and run the upgrade again.',
        },
      });
  }
}
