import { open, stat } from 'node:fs/promises';
import type { PreflightFile } from './preflightFacts';

/** The checks look at the name, the size and the first bytes (ELF and archive magics, a header line). */
const HEAD_BYTES = 64;

/** A file as the preflight checks see it; a file that cannot be read says why instead of throwing. */
export async function readPreflightFile(path: string): Promise<PreflightFile> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return { name: path, readError: 'not a regular file' };
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(HEAD_BYTES);
      const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
      return { name: path, size: info.size, head: head.slice(0, bytesRead) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { name: path, readError: code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message };
  }
}
