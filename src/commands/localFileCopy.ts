import * as vscode from 'vscode';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExtensionServices } from '../glue/services';

/** The one call of vscode.workspace.fs this needs; tests pass their own. */
export interface FileReader {
  readFile(uri: vscode.Uri): Thenable<Uint8Array>;
}

export interface LocalFile {
  /** A path node:fs (and the serial code next to the USB port) can open. */
  path: string;
  /** Bytes copied; a file used in place is not read here (the firmware checks read it). */
  sizeBytes?: number;
  /** False for a local `file:` URI used in place. */
  isCopy: boolean;
}

/** A copy whose content differs from what was read: a full disk, a file changed under us. */
export class LocalCopyMismatchError extends Error {
  constructor(
    readonly source: string,
    readonly expected: { sizeBytes: number; sha256: string },
    readonly found: { sizeBytes: number; sha256: string },
  ) {
    super(
      `The local copy of ${source} does not match what was read (${found.sizeBytes} bytes, sha256 ${found.sha256.slice(0, 12)}…, ` +
        `expected ${expected.sizeBytes} bytes, ${expected.sha256.slice(0, 12)}…).`,
    );
  }
}

/** Copies nobody used for this long are removed when the next one is made. */
const COPY_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** A name the copy may take on any OS: the core reads the firmware's kind and stage from it. */
function safeFileName(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|\x00-\x1f]/g, '_').replace(/^\.+$/, '_');
  return cleaned || 'file';
}

/** Where copies of remote files go: the extension's storage on this machine, else the temp folder. */
export function copiesFolderFor(services: Pick<ExtensionServices, 'storageUri'>): string {
  return services.storageUri.scheme === 'file' ? join(services.storageUri.fsPath, 'picked-files') : join(tmpdir(), 'pycom-modem-picked-files');
}

/**
 * A picked or explorer file as a local path. In a remote window (SSH, WSL, Codespaces) the
 * extension runs where the USB port is, but dialogs and the explorer hand out URIs of the
 * remote file system, where `uri.fsPath` names nothing on this machine. Such a file is read
 * through vscode.workspace.fs and streamed into a folder of ours, then read back and compared
 * by size and sha256 before anything is sent to the board. A local `file:` URI is used in place.
 *
 * Copies are kept by content (a resumed upgrade after a reload finds its files again) and
 * removed after 30 days unused.
 */
export async function localFileFor(
  uri: vscode.Uri,
  options: { copiesFolder: string; reader?: FileReader },
): Promise<LocalFile> {
  if (uri.scheme === 'file') {
    return { path: uri.fsPath, isCopy: false };
  }
  const reader = options.reader ?? vscode.workspace.fs;
  const bytes = await reader.readFile(uri);
  const expected = { sizeBytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
  const folder = join(options.copiesFolder, expected.sha256.slice(0, 32));
  const target = join(folder, safeFileName(basename(uri.path)));
  await mkdir(folder, { recursive: true });
  const existing = await fileFacts(target).catch(() => undefined);
  if (!existing || existing.sha256 !== expected.sha256 || existing.sizeBytes !== expected.sizeBytes) {
    await writeVerified(bytes, target, { source: uri.toString(), expected });
  } else {
    // Reused: its age counts from now, so pruning spares a copy an upgrade still resumes from.
    const now = new Date();
    await utimes(folder, now, now).catch(() => undefined);
  }
  await pruneCopies(options.copiesFolder, folder);
  return { path: target, sizeBytes: expected.sizeBytes, isCopy: true };
}

/** Local files for every picked URI, in the order given. */
export async function localFilesFor(uris: readonly vscode.Uri[], services: Pick<ExtensionServices, 'storageUri'>, reader?: FileReader): Promise<LocalFile[]> {
  const copiesFolder = copiesFolderFor(services);
  const files: LocalFile[] = [];
  for (const uri of uris) files.push(await localFileFor(uri, { copiesFolder, ...(reader ? { reader } : {}) }));
  return files;
}

/**
 * Streams `bytes` into `target`, reads the file back and compares it with `expected` (what
 * was read from the source). Written beside the target and renamed once verified, so a cut
 * or altered copy never carries the real name.
 */
export async function writeVerified(
  bytes: Uint8Array,
  target: string,
  check: { source: string; expected: { sizeBytes: number; sha256: string } },
): Promise<void> {
  const partial = `${target}.${process.pid}.partial`;
  try {
    await pipeline(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), createWriteStream(partial));
    const found = await fileFacts(partial);
    if (found.sha256 !== check.expected.sha256 || found.sizeBytes !== check.expected.sizeBytes) {
      throw new LocalCopyMismatchError(check.source, check.expected, found);
    }
    await rename(partial, target);
  } finally {
    await rm(partial, { force: true });
  }
}

async function fileFacts(path: string): Promise<{ sizeBytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    sizeBytes += chunk.byteLength;
  }
  return { sizeBytes, sha256: hash.digest('hex') };
}

/** Best effort: a copy that cannot be removed now is tried again next time. */
export async function pruneCopies(copiesFolder: string, keep: string, nowMs = Date.now()): Promise<void> {
  const entries = await readdir(copiesFolder).catch(() => [] as string[]);
  for (const entry of entries) {
    const path = join(copiesFolder, entry);
    if (path === keep) continue;
    const facts = await stat(path).catch(() => undefined);
    if (facts && nowMs - facts.mtimeMs > COPY_MAX_AGE_MS) await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}
