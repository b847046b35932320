import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { evidenceFromEvents } from '../diagnosis/evidence';
import type { ModemState } from '../parse/modemVersion';
import type { UpgradeEvent, UpgradePath } from './upgradeEvents';
import type { RunCommandAction } from '../userActions';

/**
 * What the last upgrade attempt used, so an interrupted one (cancelled, cable pulled,
 * tool closed) can be continued with the same files: the next run finds the modem in
 * state 4 or 0 and says which files to give. Written when an attempt starts (a closed
 * tool leaves `outcome: 'running'`) and again when it ends.
 */
export interface LastAttempt {
  portPath: string;
  /** Absolute paths, in the order given. */
  files: string[];
  updaterPath?: string;
  /** ISO time the attempt started. */
  startedAt: string;
  outcome: 'running' | 'success' | 'failed' | 'cancelled';
  path?: UpgradePath;
  /** AT+SMOD? after the failure, when it could be read. */
  modemStateAfter?: ModemState;
  resumeHint?: string;
  transcriptPath?: string;
}

export const LAST_ATTEMPT_FILE = 'last-attempt.json';

export function lastAttemptPath(dir: string): string {
  return join(dir, LAST_ATTEMPT_FILE);
}

/** Several boards upgraded at once keep a record each, in this folder beside last-attempt.json. */
export const LAST_ATTEMPTS_FOLDER = 'last-attempts';

/** The record of one port: its path made a file name. */
export function portAttemptPath(dir: string, portPath: string): string {
  return join(dir, LAST_ATTEMPTS_FOLDER, `${portPath.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

/**
 * The last attempt: with a port, that port's own record first (a board of a fleet), else
 * the newest one of any port, since a board unplugged and plugged back in may come back
 * under another name. Undefined when there is none or it is not one of ours (never
 * throws: a stale file must not stop an upgrade).
 */
export async function readLastAttempt(dir: string, portPath?: string): Promise<LastAttempt | undefined> {
  if (portPath !== undefined) {
    const own = await readRecord(portAttemptPath(dir, portPath));
    if (own?.portPath === portPath) return own;
  }
  return readRecord(lastAttemptPath(dir));
}

async function readRecord(path: string): Promise<LastAttempt | undefined> {
  try {
    return parseLastAttempt(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return undefined;
  }
}

export function parseLastAttempt(value: unknown): LastAttempt | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const isText = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length < 4096;
  if (!isText(v.portPath) || !Array.isArray(v.files) || v.files.length === 0 || !v.files.every(isText) || !isText(v.startedAt)) return undefined;
  if (!['running', 'success', 'failed', 'cancelled'].includes(String(v.outcome))) return undefined;
  const state = v.modemStateAfter;
  return {
    portPath: v.portPath,
    files: [...v.files],
    ...(isText(v.updaterPath) ? { updaterPath: v.updaterPath } : {}),
    startedAt: v.startedAt,
    outcome: v.outcome as LastAttempt['outcome'],
    ...(isText(v.path) && ['on-the-fly', 'fff', 'recovery', 'resume'].includes(v.path) ? { path: v.path as UpgradePath } : {}),
    ...(state === 0 || state === 1 || state === 2 || state === 4 ? { modemStateAfter: state } : {}),
    ...(isText(v.resumeHint) ? { resumeHint: v.resumeHint } : {}),
    ...(isText(v.transcriptPath) ? { transcriptPath: v.transcriptPath } : {}),
  };
}

/**
 * The port's own record, and (unless `isNewest` is false: boards of a fleet end in any
 * order) the newest one. Written beside, then renamed: a tool killed mid-write leaves the
 * old record, not half a new one.
 */
export async function writeLastAttempt(dir: string, attempt: LastAttempt, options: { isNewest?: boolean } = {}): Promise<void> {
  await writeRecord(portAttemptPath(dir, attempt.portPath), attempt);
  if (options.isNewest !== false) await writeRecord(lastAttemptPath(dir), attempt);
}

async function writeRecord(path: string, attempt: LastAttempt): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(attempt, null, 2)}\n`, 'utf8');
  await rename(temporary, path);
}

export function newAttempt(portPath: string, files: readonly string[], updaterPath: string | undefined, now: Date = new Date()): LastAttempt {
  return {
    portPath,
    files: files.map((file) => resolve(file)),
    ...(updaterPath ? { updaterPath: resolve(updaterPath) } : {}),
    startedAt: now.toISOString(),
    outcome: 'running',
  };
}

/**
 * `attempt` once it ended, from the session's events: the result's outcome, hint and
 * transcript, the plan's path, and the modem state read after a failure. Every front end
 * records an attempt this way (the CLI's upgrade and board upgrade, the extension).
 */
export function finishedAttempt(attempt: LastAttempt, events: readonly UpgradeEvent[]): LastAttempt {
  const lastOf = <K extends UpgradeEvent['kind']>(kind: K) =>
    [...events].reverse().find((e): e is Extract<UpgradeEvent, { kind: K }> => e.kind === kind);
  const result = lastOf('result');
  const plan = lastOf('plan');
  const stateAfter = evidenceFromEvents(events).modemStateAfter;
  return {
    ...attempt,
    outcome: result?.outcome ?? 'failed',
    ...(plan ? { path: plan.path } : {}),
    ...(stateAfter !== undefined ? { modemStateAfter: stateAfter } : {}),
    ...(result?.resumeHint ? { resumeHint: result.resumeHint } : {}),
    ...(result?.transcriptPath ? { transcriptPath: result.transcriptPath } : {}),
  };
}

/** Whether a modem found in `state` is where `attempt` left it: an interrupted upgrade to continue. */
export function isInterruptedAttempt(attempt: LastAttempt | undefined): boolean {
  return attempt !== undefined && attempt.outcome !== 'success';
}

/**
 * The upgrade that continues `attempt`, for a front end to spell out (the CLI as a
 * command line). A modem in upgrade mode (4) resumes without updater.elf; one in its
 * bootrom (0) needs it: when the attempt had none, it names `updater.elf` for the user to supply.
 */
export function continueAction(attempt: LastAttempt, portPath: string = attempt.portPath, state?: ModemState): RunCommandAction {
  const updater = state === 4 ? undefined : (attempt.updaterPath ?? (state === 0 ? 'updater.elf' : undefined));
  return { kind: 'run-command', command: 'upgrade', port: portPath, files: [...attempt.files], ...(updater ? { updater } : {}) };
}
