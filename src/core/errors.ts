import type { UserAction } from './userActions';

/**
 * Errors by cause. Each carries what a person needs: what happened (message), what to
 * do next (`action`), and for wire errors the bytes seen last, so no failure is reduced
 * to "failed".
 */
export abstract class ModemToolError extends Error {
  abstract readonly code: string;
  /** What the user should do next, in one or two sentences of plain words (no command lines or flags). */
  readonly action: string;
  /** The steps `action` names that a front end can spell out (a flag, a command line, a button). */
  actions?: UserAction[];
  /** Engine step in progress when it happened, filled in by the engine. */
  step?: string;

  constructor(message: string, action: string, options?: ModemToolErrorOptions) {
    super(message, options && 'cause' in options ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    this.action = action;
    if (options?.actions?.length) this.actions = options.actions;
  }
}

export interface ModemToolErrorOptions {
  cause?: unknown;
  actions?: UserAction[];
}

export class OperationAbortedError extends ModemToolError {
  readonly code = 'aborted';
  /** The port's owner asked the job to give way to another one: nobody cancelled anything. */
  isYield = false;
  /** `action`: what the cancelled operation left behind, where the caller knows better than "run again". */
  constructor(reason?: unknown, action = 'Run the command again when ready; the tool detects where the modem stands.') {
    super(cancelledMessage(reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : ''), action);
    if (reason instanceof OperationAbortedError && reason.isYield) this.isYield = true;
  }

  static forYield(why: string): OperationAbortedError {
    const error = new OperationAbortedError(why);
    error.isYield = true;
    return error;
  }
}

/**
 * "Cancelled: <why>." once, however often the reason was wrapped on its way up (an abort
 * reason that is itself an OperationAbortedError, a reason that already says "cancelled").
 */
function cancelledMessage(reason: string): string {
  let why = reason.trim();
  for (;;) {
    const unwrapped = why.replace(/^cancelled\s*:?\s*/i, '').replace(/\.+$/, '').trim();
    if (unwrapped === why) break;
    why = unwrapped;
  }
  if (!why) return 'Cancelled.';
  // "cancelled by the user" reads as one sentence, not "Cancelled: cancelled by the user".
  if (/^cancelled\b/i.test(reason.trim()) && /^by\b/i.test(why)) return `Cancelled ${why}.`;
  return `Cancelled: ${why}.`;
}

/** A read whose deadline passed before a complete frame arrived. */
export class ReadTimeoutError extends ModemToolError {
  readonly code = 'timeout';
  constructor(
    readonly label: string,
    readonly waitedMs: number,
    /** Bytes that had arrived but did not make a complete frame (may be empty). */
    readonly lastBytes: Uint8Array,
  ) {
    super(
      `No complete ${label} within ${Math.round(waitedMs)} ms` +
        (lastBytes.length ? ` (${lastBytes.length} stray bytes received)` : ' (the line stayed silent)') +
        '.',
      'Check that the board is powered and in mirror mode, then power-cycle it (unplug, plug back) and retry.',
    );
  }
}

export type PortCloseReason = 'closed' | 'vanished';

/** The port went away under a read or write: closed by us, or unplugged. */
export class PortClosedError extends ModemToolError {
  readonly code = 'port-closed';
  constructor(
    readonly portPath: string,
    readonly reason: PortCloseReason,
  ) {
    super(
      reason === 'vanished'
        ? `The serial port ${portPath} disappeared (board unplugged or reset).`
        : `The serial port ${portPath} is closed.`,
      reason === 'vanished'
        ? 'Check the USB cable and the board power, plug it back in, then run the command again; it resumes from where the modem stands.'
        : 'Open the port again and retry.',
    );
  }
}

export type PortOpenFailure = 'busy' | 'missing' | 'permission' | 'other';

export class PortOpenError extends ModemToolError {
  readonly code = 'port-open';
  constructor(
    readonly portPath: string,
    readonly failure: PortOpenFailure,
    detail: string,
    action: string,
    options?: ModemToolErrorOptions,
  ) {
    super(`Cannot open serial port ${portPath}: ${detail}`, action, options);
  }
}

/** Bytes arrived that cannot be what the protocol says comes next. */
export class ProtocolError extends ModemToolError {
  readonly code = 'protocol';
  constructor(
    message: string,
    action: string,
    readonly lastBytes: Uint8Array = new Uint8Array(0),
    options?: ModemToolErrorOptions,
  ) {
    super(message, action, options);
  }
}

/** Bad input from the user (a file, an option) refused before touching the board. */
export class UsageError extends ModemToolError {
  readonly code = 'usage';
}

export function isModemToolError(error: unknown): error is ModemToolError {
  return error instanceof ModemToolError;
}

/**
 * For code that takes an action as text only (a command that must answer OK): rethrows
 * the error, with `actions` attached when it is the one thrown with `action`, so a
 * timeout or a cancel on the way keeps its own advice.
 */
export function attachActions(action: string, actions: UserAction[]): (error: unknown) => never {
  return (error) => {
    if (isModemToolError(error) && error.action === action && !error.actions) error.actions = actions;
    throw error;
  };
}
