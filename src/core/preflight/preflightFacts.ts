import type { UpgradePath } from '../engine/upgradeEvents';
import { classifyFirmwareFileName, type FirmwareFileClass } from '../parse/firmwareFile';
import type { ModemFirmwareKind, ModemState } from '../parse/modemVersion';
import { orderStages, type FirmwareRuleInput } from './firmwareRules';
import { chooseTransferMethod, type MethodChoice, type TransferMethodOption } from './transferMethod';
import { decideUpgradePath, type PathRefusal } from './upgradePathRules';
import type { UserAction } from '../userActions';

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
  /** The transfer method asked for; 'auto' (the default) follows the documented choice per file. */
  method?: TransferMethodOption;
  /**
   * The board's own updater runs the recovery (FFH) method before the host half
   * (`uart(True, updater.elf)`): it rewrites an old bootrom and loads updater.elf itself,
   * so the host finds upgrade mode. False for the host half alone (`upgrade`, the engine).
   */
  boardRunsFfh?: boolean;
  /**
   * The board's own updater sends the file from its SD card or /flash (the on-board
   * methods): no mirror mode, and the modem's state is read by that updater first.
   */
  isSentByBoard?: boolean;
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
  /** The steps `action` names, for a front end to spell out. */
  actions?: UserAction[];
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

/** The readable files with the method each is sent with, in the order they will be sent. */
export function plannedFirmware(facts: PreflightFacts): (ReadableFile & MethodChoice)[] {
  const hasUpdater = facts.updater !== undefined;
  return orderStages(readableFirmware(facts)).ordered.map((file) => ({
    ...file,
    ...chooseTransferMethod(file, { ...(facts.method ? { option: facts.method } : {}), hasUpdater }),
  }));
}

/** The facts as the firmware rules (firmwareRules.ts) read them. */
export function firmwareRuleInput(facts: PreflightFacts): FirmwareRuleInput {
  return {
    firmware: readableFirmware(facts),
    hasUpdater: facts.updater !== undefined,
    ...(facts.boardRunsFfh ? { boardRunsFfh: true } : {}),
    ...(facts.modem ? { modem: facts.modem } : {}),
  };
}

/**
 * The path the host half will take, decided as the engine decides it (upgradePathRules.ts).
 * Undefined with a reason when the engine would refuse; `isExpected` when the state is
 * not the one the host will find (not known yet, or the board's FFH method changes it).
 */
export function predictUpgradePath(facts: PreflightFacts): { path?: UpgradePath; isExpected: boolean; skipRecoveryBoot: boolean; refusal?: PathRefusal } {
  const files = plannedFirmware(facts);
  const diff = files.find((file) => file.class.kind === 'diff');
  const decision = decideUpgradePath({
    state: facts.modem?.state,
    hasUpdater: facts.updater !== undefined,
    ...(facts.modem?.bootloader0Build !== undefined ? { bootloader0Build: facts.modem.bootloader0Build } : {}),
    ...(facts.modem?.softwareBuild !== undefined ? { softwareBuild: facts.modem.softwareBuild } : {}),
    ...(diff ? { diffName: diff.name } : {}),
    ...(files[0] ? { firstMethod: files[0].method } : {}),
    // The board's FFH method changes the state before the host reads it.
    isBeforeBoardHalf: facts.boardRunsFfh === true,
  });
  return {
    ...(decision.path ? { path: decision.path } : {}),
    isExpected: decision.isExpected,
    skipRecoveryBoot: decision.skipRecoveryBoot,
    ...(decision.refusal ? { refusal: decision.refusal } : {}),
  };
}
