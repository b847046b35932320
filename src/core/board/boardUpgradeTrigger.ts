import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ModemToolError, OperationAbortedError, ReadTimeoutError, UsageError } from '../errors';
import type { ByteTransport, Framer } from '../transport/byteTransport';
import { untilBytes } from '../transport/framers';
import { Deadline } from '../time/deadline';
import type { RawRepl } from '../repl/rawRepl';
import { BoardExecError } from '../repl/replOutput';
import { pyStr } from '../repl/pythonQuote';
import { pushFile, type PushResult } from './boardFiles';
import type { WaitInfo } from '../engine/upgradeEvents';
import { normalMsFor, WAIT_PHASES } from '../engine/upgradeTimeouts';
import { firstUpdaterFailure, type UpdaterMessageId } from '../parse/updaterMessages';
import { MIRROR_LINE } from '../transport/pycomLines';

/**
 * The board half of a UART upgrade (PROTOCOL.md section 1): run the firmware's
 * `sqnsupgrade.uart(...)` in the raw REPL, pass on every line it prints, and when it
 * announces mirror mode switch the SAME open port to 921600 8N1 without flow control.
 * The port is never closed here: a close/reopen would give another program the chance
 * to grab it, and the board has no REPL to go back to (mirror mode has no exit).
 *
 * Raw REPL rather than the friendly one: after `OK` every byte is the program's
 * output (no echo of the command, no prompts), and `\x04` marks the end if the
 * updater returns or raises instead of mirroring.
 */

export { MIRROR_LINE } from '../transport/pycomLines';
export const DEFAULT_UPDATER_REMOTE_PATH = '/flash/updater.elf';
/**
 * The normal method: the board's updater wakes the modem (the published 10 AT probes of
 * ~21 s, PROTOCOL.md §9) and switches speed before it mirrors.
 */
export const TRIGGER_TIMEOUT_MS = 300_000;
/**
 * The recovery (FFH) method: before it mirrors, the board's updater may rewrite the
 * modem's bootrom and load updater.elf into it, then waits as the published updater
 * does: 10 probes (~3.5 min), after the load 100 probes (~35 min), AT+SMSWBOOT? up to
 * 300 s. A power cut during the bootrom write can brick the modem, so the budget covers
 * all of it.
 */
export const TRIGGER_FFH_TIMEOUT_MS = 45 * 60_000;
/** How often a trigger that prints nothing is reported as a wait still going on. */
export const TRIGGER_WAIT_REPORT_MS = 10_000;

const MIRROR_MARKER = 'Going into MIRROR mode';
const FFH_IGNORED_MARKER = 'FFH mode is not necessary';

export interface TriggerOptions {
  /** Recovery (FFH) method: needs updater.elf on /flash. */
  ffh: boolean;
  /** Where updater.elf is on the board (default /flash/updater.elf); used only with ffh. */
  updaterRemotePath?: string;
  signal?: AbortSignal;
  /** Every line the board prints, as it prints it. */
  onLine?: (line: string) => void;
  /** The updater's `debug=True`: it prints its AT exchanges, which go into the transcript. */
  debug?: boolean;
  /** Budget until the mirror line (default TRIGGER_TIMEOUT_MS, with ffh TRIGGER_FFH_TIMEOUT_MS). */
  timeoutMs?: number;
  /** The trigger as a long wait, when it starts and every waitReportIntervalMs until it ends. */
  onWaiting?: (wait: WaitInfo) => void;
  /** Default TRIGGER_WAIT_REPORT_MS. */
  waitReportIntervalMs?: number;
}

export interface TriggerResult {
  /** The board said FFH was not necessary and ran the normal method: updater.elf is not needed. */
  ffhIgnored: boolean;
  /** The same handle, now at 921600, bridged to the modem. */
  transport: ByteTransport;
  /** Everything the board printed. */
  lines: string[];
  /** The updater's version from its welcome line, e.g. '1.2.7'. */
  updaterVersion?: string;
}

/** `import sqnsupgrade` failed: firmware before 1.20 does not freeze it. */
export class SqnsupgradeMissingError extends ModemToolError {
  readonly code = 'sqnsupgrade-missing';
  constructor(readonly release: string | undefined) {
    super(
      `The board${release ? ` (firmware ${release})` : ''} has no sqnsupgrade module: Pycom firmware before 1.20 does not include it.`,
      'Update the board firmware to 1.20 or later with the Pycom firmware updater, or copy the sqnsupgrade .py files to /flash, then retry.',
      { actions: [{ kind: 'run-command', command: 'board-push-module' }] },
    );
  }
}

/**
 * Where the board is after its updater stopped, from what it printed: 'repl' when the
 * updater returned or raised (the raw REPL's end marker arrived), 'mirror' once the MIRROR
 * line was printed, 'unknown' when it went quiet (it may still be working).
 */
export type BoardStateAfterTrigger = 'repl' | 'mirror' | 'unknown';

/** The updater on the board stopped without entering mirror mode. */
export class TriggerFailedError extends ModemToolError {
  readonly code: string = 'trigger-failed';
  readonly boardState: BoardStateAfterTrigger;
  /** The updater's own message that says why, when it printed one (updaterMessages.ts). */
  readonly updaterMessage?: UpdaterMessageId;
  constructor(
    message: string,
    action: string,
    readonly lines: string[],
    options?: { cause?: unknown; boardState?: BoardStateAfterTrigger; updaterMessage?: UpdaterMessageId },
  ) {
    super(message, action, options);
    this.boardState = options?.boardState ?? 'unknown';
    if (options?.updaterMessage) this.updaterMessage = options.updaterMessage;
  }
}

type TriggerChunk = { kind: 'line'; text: string } | { kind: 'mirror'; text: string; isComplete: boolean } | { kind: 'ended' };

/** The rest of the mirror announcement at 115200 takes milliseconds; a board that switched speed early never sends it. */
const MIRROR_LINE_END_TIMEOUT_MS = 500;

/**
 * Lets the announcement's line end arrive at 115200 before the host changes speed, so
 * the tail does not turn into garbage at 921600. Bounded: the board may switch first.
 */
async function awaitLineEnd(io: ByteTransport, signal: AbortSignal | undefined): Promise<void> {
  try {
    await io.read(untilBytes('\n', 'the end of the mirror announcement'), {
      deadline: Deadline.in(MIRROR_LINE_END_TIMEOUT_MS, 'the end of the mirror announcement'),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (!(error instanceof ReadTimeoutError)) throw error;
  }
}

/**
 * One line of the updater's output; or, as soon as the mirror announcement appears,
 * what has come of it (the board may switch its UART before the line end is out);
 * or the \x04 that ends stdout when the updater returned.
 */
const triggerOutputFramer: Framer<TriggerChunk> = {
  description: "the board updater's next line",
  frame(pending) {
    const newline = pending.indexOf(0x0a);
    const end = pending.indexOf(0x04);
    if (end !== -1 && (newline === -1 || end < newline)) {
      if (end > 0) return { value: { kind: 'line', text: decodeLine(pending.subarray(0, end)) }, consumed: end };
      return { value: { kind: 'ended' }, consumed: 1 };
    }
    if (newline !== -1) {
      const text = decodeLine(pending.subarray(0, newline));
      const value: TriggerChunk = text.includes(MIRROR_MARKER) ? { kind: 'mirror', text, isComplete: true } : { kind: 'line', text };
      return { value, consumed: newline + 1 };
    }
    const partial = decodeLine(pending);
    if (partial.includes(MIRROR_MARKER)) return { value: { kind: 'mirror', text: partial, isComplete: false }, consumed: pending.length };
    return undefined;
  },
};

function formatWaited(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}

function decodeLine(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes).replace(/\r$/, '');
}

/** Checks that sqnsupgrade can be imported, with a typed error when it cannot. */
export async function checkSqnsupgrade(repl: RawRepl, options: { signal?: AbortSignal; release?: string } = {}): Promise<void> {
  try {
    await repl.execOrThrow('import sqnsupgrade', { ...(options.signal ? { signal: options.signal } : {}), context: 'importing sqnsupgrade' });
  } catch (error) {
    if (error instanceof BoardExecError && error.reason === 'import') throw new SqnsupgradeMissingError(options.release);
    throw error;
  }
}

/** The firmware's `uart(ffh_mode=False, mfile=None, color, verbose, debug, hangup)` call, arguments by name. */
export function updaterCall(options: Pick<TriggerOptions, 'ffh' | 'updaterRemotePath' | 'debug'>): string {
  const args = [
    ...(options.ffh ? ['ffh_mode=True', `mfile=${pyStr(options.updaterRemotePath ?? DEFAULT_UPDATER_REMOTE_PATH)}`] : []),
    ...(options.debug ? ['debug=True'] : []),
  ];
  return `sqnsupgrade.uart(${args.join(', ')})`;
}

/**
 * Starts the updater on the board and hands the port over in mirror mode. Resolves
 * with the same transport at 921600 once the board announced mirror mode. The board
 * prints nothing for minutes while its updater works: the wait is reported as it lasts.
 */
export async function triggerMirrorMode(io: ByteTransport, repl: RawRepl, options: TriggerOptions): Promise<TriggerResult> {
  const budgetMs = triggerBudgetMs(options);
  if (!options.onWaiting) return runTrigger(io, repl, { ...options, timeoutMs: budgetMs });
  const phase = WAIT_PHASES[options.ffh ? 'board-trigger-ffh' : 'board-trigger'];
  const defaultMs = options.ffh ? TRIGGER_FFH_TIMEOUT_MS : TRIGGER_TIMEOUT_MS;
  const figures = { what: phase.what, normalMs: normalMsFor(phase, budgetMs, defaultMs), budgetMs, isSafeToInterrupt: phase.isSafeToInterrupt };
  const startedMs = performance.now();
  const onWaiting = options.onWaiting;
  const report = () => onWaiting({ ...figures, elapsedMs: Math.round(performance.now() - startedMs) });
  report();
  const timer = setInterval(report, Math.max(1, options.waitReportIntervalMs ?? TRIGGER_WAIT_REPORT_MS));
  timer.unref?.();
  try {
    return await runTrigger(io, repl, { ...options, timeoutMs: budgetMs });
  } finally {
    clearInterval(timer);
  }
}

function triggerBudgetMs(options: Pick<TriggerOptions, 'ffh' | 'timeoutMs'>): number {
  return options.timeoutMs ?? (options.ffh ? TRIGGER_FFH_TIMEOUT_MS : TRIGGER_TIMEOUT_MS);
}

async function runTrigger(io: ByteTransport, repl: RawRepl, options: TriggerOptions): Promise<TriggerResult> {
  const { signal, onLine } = options;
  await checkSqnsupgrade(repl, signal ? { signal } : {});
  const call = updaterCall(options);
  const deadline = Deadline.in(triggerBudgetMs(options), 'the board to enter mirror mode');
  await repl.start(`import sqnsupgrade\n${call}`, { ...(signal ? { signal } : {}), deadline });

  const lines: string[] = [];
  let ffhIgnored = false;
  let updaterVersion: string | undefined;
  const report = (text: string) => {
    lines.push(text);
    if (text.includes(FFH_IGNORED_MARKER)) ffhIgnored = true;
    updaterVersion ??= /firmware updater \[([\d.]+)\]/.exec(text)?.[1];
    onLine?.(text);
  };
  for (;;) {
    let chunk: TriggerChunk;
    try {
      chunk = await io.read(triggerOutputFramer, { deadline, signal });
    } catch (error) {
      if (error instanceof ReadTimeoutError) {
        throw new TriggerFailedError(
          `The board did not reach mirror mode within ${formatWaited(error.waitedMs)}${lines.length ? ` (last line: "${lines.at(-1)}")` : ''}.`,
          // Reached only once the whole budget ran out: with ffh it covers a bootrom write
          // and the published updater's own waits, so a power cycle no longer cuts one short.
          options.ffh
            ? `The board's updater worked for ${formatWaited(error.waitedMs)} without mirroring, longer than the published updater waits for a bootrom write and updater.elf. ` +
                'Only now power-cycle the board (unplug it), then retry the recovery method with updater.elf; if it stops at the same line again, read the modem crash dump.'
            : 'Power-cycle the board (unplug it), then retry; if the updater stops at "Attempting AT wakeup...", the modem does not answer: try the recovery method with updater.elf.',
          lines,
          { cause: error },
        );
      }
      if (error instanceof OperationAbortedError) repl.detach();
      throw error;
    }
    if (chunk.kind === 'line') {
      report(chunk.text);
      continue;
    }
    if (chunk.kind === 'mirror') {
      report(chunk.text);
      if (!chunk.isComplete) await awaitLineEnd(io, signal);
      break;
    }
    // The updater returned or raised: the REPL is still there.
    const stderr = await io.read(untilBytes('\x04>', 'the end of the traceback'), { deadline, signal });
    const traceback = new TextDecoder().decode(stderr.subarray(0, stderr.length - 2));
    throw updaterEnded(traceback, lines);
  }
  // From here the board's REPL is gone: UART0 is bridged to the modem at 921600.
  repl.detach();
  await io.update(MIRROR_LINE);
  // The tail of the announcement and anything the board sent while switching speeds.
  io.drain();
  return { ffhIgnored, transport: io, lines, ...(updaterVersion ? { updaterVersion } : {}) };
}

function updaterEnded(traceback: string, lines: string[]): ModemToolError {
  // The end marker arrived: whatever the updater said, the board is back at its REPL.
  const atRepl = { boardState: 'repl' as const };
  const said = firstUpdaterFailure([...lines, ...traceback.split(/\r?\n/)]);
  const cause = traceback.trim() === '' ? undefined : BoardExecError.fromStderr(traceback, { context: 'the updater on the board' });
  if (said) {
    return new TriggerFailedError(
      `The updater on the board stopped: "${said.line.trim()}" (${said.message.title.replace(/^The /, 'the ')}).`,
      said.message.action,
      lines,
      { ...atRepl, updaterMessage: said.message.id, ...(cause ? { cause } : {}) },
    );
  }
  if (!cause) {
    return new TriggerFailedError(
      'The updater on the board finished without entering mirror mode; the board is back at its REPL.',
      'Read the board output above for the reason, fix it and run the upgrade again.',
      lines,
      atRepl,
    );
  }
  const missingFile = lines.find((line) => /not found/i.test(line));
  if (missingFile) {
    return new TriggerFailedError(
      `The updater on the board stopped: ${missingFile}`,
      'Copy updater.elf to /flash (give updater.elf with the firmware), then run the upgrade again.',
      lines,
      { ...atRepl, cause },
    );
  }
  return new TriggerFailedError(`The updater on the board stopped: ${cause.message}.`, cause.action, lines, { ...atRepl, cause });
}

/**
 * Copies the .py/.mpy files of a folder the user supplies (the sqnsupgrade module for
 * firmware before 1.20) to /flash. The project ships none of them.
 */
export async function pushModuleFolder(
  repl: RawRepl,
  folder: string,
  options: { signal?: AbortSignal; remoteDir?: string; onFile?: (name: string, result: PushResult) => void } = {},
): Promise<PushResult[]> {
  const names = (await readdir(folder)).filter((name) => /\.(py|mpy)$/.test(name)).sort();
  if (names.length === 0) {
    throw new UsageError(`${folder} holds no .py or .mpy files.`, 'Point at the folder that contains sqnsupgrade.py and its helper modules.');
  }
  const results: PushResult[] = [];
  for (const name of names) {
    const result = await pushFile(repl, {
      localPath: join(folder, name),
      remotePath: `${options.remoteDir ?? '/flash'}/${name}`,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    options.onFile?.(name, result);
    results.push(result);
  }
  return results;
}
