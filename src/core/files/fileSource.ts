import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { OperationAbortedError, UsageError } from '../errors';
import type { BlockSource } from './blockSource';

export type { BlockSource } from './blockSource';

export interface FileBlockSource extends BlockSource {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Opens a firmware file for reading on demand. Missing, unreadable or non-regular files
 * are refused as UsageError before anything touches the board.
 */
export async function openFileSource(path: string): Promise<FileBlockSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileOpenError(path, error);
  }
  let size: number;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new UsageError(`${path} is not a file.`, 'Pick the firmware file itself (a .dup or updater.elf), not a folder.');
    }
    size = stat.size;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error instanceof UsageError ? error : fileOpenError(path, error);
  }
  return new FileHandleSource(path, handle, size);
}

/** A source over bytes already in memory (tests, small files). */
export function bytesSource(name: string, bytes: Uint8Array): BlockSource {
  return {
    name,
    size: bytes.length,
    async read(offset, length, signal) {
      throwIfAborted(signal);
      checkRange(name, bytes.length, offset, length);
      return bytes.slice(offset, offset + length);
    },
    async readInto(target, offset, signal) {
      throwIfAborted(signal);
      checkRange(name, bytes.length, offset, target.length);
      target.set(bytes.subarray(offset, offset + target.length));
    },
  };
}

class FileHandleSource implements FileBlockSource {
  readonly name: string;
  private isClosed = false;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly size: number,
  ) {
    this.name = basename(path);
  }

  async read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array> {
    const target = new Uint8Array(length);
    await this.readInto(target, offset, signal);
    return target;
  }

  async readInto(target: Uint8Array, offset: number, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    if (this.isClosed) throw new Error(`${this.path} was read after close().`);
    checkRange(this.name, this.size, offset, target.length);
    let filled = 0;
    // The OS may return fewer bytes than asked; a read of 0 means the file shrank under us.
    while (filled < target.length) {
      const { bytesRead } = await this.handle.read(target, filled, target.length - filled, offset + filled);
      if (bytesRead === 0) {
        throw new UsageError(
          `${this.path} became shorter while it was being sent (${offset + filled} of ${this.size} bytes read).`,
          'Do not change the firmware file during the upgrade; copy it somewhere stable and run the upgrade again.',
        );
      }
      filled += bytesRead;
      throwIfAborted(signal);
    }
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await this.handle.close();
  }
}

function checkRange(name: string, size: number, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new RangeError(`Read of ${length} bytes at ${offset} is outside ${name} (${size} bytes).`);
  }
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new OperationAbortedError(signal.reason);
}

function fileOpenError(path: string, error: unknown): UsageError {
  const options = { cause: error };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new UsageError(`Firmware file not found: ${path}`, 'Check the path, or pick the file again (a .dup image or updater.elf).', options);
    case 'EACCES':
    case 'EPERM':
      return new UsageError(`No permission to read ${path}.`, 'Give your user read access to the file, or copy it to a folder you own.', options);
    case 'EISDIR':
      return new UsageError(`${path} is a folder, not a file.`, 'Pick the firmware file itself (a .dup or updater.elf), not a folder.', options);
    default:
      return new UsageError(
        `Cannot read ${path}${error instanceof Error ? `: ${error.message}` : ''}.`,
        'Check that the file exists and is readable, then pick it again.',
        options,
      );
  }
}
