import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../errors';
import { ADD_UPDATER } from '../userActions';
import { classifyFirmwareFileName, inspectFirmwareFile, transferMethodForSize, type FirmwareFileClass, type TransferMethod } from '../parse/firmwareFile';
import type { ModemState, ModemVersionReport } from '../parse/modemVersion';
import { buildAfter, enforceFirmwareRules, orderStages, type FirmwareRuleInput, type RuleModem } from '../preflight/firmwareRules';
import { chooseTransferMethod, type TransferMethodOption } from '../preflight/transferMethod';
import { decideUpgradePath } from '../preflight/upgradePathRules';
import type { UpgradePath } from './upgradeEvents';
import { ModemStateError } from './upgradeErrors';

/** Bytes read from the start of each file to check its kind (ELF magic, a header line). */
const HEAD_BYTES = 256;

export type { TransferMethod } from '../parse/firmwareFile';
export { parseTransferMethodOption } from '../preflight/transferMethod';
/** The method option of a request: 'auto' or a method forced for every file. */
export type TransferMethodChoice = TransferMethodOption;

export interface FirmwareFileFacts extends FirmwareFileClass {
  path: string;
  name: string;
  size: number;
  head: Uint8Array;
  /** The name's classification, as the firmware rules read it. */
  class: FirmwareFileClass;
  method: TransferMethod;
  /** Why this method, in words (stage 1, updater.elf, size, or the method asked for). */
  methodReason?: string;
}

export interface UpgradeFiles {
  firmware: FirmwareFileFacts[];
  updater?: FirmwareFileFacts;
  /** Doubts that do not stop the upgrade, in words. */
  warnings: string[];
}

async function readFacts(path: string, role: 'firmware' | 'updater'): Promise<FirmwareFileFacts> {
  const name = basename(path);
  let size: number;
  const head = new Uint8Array(HEAD_BYTES);
  let headLength = 0;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
    const handle = await open(path, 'r');
    try {
      headLength = (await handle.read(head, 0, HEAD_BYTES, 0)).bytesRead;
    } finally {
      await handle.close();
    }
  } catch (error) {
    const detail = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(
      `Cannot read the ${role} file ${path}: ${detail}.`,
      role === 'updater'
        ? 'Give the path of updater.elf from the firmware archive.'
        : 'Check the path of the .dup file (from the Sequans firmware archive for your board) and try again.',
      role === 'updater' ? { actions: [ADD_UPDATER] } : {},
    );
  }
  const classified = classifyFirmwareFileName(name);
  return { ...classified, path, name, size, head: head.slice(0, headLength), class: classified, method: transferMethodForSize(size) };
}

function refuseOnProblems(facts: FirmwareFileFacts, role: 'firmware' | 'updater', warnings: string[]): void {
  const inspected = { name: facts.name, size: facts.size, head: facts.head, role, ...(role === 'firmware' ? { method: facts.method } : {}) };
  for (const problem of inspectFirmwareFile(inspected)) {
    // The problem texts already name the file.
    if (problem.severity === 'fail') throw new UsageError(problem.message, problem.action);
    warnings.push(problem.message);
  }
}

export interface InspectOptions {
  /** 'auto' (default) follows the documented choice per file; the others force one method for every file. */
  method?: TransferMethodOption;
}

/**
 * Reads and checks the files of an upgrade before anything is sent: names, sizes,
 * magics, the methods, and every firmware rule that needs no modem. The one place that
 * validates files: the engine calls it before opening the port, the board half before
 * pushing anything to the board. Two-stage files given in the wrong order come back in
 * order, with a warning saying so.
 */
export async function inspectUpgradeFiles(files: readonly string[], updaterPath?: string, options: InspectOptions = {}): Promise<UpgradeFiles> {
  if (files.length === 0) {
    throw new UsageError(
      'No firmware file given.',
      'Give the .dup file(s) to install, e.g. CATM1-41065.dup (two-stage upgrades: the -1 file, then the -2 file).',
    );
  }
  const warnings: string[] = [];
  const given: FirmwareFileFacts[] = [];
  for (const path of files) given.push(await readFacts(path, 'firmware'));
  let updater: FirmwareFileFacts | undefined;
  if (updaterPath) updater = await readFacts(updaterPath, 'updater');

  const { ordered, wasReordered } = orderStages(given);
  if (wasReordered) {
    warnings.push(`Two-stage files given as ${given.map((f) => f.name).join(', ')}: they will be sent in order, ${ordered.map((f) => f.name).join(', ')}.`);
  }
  const firmware: FirmwareFileFacts[] = [];
  for (const facts of ordered) {
    const choice = chooseTransferMethod(facts, { ...(options.method ? { option: options.method } : {}), hasUpdater: updater !== undefined });
    const planned: FirmwareFileFacts = { ...facts, method: choice.method, methodReason: choice.reason };
    if (choice.overrideWarning) warnings.push(choice.overrideWarning);
    refuseOnProblems(planned, 'firmware', warnings);
    firmware.push(planned);
  }
  if (updater) refuseOnProblems(updater, 'updater', warnings);
  // Rules that need no modem refuse here; their warnings come again once the modem is read.
  enforceFirmwareRules({ firmware, hasUpdater: updater !== undefined });
  return { firmware, ...(updater ? { updater } : {}), warnings };
}

/** What the engine runs: the path, and whether the reboot into the updater is skipped (mTools). */
export interface UpgradePlan {
  path: UpgradePath;
  /** State 1 (mTools): prepared, then sent without AT+SMSWBOOT=3,1, as the published updater does. */
  skipRecoveryBoot: boolean;
  warnings: string[];
}

/**
 * The upgrade path from what the modem said (AT+SMOD?) and the files; refuses
 * combinations the modem cannot do, before anything is sent that changes it. The same
 * decision as preflight's predictUpgradePath (src/core/preflight/upgradePathRules.ts).
 */
export function chooseUpgradePath(state: ModemState, files: UpgradeFiles): UpgradePlan {
  const diff = files.firmware.find((f) => f.kind === 'diff');
  const decision = decideUpgradePath({
    state,
    hasUpdater: files.updater !== undefined,
    ...(diff ? { diffName: diff.name } : {}),
    ...(files.firmware[0] ? { firstMethod: files.firmware[0].method } : {}),
  });
  if (decision.refusal) {
    const options = decision.refusal.actions ? { actions: decision.refusal.actions } : {};
    if (decision.refusal.kind === 'modem-state') throw new ModemStateError(decision.refusal.detail, decision.refusal.action, options);
    throw new UsageError(decision.refusal.detail, decision.refusal.action, options);
  }
  return { path: decision.path!, skipRecoveryBoot: decision.skipRecoveryBoot, warnings: decision.notes };
}

/** The facts the firmware rules read from what detection found (showver only in state 2). */
export function modemRuleFacts(state: ModemState, report: ModemVersionReport | undefined): RuleModem {
  const bootloader0Build = report?.bootloaders.find((b) => b.slot === 0)?.build;
  return {
    state,
    ...(report?.softwareBuild !== undefined ? { softwareBuild: report.softwareBuild } : {}),
    ...(bootloader0Build !== undefined ? { bootloader0Build } : {}),
    ...(report ? { kind: report.kind } : {}),
  };
}

/**
 * Every firmware rule against the modem as read (firmwareRules.ts, the same functions
 * preflight shows): throws on a refusal, returns the warnings.
 */
export function checkFilesAgainstModem(files: UpgradeFiles, modem: RuleModem): string[] {
  return enforceFirmwareRules(filesAgainstModem(files, modem));
}

function filesAgainstModem(files: UpgradeFiles, modem: RuleModem): FirmwareRuleInput {
  return { firmware: files.firmware, hasUpdater: files.updater !== undefined, modem };
}

/** The build the last file installs, when its name tells (a diff's target, a full image's build). */
export function expectedFinalBuild(files: readonly FirmwareFileFacts[]): { build: number; fileName: string } | undefined {
  const last = files.at(-1);
  if (!last) return undefined;
  const build = buildAfter(last);
  return build === undefined ? undefined : { build, fileName: last.name };
}
