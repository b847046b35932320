import { ModemToolError, ReadTimeoutError } from '../errors';
import { REPORT_BUG, type UserAction } from '../userActions';

/** How talking to the board's REPL fails, apart from tracebacks (BoardExecError in replOutput.ts). */

/** The board did not answer Ctrl-C / Ctrl-A. */
export class BoardSilentError extends ModemToolError {
  readonly code = 'board-silent';
  constructor(
    readonly portPath: string,
    readonly waitedMs: number,
    /** Bytes that arrived but were no REPL prompt. */
    readonly strayByteCount: number,
  ) {
    super(
      `The board on ${portPath} did not enter its raw REPL` +
        (strayByteCount
          ? ` (it sent ${strayByteCount} bytes that were no REPL prompt: wrong baud rate, or the board is in mirror mode).`
          : ' (the line stayed silent).'),
      'Check the port is the board (not another device), close any terminal holding it, and press the board reset button; ' +
        'a board left in mirror mode needs a power-cycle (unplug, plug back).',
    );
  }
}

/** Board code ran past its budget (a loop, a stuck flash write). */
export class BoardCodeTimeoutError extends ReadTimeoutError {
  override readonly action = 'Press the board reset button and retry; if it repeats, report it as a bug.';
  override actions?: UserAction[] = [REPORT_BUG];
  constructor(
    cause: ReadTimeoutError,
    /** What the code printed before the deadline. */
    readonly partialStdout: string,
  ) {
    super(cause.label, cause.waitedMs, cause.lastBytes);
  }
}
