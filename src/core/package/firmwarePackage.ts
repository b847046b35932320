import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { UsageError } from '../errors';
import { openZipPackage, type ZipLimits } from './zipPackage';

/**
 * A firmware package as Pycom ships it (PROTOCOL.md §9, "Packages"): a .zip holding the
 * full image, upgdiff_<from>-to-<to>.dup files and updater.elf; or the folder it was
 * extracted to; or loose files given one by one. Reading it only lists the candidates:
 * which of them the modem needs is chooseFilesFromPackage's decision (choosePackageFiles.ts).
 */

export type PackageKind = 'zip' | 'folder' | 'files';

/** A file that may go to the modem: a .dup image or diff, or an .elf updater. */
export interface PackageFile {
  /** The file's own name, e.g. "CATM1-41065.dup". */
  name: string;
  size: number;
  /** Where it is on this machine (for a zip: extracted into a temporary folder of ours). */
  path: string;
  /** Where it was in the package ("CATM1-41065/updater.elf"), for the messages. */
  inPackage: string;
}

/** A package entry that was not taken, and why (a readme, a file too deep, an AppleDouble copy). */
export interface IgnoredEntry {
  name: string;
  reason: string;
}

export interface FirmwarePackage {
  /** What was given: the zip's or folder's path, or the first loose file's. */
  source: string;
  kind: PackageKind;
  files: PackageFile[];
  ignored: IgnoredEntry[];
  /** Removes what was extracted (a zip's temporary folder); safe to call twice. */
  dispose(): Promise<void>;
}

/** How far down a folder is searched: the folder itself and two levels below (a zip extracted into its own folder, and one more). */
export const FOLDER_SEARCH_DEPTH = 2;

/** The extensions of the files that may go to the modem. */
const CANDIDATE_FILE = /\.(dup|elf)$/i;

/** macOS archive debris: "__MACOSX/…" and "._name" AppleDouble copies, never firmware. */
export function isArchiveDebris(path: string): boolean {
  const parts = path.split(/[\\/]/);
  return parts.includes('__MACOSX') || (parts.at(-1) ?? '').startsWith('._') || parts.at(-1) === '.DS_Store';
}

/** Why a file is not a candidate, or undefined when it is one. */
export function whyNotCandidate(path: string): string | undefined {
  if (isArchiveDebris(path)) return 'macOS archive metadata, not firmware';
  if (!CANDIDATE_FILE.test(path)) return 'not a .dup or .elf file';
  return undefined;
}

function noDispose(): Promise<void> {
  return Promise.resolve();
}

/** True when `path` is a firmware package (a .zip or a folder) rather than a loose file. */
export async function isPackagePath(path: string): Promise<boolean> {
  if (/\.zip$/i.test(path)) return true;
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export interface OpenPackageOptions {
  /** Limits of what a zip may hold (defaults: ZIP_LIMITS). */
  zipLimits?: Partial<ZipLimits>;
  /** Where the zip's temporary folder is made (default the OS temporary folder). */
  tempRoot?: string;
}

/**
 * Lists a package's candidates: a .zip (its .dup and .elf entries extracted into a
 * temporary folder, removed by dispose()), a folder (searched FOLDER_SEARCH_DEPTH levels
 * down), or loose files. Refuses what it cannot read, in words a person can act on.
 */
export async function openFirmwarePackage(source: string | readonly string[], options: OpenPackageOptions = {}): Promise<FirmwarePackage> {
  const sources = typeof source === 'string' ? [source] : [...source];
  if (sources.length === 0) {
    throw new UsageError('No firmware package or file given.', 'Choose the firmware package (.zip) downloaded from Pycom, the folder it was extracted to, or the .dup file(s).');
  }
  if (sources.length === 1) {
    const only = sources[0]!;
    if (/\.zip$/i.test(only)) {
      return openZipPackage(only, options);
    }
    if (await isDirectory(only)) return openFolderPackage(only);
  }
  return openLooseFiles(sources);
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function openLooseFiles(paths: readonly string[]): Promise<FirmwarePackage> {
  const files: PackageFile[] = [];
  const ignored: IgnoredEntry[] = [];
  for (const path of paths) {
    if (/\.zip$/i.test(path) || (await isDirectory(path))) {
      throw new UsageError(
        `${basename(path)} is a firmware package: give it alone, not together with other files.`,
        'Choose either the package (.zip or its folder) or the .dup file(s) themselves.',
      );
    }
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a regular file');
      size = info.size;
    } catch (error) {
      const detail = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new UsageError(`Cannot read ${path}: ${detail}.`, 'Check the path of the firmware file and try again.');
    }
    const name = basename(path);
    const why = whyNotCandidate(name);
    if (why) ignored.push({ name, reason: why });
    else files.push({ name, size, path, inPackage: name });
  }
  return { source: paths[0]!, kind: 'files', files, ignored, dispose: noDispose };
}

/** The folder and up to FOLDER_SEARCH_DEPTH levels below it; hidden folders and archive debris are skipped. */
async function openFolderPackage(folder: string): Promise<FirmwarePackage> {
  const files: PackageFile[] = [];
  const ignored: IgnoredEntry[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      throw new UsageError(`Cannot read the folder ${dir}: ${(error as Error).message}.`, 'Check the folder and its permissions, then try again.');
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const inPackage = relative(folder, path).split(sep).join('/');
      if (entry.isDirectory()) {
        if (entry.name.startsWith('.') || isArchiveDebris(inPackage)) continue;
        if (depth < FOLDER_SEARCH_DEPTH) await walk(path, depth + 1);
        else ignored.push({ name: `${inPackage}/`, reason: `more than ${FOLDER_SEARCH_DEPTH} folders deep, not searched` });
        continue;
      }
      if (!entry.isFile()) continue;
      const why = whyNotCandidate(inPackage);
      if (why) {
        ignored.push({ name: inPackage, reason: why });
        continue;
      }
      files.push({ name: entry.name, size: (await stat(path)).size, path, inPackage });
    }
  };
  await walk(folder, 0);
  return { source: folder, kind: 'folder', files, ignored, dispose: noDispose };
}
