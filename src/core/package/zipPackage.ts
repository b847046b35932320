import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Entry, ZipFile } from 'yauzl';
import { UsageError } from '../errors';
import { whyNotCandidate, type FirmwarePackage, type IgnoredEntry, type OpenPackageOptions, type PackageFile } from './firmwarePackage';

/**
 * Reads a Pycom firmware .zip with yauzl (loaded only here, when a zip is opened).
 * Only .dup and .elf entries are extracted, into a temporary folder of ours; a name that
 * climbs out of it, an absolute name, an encrypted entry or an entry of absurd size
 * refuses the whole package before anything is written.
 */

export interface ZipLimits {
  /** One entry; full images are ~5–6 MB, so 64 MiB is far beyond any real one. */
  maxEntryBytes: number;
  /** Everything extracted from one package. */
  maxTotalBytes: number;
  /** Entries in the archive (a real package has a handful). */
  maxEntries: number;
}

export const ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxEntries: 1000,
});

const MIB = 1024 * 1024;

/** A name that would land outside the folder it is extracted to, or a name that is not a plain relative path. */
export function unsafeEntryName(name: string): string | undefined {
  if (name.includes('\0')) return 'a name with a NUL character';
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/')) return 'an absolute path';
  if (/^[a-zA-Z]:/.test(slashed)) return 'a path with a drive letter';
  if (slashed.split('/').includes('..')) return 'a path that climbs out of its folder (..)';
  return undefined;
}

function zipError(zipName: string, detail: string): UsageError {
  return new UsageError(
    `${zipName} cannot be used: ${detail}.`,
    'Download the firmware package again from Pycom, or extract it yourself and choose the folder.',
  );
}

function encryptedError(zipName: string, entryName: string): UsageError {
  return new UsageError(
    `${zipName} is encrypted (password-protected: ${entryName} cannot be read without the password).`,
    "Extract it with the password from Pycom's download page, then choose the extracted folder.",
  );
}

/** yauzl's own refusals, in our words: its name checks are the same zip-slip guard as ours. */
function explainYauzlError(zipName: string, error: Error): UsageError {
  const message = error.message;
  const name = /(?:absolute path|invalid relative path|invalid characters in fileName): (.*)$/.exec(message)?.[1];
  if (name !== undefined) return zipError(zipName, `its entry "${name}" is ${unsafeEntryName(name) ?? 'not a safe relative path'}, which the tool refuses to extract`);
  if (/end of central directory record signature not found|not a zip|invalid.*signature/i.test(message)) {
    return new UsageError(
      `${zipName} is not a zip archive (or it is damaged): ${message}.`,
      'Download the firmware package again from Pycom; if you extracted it already, choose the folder instead.',
    );
  }
  return zipError(zipName, message);
}

export async function openZipPackage(zipPath: string, options: OpenPackageOptions = {}): Promise<FirmwarePackage> {
  const limits = { ...ZIP_LIMITS, ...options.zipLimits };
  const zipName = basename(zipPath);
  // Loaded only when a zip is opened: the unzip library costs nothing to any other command.
  const yauzl = await import('yauzl');
  let zip: ZipFile;
  try {
    zip = await new Promise<ZipFile>((resolve, reject) =>
      yauzl.open(zipPath, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, file) => (error ? reject(error) : resolve(file))),
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`Cannot read ${zipPath}: no such file.`, 'Check the path of the firmware package and try again.');
    if (code === 'EISDIR') throw new UsageError(`${zipPath} is a folder named like a zip.`, 'Choose the .zip file itself, or rename the folder.');
    throw explainYauzlError(zipName, error as Error);
  }
  let folder: string | undefined;
  const dispose = async () => {
    const made = folder;
    folder = undefined;
    if (made) await rm(made, { recursive: true, force: true });
  };
  try {
    if (zip.entryCount > limits.maxEntries) throw zipError(zipName, `it has ${zip.entryCount} entries (a firmware package has a handful; at most ${limits.maxEntries} are read)`);
    const entries = await listEntries(zip, zipName);
    const ignored: IgnoredEntry[] = [];
    const wanted: Entry[] = [];
    let total = 0;
    const names = new Set<string>();
    // Every entry is judged before anything is written: a bad package leaves nothing behind.
    for (const entry of entries) {
      const unsafe = unsafeEntryName(entry.fileName);
      if (unsafe) throw zipError(zipName, `its entry "${entry.fileName}" is ${unsafe}, which the tool refuses to extract`);
      if (entry.fileName.endsWith('/')) continue;
      const why = whyNotCandidate(entry.fileName);
      if (why) {
        ignored.push({ name: entry.fileName, reason: why });
        continue;
      }
      if (entry.isEncrypted()) throw encryptedError(zipName, entry.fileName);
      const key = posix.normalize(entry.fileName.replace(/\\/g, '/')).toLowerCase();
      if (names.has(key)) throw zipError(zipName, `${entry.fileName} is in it twice`);
      names.add(key);
      if (entry.uncompressedSize > limits.maxEntryBytes) {
        throw zipError(zipName, `${entry.fileName} would be ${(entry.uncompressedSize / MIB).toFixed(0)} MiB unpacked (a modem image is about 6 MB; more than ${(limits.maxEntryBytes / MIB).toFixed(0)} MiB is refused)`);
      }
      if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
        throw zipError(zipName, `${entry.fileName} is compressed with method ${entry.compressionMethod}, which the tool cannot unpack (only stored and deflated entries)`);
      }
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) throw zipError(zipName, `its firmware files would be more than ${(limits.maxTotalBytes / MIB).toFixed(0)} MiB unpacked`);
      wanted.push(entry);
    }
    folder = await mkdtemp(join(options.tempRoot ?? tmpdir(), 'pycom-modem-package-'));
    const files: PackageFile[] = [];
    for (const entry of wanted) {
      const relativePath = posix.normalize(entry.fileName.replace(/\\/g, '/'));
      const target = join(folder, ...relativePath.split('/'));
      await mkdir(join(target, '..'), { recursive: true });
      const stream = await openEntry(zip, entry);
      await pipeline(stream, limitBytes(entry, limits.maxEntryBytes), createWriteStream(target, { flags: 'wx', mode: 0o600 }));
      files.push({ name: posix.basename(relativePath), size: entry.uncompressedSize, path: target, inPackage: relativePath });
    }
    return { source: zipPath, kind: 'zip', files, ignored, dispose };
  } catch (error) {
    await dispose();
    if (error instanceof UsageError) throw error;
    throw explainYauzlError(zipName, error as Error);
  } finally {
    zip.close();
  }
}

function listEntries(zip: ZipFile, zipName: string): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', (error: Error) => reject(explainYauzlError(zipName, error)));
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error ? reject(error) : resolve(stream))));
}

/** A second guard behind the declared size: the bytes really unpacked (yauzl also checks them against the declared size). */
function limitBytes(entry: Entry, maxBytes: number): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (source) {
    let bytes = 0;
    for await (const chunk of source) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new Error(`${entry.fileName} unpacks to more than ${(maxBytes / MIB).toFixed(0)} MiB`);
      yield chunk;
    }
  };
}
