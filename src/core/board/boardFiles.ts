import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { OperationAbortedError, UsageError } from '../errors';
import { BoardReplyError, FlashSpaceError, PushVerifyError, type RemoteFileHash } from './boardErrors';

export { BoardReplyError, FlashSpaceError, PushVerifyError, type RemoteFileHash };
import { BoardCodeTimeoutError, type ExecOptions, type RawRepl } from '../repl/rawRepl';
import { BoardExecError, outputLines } from '../repl/replOutput';
import { pyStr } from '../repl/pythonQuote';
import { PART_HANDLE, writePartByExecs, type ExecOptionsFor } from './execPartWriter';
import { streamToPart } from './streamedPartWriter';

export { EXEC_CHUNK_PAYLOAD_BYTES } from './execPartWriter';
export { STREAM_CHUNK_PAYLOAD_BYTES, STREAM_WINDOW_BYTES } from './streamedPartWriter';

/**
 * Files on the board's /flash, through the raw REPL.
 *
 * Push scheme: the data goes to `<target>.part` through one exec running a receive
 * loop on the board (streamedPartWriter.ts): the host streams base64 chunks under a
 * window that the board's acknowledgements open, so the board's flash write of one
 * chunk overlaps with the line carrying the next. With one exec per chunk the line
 * stood still during every flash write (at the 64 KB/s the simulator assumes, about
 * 12 % on top of the line time); overlapped, only base64's third more bytes remain.
 * A board on which the loop cannot start gets the proven exec-per-chunk scheme
 * instead (execPartWriter.ts).
 *
 * Safety: size and sha256 are computed ON THE BOARD from what it reads back from
 * flash, and only a match is renamed over the target. An aborted or failed push
 * leaves the old target untouched and a .part that the next push removes first.
 */

/** Board-side read size when hashing: small enough for any heap, large enough to be quick. */
const HASH_READ_BYTES = 4096;
/** FAT needs room for the directory entry and cluster chain beyond the data clusters. */
const FS_OVERHEAD_BLOCKS = 1;
/** Hashing reads the whole file back from flash: budget per byte, plus a base. */
const HASH_TIMEOUT_BASE_MS = 10_000;
const HASH_TIMEOUT_PER_MB_MS = 20_000;

export interface FlashSpace {
  freeBytes: number;
  totalBytes: number;
  blockBytes: number;
}

export interface RemoteEntry {
  name: string;
  size: number;
  isDir: boolean;
}

export interface PushFileOptions {
  /** The file to send; or `bytes`. */
  localPath?: string;
  bytes?: Uint8Array;
  /** Absolute board path (e.g. /flash/updater.elf); a bare name goes to /flash. */
  remotePath: string;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  signal?: AbortSignal;
  /** Payload bytes per streamed chunk (rounded down to a multiple of 3); default STREAM_CHUNK_PAYLOAD_BYTES. */
  chunkBytes?: number;
  /** Bytes the host may send past the chunk the board is writing; default STREAM_WINDOW_BYTES. */
  windowBytes?: number;
  /** How long the board may take over one chunk beyond its line time before the push stops waiting for its acknowledgement. */
  chunkWorkTimeoutMs?: number;
}

/** How the data reached the board: the streamed receive loop, or one exec per chunk where the loop could not start. */
export type PushScheme = 'streamed' | 'exec-per-chunk';

export interface PushResult {
  /** The board already had the same size and sha256: nothing was written. */
  skipped: boolean;
  remotePath: string;
  bytes: number;
  sha256: string;
  /** Write passes needed (2 after one verification retry). */
  attempts: number;
  /** Undefined when the push was skipped. */
  scheme?: PushScheme;
  elapsedMs: number;
}

/** A bare name is taken relative to /flash, the board's working directory. */
export function toRemotePath(path: string): string {
  if (path.startsWith('/')) return path.replace(/\/+$/, '');
  return `/flash/${path}`;
}

function parentDir(remotePath: string): string {
  const at = remotePath.lastIndexOf('/');
  return at <= 0 ? '/' : remotePath.slice(0, at);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Board code defining `_pm_hash(path)` → 'size hexsha' | '-' (missing) | 'dir'. Valid MicroPython 1.11. */
const HASH_FUNCTION = [
  'import uos, uhashlib, ubinascii',
  'def _pm_hash(p):',
  '    try:',
  '        st = uos.stat(p)',
  '    except OSError:',
  "        return '-'",
  '    if st[0] & 0x4000:',
  "        return 'dir'",
  '    h = uhashlib.sha256()',
  '    n = 0',
  "    f = open(p, 'rb')",
  '    try:',
  '        while True:',
  `            b = f.read(${HASH_READ_BYTES})`,
  '            if not b:',
  '                break',
  '            n += len(b)',
  '            h.update(b)',
  '    finally:',
  '        f.close()',
  "    return str(n) + ' ' + ubinascii.hexlify(h.digest()).decode()",
].join('\n');

function parseHashLine(text: string | undefined): RemoteFileHash | 'missing' | 'dir' {
  const value = (text ?? '').trim();
  if (value === '-') return 'missing';
  if (value === 'dir') return 'dir';
  const match = /^(\d+) ([0-9a-f]{64})$/.exec(value);
  if (!match) throw new BoardReplyError(`a size and sha256`, value);
  return { size: Number(match[1]), sha256: match[2]! };
}

function hashTimeoutMs(bytes: number): number {
  return HASH_TIMEOUT_BASE_MS + (bytes / 1_000_000) * HASH_TIMEOUT_PER_MB_MS;
}

/** Size and sha256 of a board file, computed on the board; undefined when it does not exist. */
export async function readRemoteHash(
  repl: RawRepl,
  remotePath: string,
  options: ExecOptions & { expectedBytes?: number } = {},
): Promise<RemoteFileHash | undefined> {
  const path = toRemotePath(remotePath);
  const stdout = await repl.execOrThrow(`${HASH_FUNCTION}\nprint(_pm_hash(${pyStr(path)}))`, {
    timeoutMs: hashTimeoutMs(options.expectedBytes ?? 1_000_000),
    ...options,
    context: `hashing ${path}`,
  });
  const parsed = parseHashLine(outputLines(stdout).at(-1));
  if (parsed === 'dir') throw new UsageError(`${path} on the board is a folder, not a file.`, 'Pick a file path on the board.');
  return parsed === 'missing' ? undefined : parsed;
}

/** Free and total bytes of the file system holding `remotePath` (default /flash). */
export async function flashSpace(repl: RawRepl, remotePath = '/flash', options: ExecOptions = {}): Promise<FlashSpace> {
  const stdout = await repl.execOrThrow(
    `import uos\ns = uos.statvfs(${pyStr(toRemotePath(remotePath))})\nprint(s[1] * s[4], s[1] * s[2], s[1])`,
    { ...options, context: 'reading the free space on /flash' },
  );
  return parseSpaceLine(outputLines(stdout).at(-1));
}

function parseSpaceLine(text: string | undefined): FlashSpace {
  const match = /^(\d+) (\d+) (\d+)$/.exec((text ?? '').trim());
  if (!match) throw new BoardReplyError('free, total and block bytes', text ?? '');
  return { freeBytes: Number(match[1]), totalBytes: Number(match[2]), blockBytes: Number(match[3]) };
}

/** Removes a board file; false when it was not there. */
export async function removeFile(repl: RawRepl, remotePath: string, options: ExecOptions = {}): Promise<boolean> {
  const path = toRemotePath(remotePath);
  const stdout = await repl.execOrThrow(
    // Asks stat first rather than matching an errno: errno numbers differ between ports.
    ['import uos', 'try:', `    uos.stat(${pyStr(path)})`, 'except OSError:', "    print('missing')", 'else:', `    uos.remove(${pyStr(path)})`, "    print('removed')"].join('\n'),
    { ...options, context: `removing ${path}` },
  );
  return outputLines(stdout).at(-1) === 'removed';
}

/** The entries of a board folder, sorted by name. */
export async function listDir(repl: RawRepl, remotePath = '/flash', options: ExecOptions = {}): Promise<RemoteEntry[]> {
  const path = toRemotePath(remotePath);
  const stdout = await repl.execOrThrow(
    [
      'import uos',
      `_pm_d = ${pyStr(path)}`,
      'for _pm_n in uos.listdir(_pm_d):',
      "    _pm_s = uos.stat(_pm_d.rstrip('/') + '/' + _pm_n)",
      "    print(_pm_s[6], 1 if _pm_s[0] & 0x4000 else 0, _pm_n)",
    ].join('\n'),
    { ...options, context: `listing ${path}` },
  );
  const entries: RemoteEntry[] = [];
  for (const line of outputLines(stdout)) {
    const match = /^(\d+) ([01]) (.*)$/.exec(line);
    if (!match) throw new BoardReplyError('size, kind and name', line);
    entries.push({ name: match[3]!, size: Number(match[1]), isDir: match[2] === '1' });
  }
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Copies a file to the board, verified by sha256 computed on the board, replacing the
 * target only once the copy is proven whole. See the module comment for the scheme.
 */
export async function pushFile(repl: RawRepl, options: PushFileOptions): Promise<PushResult> {
  const startedMs = performance.now();
  const { signal, onProgress } = options;
  const bytes = options.bytes ?? (options.localPath ? new Uint8Array(await readFile(options.localPath)) : undefined);
  if (!bytes) throw new UsageError('pushFile needs localPath or bytes.', 'Pass the file to copy.');
  const target = toRemotePath(options.remotePath);
  const part = `${target}.part`;
  const expected: RemoteFileHash = { size: bytes.length, sha256: sha256Hex(bytes) };
  const execOptions: ExecOptionsFor = (extra = {}) => ({ ...(signal ? { signal } : {}), ...extra });

  // One round trip: drop a stale .part, hash what is there, read the free space.
  const survey = await repl.execOrThrow(
    [
      HASH_FUNCTION,
      'try:',
      `    uos.remove(${pyStr(part)})`,
      'except OSError:',
      '    pass',
      `print(_pm_hash(${pyStr(target)}))`,
      `s = uos.statvfs(${pyStr(parentDir(target))})`,
      'print(s[1] * s[4], s[1] * s[2], s[1])',
    ].join('\n'),
    execOptions({ timeoutMs: hashTimeoutMs(bytes.length), context: `checking ${target} on the board` }),
  );
  const [hashLine, spaceLine] = outputLines(survey).slice(-2);
  const existing = parseHashLine(hashLine);
  if (existing === 'dir') throw new UsageError(`${target} on the board is a folder.`, 'Pick a file path on the board.');
  const space = parseSpaceLine(spaceLine);
  if (existing !== 'missing' && existing.size === expected.size && existing.sha256 === expected.sha256) {
    onProgress?.(bytes.length, bytes.length);
    return { skipped: true, remotePath: target, bytes: bytes.length, sha256: expected.sha256, attempts: 0, elapsedMs: performance.now() - startedMs };
  }
  const block = Math.max(1, space.blockBytes);
  const neededBytes = (Math.ceil(bytes.length / block) + FS_OVERHEAD_BLOCKS) * block;
  if (space.freeBytes < neededBytes) {
    throw new FlashSpaceError(target, neededBytes, space.freeBytes, existing === 'missing' ? undefined : existing.size);
  }

  let actual: RemoteFileHash | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const scheme = await writePart(repl, part, bytes, options, execOptions).catch((error: unknown): PushScheme => {
      // The push writes only the .part: a cancel leaves the target as it was.
      if (error instanceof OperationAbortedError) {
        throw new OperationAbortedError(error, `${target} on the board is unchanged; the next push removes the partial copy (${part}) and starts over.`);
      }
      // A board that stopped acknowledging, its loop stopped and its REPL back: one byte lost
      // on the line (data or acknowledgement) should not cost the file. The hash below says
      // whether the .part is whole; when it is not, the second attempt writes it again.
      if (error instanceof BoardCodeTimeoutError && attempt === 1 && repl.state === 'raw') return 'streamed';
      throw error;
    });
    const verified = await repl.execOrThrow(
      `${PART_HANDLE}.close()\n${HASH_FUNCTION}\nprint(_pm_hash(${pyStr(part)}))`,
      execOptions({ timeoutMs: hashTimeoutMs(bytes.length), context: `verifying ${part}` }),
    );
    const parsed = parseHashLine(outputLines(verified).at(-1));
    actual = typeof parsed === 'object' ? parsed : undefined;
    if (actual && actual.size === expected.size && actual.sha256 === expected.sha256) {
      await repl.execOrThrow(
        [
          'import uos',
          'try:',
          `    uos.rename(${pyStr(part)}, ${pyStr(target)})`,
          'except OSError:',
          // FAT refuses to rename over an existing file; the verified .part is kept until then.
          `    uos.remove(${pyStr(target)})`,
          `    uos.rename(${pyStr(part)}, ${pyStr(target)})`,
        ].join('\n'),
        execOptions({ context: `renaming ${part} to ${target}` }),
      );
      return { skipped: false, remotePath: target, bytes: bytes.length, sha256: expected.sha256, attempts: attempt, scheme, elapsedMs: performance.now() - startedMs };
    }
  }
  throw new PushVerifyError(target, expected, actual);
}

/** Fills the .part by the streamed loop, or exec by exec where the loop cannot start; gives /flash back after ENOSPC. */
async function writePart(repl: RawRepl, part: string, bytes: Uint8Array, options: PushFileOptions, execOptions: ExecOptionsFor): Promise<PushScheme> {
  const { signal, onProgress } = options;
  try {
    const streamed = await streamToPart(repl, part, bytes, {
      ...(options.chunkBytes !== undefined ? { chunkBytes: options.chunkBytes } : {}),
      ...(options.windowBytes !== undefined ? { windowBytes: options.windowBytes } : {}),
      ...(options.chunkWorkTimeoutMs !== undefined ? { chunkWorkTimeoutMs: options.chunkWorkTimeoutMs } : {}),
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    if (streamed.isWritten) return 'streamed';
    await writePartByExecs(repl, part, bytes, execOptions, onProgress);
    return 'exec-per-chunk';
  } catch (error) {
    if (error instanceof BoardExecError && error.reason === 'no-space' && !signal?.aborted) {
      // Something else filled /flash since the check: give the space back; the target was never touched.
      await repl.exec(`try:\n    ${PART_HANDLE}.close()\n    import uos\n    uos.remove(${pyStr(part)})\nexcept OSError:\n    pass`, execOptions()).catch(() => undefined);
    }
    throw error;
  }
}
