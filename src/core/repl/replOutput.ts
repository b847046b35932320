import { ModemToolError } from '../errors';
import { REPORT_BUG, type UserAction } from '../userActions';

/**
 * What the board's raw REPL gives back, turned into values: stdout lines, and a
 * traceback turned into a typed error with a reason a program can act on.
 */

/** Why board code failed, for callers that react differently (ENOSPC vs. a missing file). */
export type BoardFailureReason =
  | 'no-space'
  | 'not-found'
  | 'exists'
  | 'io'
  | 'memory'
  | 'import'
  | 'syntax'
  | 'interrupted'
  | 'other';

export interface ParsedTraceback {
  exceptionType: string;
  /** The text after `Type: ` on the last line (may be empty). */
  message: string;
  /** The whole traceback as the board printed it, line ends normalised to \n. */
  traceback: string;
  /** For OSError: the errno number when the board printed one. */
  errno?: number;
  reason: BoardFailureReason;
}

/** errno names as MicroPython prints them (`[Errno 28] ENOSPC`); numbers for boards that print only `OSError: 28`. */
const ERRNO_REASONS: Record<string, BoardFailureReason> = {
  ENOSPC: 'no-space',
  ENOENT: 'not-found',
  EEXIST: 'exists',
  EIO: 'io',
  ENOMEM: 'memory',
};
const ERRNO_NUMBERS: Record<number, string> = { 2: 'ENOENT', 5: 'EIO', 12: 'ENOMEM', 17: 'EEXIST', 28: 'ENOSPC' };

function reasonFor(exceptionType: string, message: string): { reason: BoardFailureReason; errno?: number } {
  switch (exceptionType) {
    case 'MemoryError':
      return { reason: 'memory' };
    case 'ImportError':
    case 'ModuleNotFoundError':
      return { reason: 'import' };
    case 'SyntaxError':
    case 'IndentationError':
      return { reason: 'syntax' };
    case 'KeyboardInterrupt':
      return { reason: 'interrupted' };
    case 'OSError': {
      const numbered = /^\[Errno (\d+)\]\s*(\w+)?/.exec(message) ?? /^(\d+)\s*$/.exec(message);
      const errno = numbered ? Number(numbered[1]) : undefined;
      const name = numbered?.[2] ?? (errno !== undefined ? ERRNO_NUMBERS[errno] : undefined) ?? /\b(E[A-Z]+)\b/.exec(message)?.[1];
      const reason = (name && ERRNO_REASONS[name]) || 'other';
      return errno === undefined ? { reason } : { reason, errno };
    }
    default:
      return { reason: 'other' };
  }
}

/** Without its trailing \n run; by hand, as `/\n+$/` retries from every \n (quadratic on long runs). */
function trimTrailingNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x0a) end--;
  return text.slice(0, end);
}

/**
 * Reads a MicroPython traceback (what the raw REPL sends between the two \x04). Returns
 * undefined for empty stderr. The last line is `Type: message` or a bare `Type`.
 */
export function parseTraceback(stderr: string): ParsedTraceback | undefined {
  const traceback = trimTrailingNewlines(stderr.replace(/\r\n/g, '\n'));
  if (traceback.trim() === '') return undefined;
  const lines = traceback.split('\n');
  const last = lines[lines.length - 1]!.trim();
  const match = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/.exec(last);
  const exceptionType = match ? match[1]! : 'Error';
  const message = match ? (match[2] ?? '') : last;
  return { exceptionType, message, traceback, ...reasonFor(exceptionType, message) };
}

const ACTIONS: Record<BoardFailureReason, string> = {
  'no-space': 'Free space on /flash (delete files you no longer need), then retry.',
  'not-found': 'Check the path on the board (list its files), then retry.',
  exists: 'Remove or rename the existing file on the board, then retry.',
  io: 'The board reported a flash I/O error: reset the board and retry; if it persists, reformat /flash.',
  memory: 'The board ran out of RAM: reset it (so no program holds memory) and retry.',
  import: 'A module is missing on the board: update the board firmware or copy the module to /flash.',
  syntax: 'This is a bug in the tool (it sent code the board cannot parse): please report it.',
  interrupted: 'The board code was interrupted; run the command again.',
  other: 'Read the board error above; reset the board and retry.',
};

/** The steps ACTIONS name, for a front end to spell out. */
const ACTION_STEPS: Partial<Record<BoardFailureReason, UserAction[]>> = {
  'not-found': [{ kind: 'run-command', command: 'board-ls' }],
  syntax: [REPORT_BUG],
};

/** Board code raised: the exception as the board named it, and why in our terms. */
export class BoardExecError extends ModemToolError {
  readonly code = 'board-exec';
  readonly exceptionType: string;
  readonly boardMessage: string;
  readonly traceback: string;
  readonly reason: BoardFailureReason;
  readonly errno?: number;

  constructor(parsed: ParsedTraceback, options?: { action?: string; context?: string }) {
    const what = parsed.message ? `${parsed.exceptionType}: ${parsed.message}` : parsed.exceptionType;
    super(`${options?.context ? `${options.context}: ` : ''}the board raised ${what}`, options?.action ?? ACTIONS[parsed.reason], {
      ...(options?.action === undefined && ACTION_STEPS[parsed.reason] ? { actions: ACTION_STEPS[parsed.reason] } : {}),
    });
    this.exceptionType = parsed.exceptionType;
    this.boardMessage = parsed.message;
    this.traceback = parsed.traceback;
    this.reason = parsed.reason;
    if (parsed.errno !== undefined) this.errno = parsed.errno;
  }

  static fromStderr(stderr: string, options?: { action?: string; context?: string }): BoardExecError {
    return new BoardExecError(
      parseTraceback(stderr) ?? { exceptionType: 'Error', message: stderr.trim(), traceback: stderr, reason: 'other' },
      options,
    );
  }
}

/** Board output lines without their line ends; a trailing partial line is dropped. */
export function outputLines(stdout: string): string[] {
  const lines = stdout.replace(/\r\n/g, '\n').split('\n');
  lines.pop();
  return lines;
}

/**
 * Cuts a stream of text into lines as it arrives (the board ends lines with \r\n); keeps
 * the partial tail until its line end comes.
 */
export class LineAssembler {
  private partial = '';

  /** Feeds text; returns the lines it completed, without line ends. */
  push(text: string): string[] {
    this.partial += text;
    const lines: string[] = [];
    let at: number;
    while ((at = this.partial.indexOf('\n')) !== -1) {
      lines.push(this.partial.slice(0, at).replace(/\r$/, ''));
      this.partial = this.partial.slice(at + 1);
    }
    return lines;
  }

  /** The text after the last line end. */
  get pending(): string {
    return this.partial;
  }

  /** Takes the unterminated tail as a final line, if any. */
  flush(): string | undefined {
    const tail = this.partial.replace(/\r$/, '');
    this.partial = '';
    return tail === '' ? undefined : tail;
  }
}
