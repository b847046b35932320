import type { ExecOptions, RawRepl } from '../repl/rawRepl';
import { outputLines } from '../repl/replOutput';
import { pyStr } from '../repl/pythonQuote';
import { BoardReplyError, listDir, toRemotePath, type RemoteEntry } from './boardFiles';

/**
 * The files the on-board methods read (PROTOCOL.md §9): firmware and updater.elf on the
 * board's SD card (`/sd`) or on `/flash`. Pycom's updater mounts the card itself when a
 * path is absolute and not under /flash; the listing here does the same, so the card is
 * mounted afterwards (as it is after the updater ran).
 */

export const SD_MOUNT = '/sd';
export const FLASH_ROOT = '/flash';

/** `.dup` firmware and `updater.elf`: what an upgrade can read from the board. */
export function isUpgradeFileName(name: string): boolean {
  return /\.(dup|elf)$/i.test(name);
}

/** The updater's rule: an absolute path that is not under /flash is read from the SD card. */
export function isSdCardPath(path: string): boolean {
  const remote = toRemotePath(path);
  return remote !== FLASH_ROOT && !remote.startsWith(`${FLASH_ROOT}/`);
}

/** Board code: mounts the card at /sd unless it is mounted; prints True when /sd is there. */
const MOUNT_SD = [
  'import uos',
  "if 'sd' not in uos.listdir('/'):",
  '    try:',
  '        from machine import SD',
  `        uos.mount(SD(), ${pyStr(SD_MOUNT)})`,
  '    except Exception:',
  '        pass',
  "print('sd' in uos.listdir('/'))",
].join('\n');

/** Mounts the board's SD card at /sd as the updater would; false when there is no card (or it cannot be read). */
export async function mountSdCard(repl: RawRepl, options: ExecOptions = {}): Promise<boolean> {
  const stdout = await repl.execOrThrow(MOUNT_SD, { ...options, context: 'mounting the SD card' });
  const answer = outputLines(stdout).at(-1)?.trim();
  if (answer !== 'True' && answer !== 'False') throw new BoardReplyError('True or False', answer ?? '');
  return answer === 'True';
}

/** What the board holds for an upgrade: `.dup` and `.elf` files on /flash and on the card. */
export interface UpgradeFilesOnBoard {
  flash: RemoteEntry[];
  /** Undefined when there is no SD card. */
  sd?: RemoteEntry[];
}

/** Lists the `.dup` and `.elf` files on /flash and on the SD card (mounting it), for a front end's picker and preflight. */
export async function listUpgradeFilesOnBoard(repl: RawRepl, options: ExecOptions = {}): Promise<UpgradeFilesOnBoard> {
  const pick = (entries: RemoteEntry[]) => entries.filter((entry) => !entry.isDir && isUpgradeFileName(entry.name));
  const flash = pick(await listDir(repl, FLASH_ROOT, options));
  if (!(await mountSdCard(repl, options))) return { flash };
  return { flash, sd: pick(await listDir(repl, SD_MOUNT, options)) };
}

/** A board file as the on-board upgrade finds it. */
export type BoardFileLookup = { kind: 'found'; path: string; size: number } | { kind: 'missing'; path: string } | { kind: 'no-card'; path: string };

/** Finds a file on /flash or (mounting the card) on /sd; a folder counts as missing. */
export async function lookUpBoardFile(repl: RawRepl, path: string, options: ExecOptions = {}): Promise<BoardFileLookup> {
  const remote = toRemotePath(path);
  if (isSdCardPath(remote) && !(await mountSdCard(repl, options))) return { kind: 'no-card', path: remote };
  const stdout = await repl.execOrThrow(
    ['import uos', 'try:', `    _pm_s = uos.stat(${pyStr(remote)})`, "    print('dir' if _pm_s[0] & 0x4000 else _pm_s[6])", 'except OSError:', "    print('-')"].join('\n'),
    { ...options, context: `looking for ${remote}` },
  );
  const answer = outputLines(stdout).at(-1)?.trim() ?? '';
  if (answer === '-' || answer === 'dir') return { kind: 'missing', path: remote };
  if (!/^\d+$/.test(answer)) throw new BoardReplyError('a file size', answer);
  return { kind: 'found', path: remote, size: Number(answer) };
}
