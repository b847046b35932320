import type { UpgradePath } from '../engine/upgradeEvents';
import { classifyFirmwareFileName, transferMethodForSize, type FirmwareFileClass } from '../parse/firmwareFile';
import { OLD_BOOTROM_BUILD, type ModemFirmwareKind, type ModemState } from '../parse/modemVersion';

/**
 * What the engine and the board code found out before an upgrade; every field the
 * caller does not know stays undefined and the checks that need it report 'skip'.
 * Pure data: the checks read no file and touch no port.
 */
export interface PreflightFacts {
  /** Firmware files in the order given (two-stage: -1 then -2). */
  firmware: PreflightFile[];
  updater?: PreflightFile;
  modem?: PreflightModem;
  board?: PreflightBoard;
  /** The user gave the sqnsupgrade .py files to copy to /flash (firmware before 1.20). */
  hasSqnsupgradeFiles?: boolean;
  /** Line rate of the host transfer; mirror mode's 921600 unless the modem answered at 115200. */
  baudRate?: number;
  /**
   * Why identifying the board failed, when it was tried and failed (no raw REPL, no
   * answer): then the board is a failure, not a skip; an upgrade would fail the same way.
   */
  boardError?: string;
}

export interface PreflightFile {
  /** Path or name; only the base name is judged. */
  name: string;
  /** Undefined when the file could not be read. */
  size?: number;
  /** The file's first bytes (64 are enough). */
  head?: Uint8Array;
  /** Why the file could not be read, e.g. "no such file". */
  readError?: string;
}

export interface PreflightModem {
  state?: ModemState;
  softwareBuild?: number;
  bootloader0Build?: number;
  kind?: ModemFirmwareKind;
}

/** A BoardIdentity (src/core/board) fits here as it is. */
export interface PreflightBoard {
  machine: string;
  release?: string;
  hasLteModem?: boolean;
  hasSqnsupgrade?: boolean;
  flashFreeBytes?: number;
  /** Size of an updater.elf already on /flash (its space is reused when it is replaced). */
  updaterOnFlashBytes?: number;
}

export type PreflightStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface PreflightResult {
  id: string;
  title: string;
  status: PreflightStatus;
  detail: string;
  action?: string;
}

export type PreflightVerdict = Omit<PreflightResult, 'id' | 'title'>;

export interface PreflightCheck {
  id: string;
  title: string;
  run(facts: PreflightFacts): PreflightVerdict;
}

/**
 * Room /flash needs beyond the file: the file system allocates whole blocks and keeps
 * metadata, and the copy is written beside the old one before the rename.
 */
export const FLASH_MARGIN_BYTES = 16 * 1024;

export function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

export interface ReadableFile {
  name: string;
  size: number;
  head: Uint8Array;
  class: FirmwareFileClass;
}

export function readable(file: PreflightFile | undefined): ReadableFile | undefined {
  if (!file || file.readError !== undefined || file.size === undefined) return undefined;
  const name = baseName(file.name);
  return { name, size: file.size, head: file.head ?? new Uint8Array(0), class: classifyFirmwareFileName(name) };
}

export function readableFirmware(facts: PreflightFacts): ReadableFile[] {
  return facts.firmware.map(readable).filter((file): file is ReadableFile => file !== undefined);
}

export const FULL_IMAGE_AND_UPDATER = 'the full image (CATM1-<build>.dup or NB1-<build>.dup) with updater.elf';

/**
 * The path the host half will take, as the engine chooses it from AT+SMOD? and the
 * files. Undefined with a reason when the engine would refuse; `isExpected` when the
 * state is not known yet (it is read after the switch to mirror mode).
 */
export function predictUpgradePath(facts: PreflightFacts): { path?: UpgradePath; isExpected: boolean; refusal?: { detail: string; action: string } } {
  const first = readableFirmware(facts)[0];
  const state = facts.modem?.state;
  const normal = (): UpgradePath | undefined => (first ? (transferMethodForSize(first.size) === 'on-the-fly' ? 'on-the-fly' : 'fff') : undefined);
  switch (state) {
    case undefined: {
      const path = normal();
      return path ? { path, isExpected: true } : { isExpected: true };
    }
    case 0: {
      if (!facts.updater) {
        return {
          isExpected: false,
          refusal: {
            detail: 'The modem is in its recovery bootrom (state 0): it accepts only updater.elf, then a full image.',
            action: `Add updater.elf: use ${FULL_IMAGE_AND_UPDATER}.`,
          },
        };
      }
      const diff = readableFirmware(facts).find((file) => file.class.kind === 'diff');
      if (diff) {
        return {
          isExpected: false,
          refusal: { detail: `The modem is in its recovery bootrom (state 0); ${diff.name} is a diff.`, action: `Use ${FULL_IMAGE_AND_UPDATER}.` },
        };
      }
      return { path: 'recovery', isExpected: false };
    }
    case 4:
      return { path: 'resume', isExpected: false };
    case 2: {
      // Inference: with updater.elf the board's FFH method puts a modem with the old
      // bootrom into its recovery bootrom before mirroring, so the host finds state 0.
      if (facts.updater && facts.modem?.bootloader0Build === OLD_BOOTROM_BUILD) return { path: 'recovery', isExpected: true };
      const path = normal();
      return path ? { path, isExpected: false } : { isExpected: false };
    }
    default:
      return {
        isExpected: false,
        refusal: {
          detail: `The modem is in mTools mode (state ${state}); no upgrade starts from there.`,
          action: 'Power-cycle the board (unplug it), put it back in mirror mode and check again.',
        },
      };
  }
}
