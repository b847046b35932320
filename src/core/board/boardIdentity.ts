import type { ExecOptions, RawRepl } from '../repl/rawRepl';
import { outputLines } from '../repl/replOutput';
import { BoardReplyError } from './boardFiles';

/** The Pycom boards with a Sequans LTE modem (PROTOCOL.md section 7). */
export const LTE_BOARDS = ['GPy', 'FiPy', 'G01'] as const;
export type LteBoardModel = (typeof LTE_BOARDS)[number];

export interface BoardUname {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
}

export interface BoardIdentity {
  /** 'GPy' | 'FiPy' | 'G01', or what the board calls itself ('LoPy4', 'WiPy', ...). */
  machine: LteBoardModel | string;
  /** Pycom firmware release, e.g. '1.20.2.r6'. */
  release: string;
  hasLteModem: boolean;
  /** `import sqnsupgrade` works (frozen from firmware 1.20, or .py files on /flash). */
  hasSqnsupgrade: boolean;
  flashFreeBytes: number;
  flashTotalBytes: number;
  uname: BoardUname;
}

/**
 * Board code printing one `key<TAB>value` line per fact: values are plain ASCII on
 * every known firmware, and tab-separated lines parse without a Python literal parser.
 */
const IDENTIFY_CODE = [
  'import uos',
  '_pm_u = uos.uname()',
  "for _pm_k in ('sysname', 'nodename', 'release', 'version', 'machine'):",
  "    print(_pm_k + '\\t' + str(getattr(_pm_u, _pm_k)))",
  'try:',
  '    import sqnsupgrade',
  "    print('sqnsupgrade\\t1')",
  'except ImportError:',
  "    print('sqnsupgrade\\t0')",
  "_pm_s = uos.statvfs('/flash')",
  "print('flash\\t' + str(_pm_s[1] * _pm_s[4]) + ' ' + str(_pm_s[1] * _pm_s[2]))",
].join('\n');

/** 'GPy' from sysname 'GPy' or machine 'GPy with ESP32'; the first word otherwise. */
export function boardModelFrom(uname: Pick<BoardUname, 'sysname' | 'machine'>): string {
  for (const candidate of [uname.sysname, uname.machine.split(' ')[0] ?? '']) {
    const known = LTE_BOARDS.find((model) => model.toLowerCase() === candidate.trim().toLowerCase());
    if (known) return known;
  }
  return uname.sysname.trim() || uname.machine.split(' ')[0] || 'unknown';
}

export function parseIdentityOutput(stdout: string): BoardIdentity {
  const facts = new Map<string, string>();
  for (const line of outputLines(stdout)) {
    const tab = line.indexOf('\t');
    if (tab > 0) facts.set(line.slice(0, tab), line.slice(tab + 1));
  }
  const need = (key: string): string => {
    const value = facts.get(key);
    if (value === undefined) throw new BoardReplyError(`the board's ${key}`, stdout);
    return value;
  };
  const uname: BoardUname = {
    sysname: need('sysname'),
    nodename: need('nodename'),
    release: need('release'),
    version: need('version'),
    machine: need('machine'),
  };
  const flash = /^(\d+) (\d+)$/.exec(need('flash'));
  if (!flash) throw new BoardReplyError('free and total bytes of /flash', need('flash'));
  const machine = boardModelFrom(uname);
  return {
    machine,
    release: uname.release,
    hasLteModem: (LTE_BOARDS as readonly string[]).includes(machine),
    hasSqnsupgrade: need('sqnsupgrade') === '1',
    flashFreeBytes: Number(flash[1]),
    flashTotalBytes: Number(flash[2]),
    uname,
  };
}

/** What board this is, which firmware, whether it has the LTE modem and the updater module, and room on /flash. */
export async function identifyBoard(repl: RawRepl, options: ExecOptions = {}): Promise<BoardIdentity> {
  const stdout = await repl.execOrThrow(IDENTIFY_CODE, { ...options, context: 'identifying the board' });
  return parseIdentityOutput(stdout);
}
