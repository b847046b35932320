import { basename } from 'node:path';
import { ModemToolError, OperationAbortedError, ReadTimeoutError } from '../errors';
import type { StepRunner, UnstampedEvent } from '../engine/stepRunner';
import type { ModemVersionReport } from '../parse/modemVersion';
import { firstUpdaterFailure, recogniseUpdaterLine, type UpdaterMessageId } from '../parse/updaterMessages';
import { parseProgressBar } from '../parse/updaterProgress';
import { pyStr } from '../repl/pythonQuote';
import type { RawRepl } from '../repl/rawRepl';
import { BoardExecError, LineAssembler } from '../repl/replOutput';
import type { OnBoardStanding } from './onBoardStanding';
import { OnBoardRunTracker } from './onBoardRunTracker';
import type { OnBoardTimeouts, OnBoardUpgradeRequest } from './onBoardUpgrade';

/**
 * The board's own `sqnsupgrade.run()`, called and watched from the host (onBoardUpgrade.ts):
 * its budget, its call, and its end read as success or as the updater's own reason, since
 * run() returns to the REPL either way and only its printed lines tell them apart.
 */

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
/**
 * The published updater's own waits around a transfer (PROTOCOL.md §9): 10 probes of ~21 s,
 * a reboot into its updater (300 s), updater.elf loading (minutes), 100 probes (~35 min)
 * while the modem writes, AT+SMUPGRADE? 300 s, AT+SMSWBOOT? 300 s, the boot of the new
 * firmware (300 s), and two stalls of up to ~10 min during the transfer.
 */
const RUN_WAITS_MS = 210 * SECOND_MS + 300 * SECOND_MS + 10 * MINUTE_MS + 35 * MINUTE_MS + 3 * 300 * SECOND_MS + 2 * 10 * MINUTE_MS;
/** The board sends at 921600 8N1 with STP around it: a conservative rate for the budget. */
const BOARD_TO_MODEM_BYTES_PER_S = 40_000;

/** The budget for the whole `sqnsupgrade.run()` of a file of `bytes`. */
export function onBoardRunBudgetMs(bytes: number): number {
  return RUN_WAITS_MS + (bytes / BOARD_TO_MODEM_BYTES_PER_S) * SECOND_MS;
}

/** The board's updater stopped with a message (or a traceback): the board is back at its REPL. */
export class OnBoardUpdaterError extends ModemToolError {
  readonly code = 'on-board-failed';
  /** Where the board is: run() returned, so its REPL. */
  readonly boardState = 'repl';
  readonly updaterMessage?: UpdaterMessageId;
  /** The line that said it, as printed. */
  readonly updaterLine?: string;
  constructor(
    message: string,
    action: string,
    readonly lines: string[],
    options: { cause?: unknown; updaterMessage?: UpdaterMessageId; updaterLine?: string } = {},
  ) {
    super(message, action, options.cause !== undefined ? { cause: options.cause } : undefined);
    if (options.updaterMessage) this.updaterMessage = options.updaterMessage;
    if (options.updaterLine) this.updaterLine = options.updaterLine;
  }
}

/** The call the board runs, arguments as Pycom's `run()` names them. */
export function onBoardCall(firmwarePath: string, options: { updaterPath?: string; loadFff?: boolean; debug?: boolean } = {}): string {
  const args = [
    pyStr(firmwarePath),
    ...(options.updaterPath ? [pyStr(options.updaterPath)] : []),
    ...(options.loadFff === false ? ['load_fff=False'] : []),
    ...(options.debug ? ['debug=True'] : []),
  ];
  return `sqnsupgrade.run(${args.join(', ')})`;
}

/**
 * `sqnsupgrade.run()` in the raw REPL: its lines as board output and as the run's steps,
 * until it returns. Resolves with the version block after success; throws the updater's
 * own reason otherwise.
 */
export async function runUpdater(
  repl: RawRepl,
  steps: StepRunner,
  emit: (event: UnstampedEvent) => void,
  request: OnBoardUpgradeRequest,
  options: { boardPath: string; bytes: number; timeouts: OnBoardTimeouts; signal: AbortSignal; onStanding: (standing: OnBoardStanding) => void },
): Promise<ModemVersionReport | undefined> {
  const defaultBudgetMs = onBoardRunBudgetMs(options.bytes);
  const budgetMs = options.timeouts.runMs ?? defaultBudgetMs * (options.timeouts.runScale ?? 1);
  // The waits' figures scale with a scaled budget (a fast simulator), never above the published ones.
  const scale = Math.min(1, budgetMs / defaultBudgetMs);
  const call = onBoardCall(options.boardPath, {
    ...(request.updaterPath ? { updaterPath: request.updaterPath } : {}),
    ...(request.loadFff !== undefined ? { loadFff: request.loadFff } : {}),
    ...(request.updaterDebug ? { debug: true } : {}),
  });
  const tracker = new OnBoardRunTracker(steps, emit, { name: basename(options.boardPath), bytes: options.bytes }, scale);
  const assembler = new LineAssembler();
  const take = (line: string) => {
    // A bar line a percent: the progress events carry it; the transcript keeps it as a debug line.
    if (parseProgressBar(line) !== undefined) emit({ kind: 'log', level: 'debug', message: `board: ${line}` });
    else emit({ kind: 'boardOutput', line });
    tracker.line(line);
    if (tracker.isModemWriting) options.onStanding('mayBeWriting');
  };
  tracker.start(call);
  const timer = setInterval(() => tracker.tick(), Math.max(1, options.timeouts.waitReportIntervalMs));
  timer.unref?.();
  let stderr: string;
  try {
    ({ stderr } = await repl.exec(`import sqnsupgrade\n${call}`, {
      signal: options.signal,
      timeoutMs: budgetMs,
      onStdout: (text) => assembler.push(text).forEach(take),
    }));
    const tail = assembler.flush();
    if (tail !== undefined) take(tail);
  } catch (error) {
    if (error instanceof OperationAbortedError) {
      // A cancel stops the host, not the board: its updater goes on (and may be sending).
      options.onStanding(tracker.sentFirmware ? 'mayBeWriting' : 'cancelledBeforeTransfer');
    }
    if (error instanceof ReadTimeoutError && !(error instanceof OperationAbortedError)) {
      options.onStanding(tracker.sentFirmware ? 'mayBeWriting' : 'stoppedBeforeTransfer');
      throw new OnBoardUpdaterError(
        `The board's updater did not finish within ${Math.round(budgetMs / MINUTE_MS)} min${tracker.lines.length ? ` (last line: "${tracker.lines.at(-1)}")` : ''}.`,
        tracker.sentFirmware
          ? "The modem may still be writing its flash: do not unplug the board yet. Leave it powered at least 15 more minutes, then power-cycle it and read the modem's info."
          : 'Power-cycle the board (unplug it, plug it back), start it in safe boot, and run the upgrade again.',
        tracker.lines,
        { cause: error },
      );
    }
    throw error;
  } finally {
    clearInterval(timer);
  }
  // run() returned: the board is at its REPL again, whatever it said.
  const said = firstUpdaterFailure([...tracker.lines, ...stderr.split(/\r?\n/)]);
  const succeeded = tracker.lines.some((line) => recogniseUpdaterLine(line)?.id === 'upgrade-succeeded');
  if (succeeded && !said) {
    const after = tracker.versionAfter();
    tracker.finish(after?.softwareBuild !== undefined ? `the modem reports build ${after.softwareBuild}` : undefined);
    return after;
  }
  options.onStanding(
    !tracker.sentFirmware ? 'stoppedBeforeTransfer' : said?.message.id === 'modem-rejected-image' ? 'rejected' : 'stoppedAfterTransfer',
  );
  if (said) {
    throw new OnBoardUpdaterError(
      `The board's updater stopped: "${said.line.trim()}" (${said.message.title.replace(/^The /, 'the ')}).`,
      said.message.action,
      tracker.lines,
      { updaterMessage: said.message.id, updaterLine: said.line.trim() },
    );
  }
  if (stderr.trim() !== '') {
    const cause = BoardExecError.fromStderr(stderr, { context: 'sqnsupgrade.run() on the board' });
    throw new OnBoardUpdaterError(`The board's updater stopped: ${cause.message}.`, cause.action, tracker.lines, { cause });
  }
  throw new OnBoardUpdaterError(
    "The board's updater returned without saying that the modem was upgraded.",
    "Read the board's output above for the reason, then read the modem's info to see which build it runs.",
    tracker.lines,
  );
}
