import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../errors';
import { ProgressPacer } from '../engine/progressFigures';
import type { StepRunner, UnstampedEvent } from '../engine/stepRunner';
import { classifyFirmwareFileName, FFF_MAX_BYTES } from '../parse/firmwareFile';
import type { PreflightFacts, PreflightResult } from '../preflight/preflight';
import { FLASH_MARGIN_BYTES } from '../preflight/preflightFacts';
import { boardHalfFacts } from './boardHalfFacts';
import type { RawRepl } from '../repl/rawRepl';
import { flashSpace, pushFile, removeFile } from './boardFiles';
import type { BoardIdentity } from './boardIdentity';
import type { BoardModemRead } from './boardModemRead';
import { checkSqnsupgrade } from './boardUpgradeTrigger';
import { FLASH_ROOT, isSdCardPath, lookUpBoardFile } from './onBoardFiles';
import type { OnBoardUpgradeRequest } from './onBoardUpgrade';

/**
 * The firmware file of an on-board run (onBoardUpgrade.ts): judged locally before the port
 * opens, looked up on the board (or room made on /flash), described to the preflight by
 * name and size only (the bytes stay on the board), pushed to /flash and removed again.
 */

/** The /flash method takes diff files only: a full image does not fit in /flash. */
export class FullImageToFlashError extends UsageError {
  constructor(name: string, size: number) {
    super(
      `${name} (${Math.round(size / 1024)} KiB) is a full firmware image: it does not fit in /flash, which takes diff files (upgdiff_<from>-to-<to>.dup) only.`,
      'Put the full image on the board’s SD card and use the SD card method, or send it over USB (the normal upgrade).',
    );
  }
}

/** A local diff for the /flash method, read and judged before the port opens. */
export async function readFlashDiff(localPath: string): Promise<{ name: string; bytes: Uint8Array }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(localPath));
  } catch (error) {
    throw new UsageError(`Cannot read ${localPath}: ${error instanceof Error ? error.message : String(error)}.`, 'Check the path of the diff file.');
  }
  const name = basename(localPath);
  const kind = classifyFirmwareFileName(name).kind;
  if (kind === 'full' || bytes.length > FFF_MAX_BYTES) throw new FullImageToFlashError(name, bytes.length);
  if (kind === 'updater') {
    throw new UsageError(`${name} is updater.elf, not firmware.`, 'Give the diff file (upgdiff_<from>-to-<to>.dup) to run from /flash.');
  }
  return { name, bytes };
}

export interface FoundFiles {
  firmwareBytes: number;
  updaterBytes?: number;
  /** The file checks, shown first in the preflight. */
  checks: PreflightResult[];
  detail: string;
}

/** The firmware (and updater.elf) on the board, or for the /flash method the room to copy the diff. */
export async function findFiles(
  repl: RawRepl,
  boardPath: string,
  request: OnBoardUpgradeRequest,
  local: { name: string; bytes: Uint8Array } | undefined,
  identity: BoardIdentity,
  signal: AbortSignal,
): Promise<FoundFiles> {
  const checks: PreflightResult[] = [];
  const check = (status: PreflightResult['status'], detail: string, action?: string) =>
    checks.push({ id: 'on-board-file', title: 'Firmware file on the board', status, detail, ...(action ? { action } : {}) });
  await checkSqnsupgrade(repl, { signal, release: identity.release });
  let firmwareBytes: number;
  if (local) {
    firmwareBytes = local.bytes.length;
    const space = await flashSpace(repl, FLASH_ROOT, { signal });
    const existing = await lookUpBoardFile(repl, boardPath, { signal });
    const reusable = existing.kind === 'found' ? existing.size : 0;
    if (space.freeBytes + reusable < firmwareBytes + FLASH_MARGIN_BYTES) {
      check(
        'fail',
        `${local.name} needs ${Math.ceil((firmwareBytes + FLASH_MARGIN_BYTES) / 1024)} KiB on /flash; it has ${Math.floor(space.freeBytes / 1024)} KiB free.`,
        'Delete files you no longer need from /flash, or put the file on the SD card and use the SD card method.',
      );
    } else {
      check('pass', `${local.name} (${Math.round(firmwareBytes / 1024)} KiB) fits on /flash (${Math.floor(space.freeBytes / 1024)} KiB free); it is copied there and verified first.`);
    }
  } else {
    const found = await lookUpBoardFile(repl, boardPath, { signal });
    firmwareBytes = found.kind === 'found' ? found.size : 0;
    describeLookup(found, check);
  }
  let updaterBytes: number | undefined;
  if (request.updaterPath) {
    const found = await lookUpBoardFile(repl, request.updaterPath, { signal });
    if (found.kind === 'found') updaterBytes = found.size;
    describeLookup(found, check);
  }
  const detail = checks.map((c) => c.detail).join('; ');
  return { firmwareBytes, ...(updaterBytes !== undefined ? { updaterBytes } : {}), checks, detail };
}

function describeLookup(found: Awaited<ReturnType<typeof lookUpBoardFile>>, check: (status: PreflightResult['status'], detail: string, action?: string) => void): void {
  switch (found.kind) {
    case 'found':
      check('pass', `${found.path} (${Math.round(found.size / 1024)} KiB) is on the board.`);
      return;
    case 'no-card':
      check(
        'fail',
        `No SD card: the board cannot mount /sd to read ${found.path}.`,
        'Insert the SD card (FAT-formatted) with the file on it, or copy a diff file to /flash, then run the upgrade again.',
      );
      return;
    case 'missing':
      check(
        'fail',
        `${found.path} is not on the board.`,
        `Check the exact file name (case matters); list the board's ${isSdCardPath(found.path) ? 'SD card' : '/flash'} to see what is there.`,
      );
      return;
  }
}

/** The checks' facts: the files by name and size (the bytes stay on the board), the board, the modem as its updater read it. */
export function onBoardFacts(file: FoundFiles, identity: BoardIdentity, read: BoardModemRead | undefined, request: OnBoardUpgradeRequest): PreflightFacts {
  const firmwarePath = request.firmware.kind === 'on-board' ? request.firmware.path : request.firmware.localPath;
  const updaterOnFlash = request.updaterPath !== undefined && file.updaterBytes !== undefined;
  const known = boardHalfFacts(identity, read);
  return {
    firmware: file.firmwareBytes > 0 ? [{ name: basename(firmwarePath), size: file.firmwareBytes }] : [],
    ...(request.updaterPath && file.updaterBytes !== undefined ? { updater: { name: basename(request.updaterPath), size: file.updaterBytes } } : {}),
    ...(request.loadFff === false ? { method: 'on-the-fly' as const } : {}),
    ...known,
    // updater.elf is already on the board: nothing to copy.
    board: { ...known.board, ...(updaterOnFlash ? { updaterOnFlashBytes: file.updaterBytes } : {}) },
    // The board's updater loads updater.elf into a modem in recovery itself.
    ...(request.updaterPath ? { boardRunsFfh: true } : {}),
    isSentByBoard: true,
  };
}

export async function pushFirmwareStep(
  steps: StepRunner,
  repl: RawRepl,
  emit: (event: UnstampedEvent) => void,
  local: { name: string; bytes: Uint8Array },
  boardPath: string,
  signal: AbortSignal,
): Promise<void> {
  await steps.run(
    'push-firmware',
    async () => {
      let pacer: ProgressPacer | undefined;
      return pushFile(repl, {
        bytes: local.bytes,
        remotePath: boardPath,
        signal,
        onProgress: (bytesDone, bytesTotal) => {
          pacer ??= new ProgressPacer(bytesTotal);
          const figures = pacer.sample(bytesDone);
          if (!figures) return;
          emit({
            kind: 'progress',
            step: 'push-firmware',
            fileIndex: 1,
            fileName: local.name,
            bytesDone,
            bytesTotal,
            bytesPerSecond: figures.bytesPerSecond,
            ...(figures.etaMs !== undefined ? { etaMs: figures.etaMs } : {}),
          });
        },
      });
    },
    { whenDone: (result) => `${result.remotePath}${result.skipped ? ' (already on the board, same sha256)' : ', verified by sha256 on the board'}` },
  );
}

export async function removeFirmwareStep(
  steps: StepRunner,
  repl: RawRepl,
  boardPath: string,
  keep: boolean,
  signal: AbortSignal,
  options: { isCleanup?: boolean } = {},
): Promise<void> {
  if (keep) {
    steps.event('remove-firmware', 'skip', `${boardPath} kept on /flash, as asked`);
    return;
  }
  if (options.isCleanup) {
    // After a failure: quietly, so the failure stays the run's last word.
    await removeFile(repl, boardPath, { signal });
    return;
  }
  await steps.run('remove-firmware', () => removeFile(repl, boardPath, { signal }), {
    whenDone: (removed) => (removed ? `${boardPath} removed` : `${boardPath} was already gone`),
  });
}
