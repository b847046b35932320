import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../errors';
import {
  MIN_FIRMWARE_BYTES,
  classifyFirmwareFileName,
  inspectFirmwareFile,
  transferMethodForSize,
} from '../parse/firmwareFile';
import type { ModemState } from '../parse/modemVersion';
import type { UpgradePath } from './upgradeEvents';
import { ModemStateError } from './upgradeErrors';

/** Bytes read from the start of each file to check its kind (ELF magic, a header line). */
const HEAD_BYTES = 256;

export type TransferMethod = 'on-the-fly' | 'fff';

export interface FirmwareFileFacts {
  path: string;
  name: string;
  size: number;
  head: Uint8Array;
  kind: 'full' | 'diff' | 'updater' | 'unknown';
  build?: number;
  fromBuild?: number;
  toBuild?: number;
  stage?: 1 | 2;
  method: TransferMethod;
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
        ? 'Pass the path of updater.elf from the firmware archive with --updater.'
        : 'Check the path of the .dup file (from the Sequans firmware archive for your board) and try again.',
    );
  }
  const classified = classifyFirmwareFileName(name);
  return {
    path,
    name,
    size,
    head: head.slice(0, headLength),
    kind: classified.kind,
    build: classified.build,
    fromBuild: classified.fromBuild,
    toBuild: classified.toBuild,
    stage: classified.stage,
    method: transferMethodForSize(size),
  };
}

function refuseOnProblems(facts: FirmwareFileFacts, warnings: string[]): void {
  for (const problem of inspectFirmwareFile({ name: facts.name, size: facts.size, head: facts.head })) {
    // The problem texts already name the file.
    if (problem.severity === 'fail') throw new UsageError(problem.message, problem.action);
    warnings.push(problem.message);
  }
}

/**
 * Reads and checks the files of an upgrade before the port is opened: every refusal
 * that needs no modem happens here, so a wrong command line never touches the modem.
 */
export async function inspectUpgradeFiles(files: readonly string[], updaterPath?: string): Promise<UpgradeFiles> {
  if (files.length === 0) {
    throw new UsageError(
      'No firmware file given.',
      'Pass the .dup file(s) to install, e.g. CATM1-41065.dup (two-stage upgrades: the -1 file, then the -2 file).',
    );
  }
  const warnings: string[] = [];
  const firmware: FirmwareFileFacts[] = [];
  for (const path of files) {
    const facts = await readFacts(path, 'firmware');
    if (facts.size < MIN_FIRMWARE_BYTES) {
      throw new UsageError(
        `${facts.name} is only ${facts.size} bytes; a firmware file has at least ${MIN_FIRMWARE_BYTES}.`,
        'The file is truncated or not a firmware image: download the firmware archive again and pass its .dup file.',
      );
    }
    if (facts.kind === 'updater') {
      throw new UsageError(
        `${facts.name} is the modem's updater, not a firmware image.`,
        'Pass it with --updater updater.elf, together with the full .dup image to install.',
      );
    }
    refuseOnProblems(facts, warnings);
    firmware.push(facts);
  }
  const stages = firmware.map((f) => f.stage);
  if (stages.some((s) => s !== undefined)) {
    const inOrder = stages.every((s, i) => s === i + 1);
    if (!inOrder) {
      throw new UsageError(
        `Two-stage firmware must be given in order, stage 1 then stage 2 (got ${firmware.map((f) => f.name).join(', ')}).`,
        'Pass the ...-1.dup file first and the ...-2.dup file second, in one command.',
      );
    }
  }
  let updater: FirmwareFileFacts | undefined;
  if (updaterPath) {
    updater = await readFacts(updaterPath, 'updater');
    if (updater.size < MIN_FIRMWARE_BYTES) {
      throw new UsageError(
        `${updater.name} is only ${updater.size} bytes: not an updater.`,
        'Pass the updater.elf from the firmware archive (about 300–370 KB).',
      );
    }
    refuseOnProblems(updater, warnings);
    const diff = firmware.find((f) => f.kind === 'diff');
    if (diff) {
      throw new UsageError(
        `${diff.name} is a differential upgrade, which cannot be combined with updater.elf.`,
        'Either drop --updater and send the diff to a modem that runs its from-build, or use the full image (CATM1-<build>.dup / NB1-<build>.dup) with --updater.',
      );
    }
  }
  return { firmware, updater, warnings };
}

/**
 * The upgrade path from what the modem said (AT+SMOD?) and the files; refuses
 * combinations the modem cannot do, before anything is sent that changes it.
 */
export function chooseUpgradePath(state: ModemState, files: UpgradeFiles): { path: UpgradePath; warnings: string[] } {
  const warnings: string[] = [];
  switch (state) {
    case 0: {
      if (!files.updater) {
        throw new UsageError(
          'The modem is in its recovery bootrom (AT+SMOD? answered 0): it only accepts updater.elf, then a full image.',
          'Run the upgrade again with --updater updater.elf and the full .dup image (CATM1-<build>.dup or NB1-<build>.dup) from the same firmware archive.',
        );
      }
      const notFull = files.firmware.find((f) => f.kind === 'diff');
      if (notFull) {
        throw new UsageError(
          `${notFull.name} is a differential upgrade; a modem in recovery needs the full image.`,
          'Use the full CATM1-<build>.dup or NB1-<build>.dup with --updater updater.elf.',
        );
      }
      return { path: 'recovery', warnings };
    }
    case 4:
      if (files.updater) warnings.push('The modem is in upgrade mode (state 4): updater.elf is not needed and will not be sent.');
      return { path: 'resume', warnings };
    case 2: {
      if (files.updater) {
        warnings.push('The modem is not in recovery (state 2): updater.elf is not needed and will not be sent; using the normal method.');
      }
      return { path: files.firmware[0]!.method === 'on-the-fly' ? 'on-the-fly' : 'fff', warnings };
    }
    case 1:
    default:
      throw new ModemStateError(
        `The modem is in mTools mode (AT+SMOD? answered ${state}); no upgrade starts from there.`,
        'Power-cycle the board (unplug it), put it back in mirror mode, and run the upgrade again.',
      );
  }
}

/**
 * A diff applies only to its from-build. Checks the chain of files against the build
 * the modem reported, before any transfer. Unknown builds are warnings, not refusals.
 */
export function checkBuildChain(files: readonly FirmwareFileFacts[], modemBuild: number | undefined): string[] {
  const warnings: string[] = [];
  let expected = modemBuild;
  for (const file of files) {
    if (file.kind === 'diff') {
      if (file.fromBuild === undefined) {
        warnings.push(`${file.name}: cannot tell which build this diff applies to from its name.`);
      } else if (expected === undefined) {
        warnings.push(`${file.name}: the modem's current build is unknown; the diff applies only to build ${file.fromBuild}.`);
      } else if (file.fromBuild !== expected) {
        throw new UsageError(
          `${file.name} upgrades build ${file.fromBuild}, but the modem ${expected === modemBuild ? 'runs' : 'will run'} build ${expected}: the modem would answer "Patch didn't apply!".`,
          `Use upgdiff_${expected}-to-<target>.dup, or the full image (CATM1-<build>.dup / NB1-<build>.dup), which applies to any build.`,
        );
      }
      expected = file.toBuild;
    } else {
      expected = file.build;
    }
  }
  return warnings;
}

/** The build the last file installs, when its name tells (a diff's target, a full image's build). */
export function expectedFinalBuild(files: readonly FirmwareFileFacts[]): { build: number; fileName: string } | undefined {
  const last = files.at(-1);
  if (!last) return undefined;
  const build = last.kind === 'diff' ? last.toBuild : last.build;
  return build === undefined ? undefined : { build, fileName: last.name };
}
