import { withModemViaBoard } from '../core/board/modemViaBoard';
import { isModemToolError } from '../core/errors';
import type { PortRequest, UpgradeEngine } from '../core/engine/upgradeEngine';
import { BoardAtReplError, LEAVE_MIRROR_MODE } from '../core/engine/upgradeErrors';
import type { UpgradeTimeouts } from '../core/engine/upgradeTimeouts';
import type { OptionSpec } from './args';
import type { CliContext } from './cliCommand';
import { portFor } from './cliSupport';
import { askYesNo } from './prompt';

export const VIA_BOARD_OPTION: OptionSpec = { 'via-board': { type: 'boolean' } };

export const VIA_BOARD_USAGE = `  --via-board          the board is at its Python REPL: info and check ask the board's own
                       updater (sqnsupgrade.info(); the board stays at its REPL) and fall back
                       to mirror mode (sqnsupgrade.uart()) only when it cannot tell; crashdump
                       needs mirror mode. Mirror mode has no exit: unplug the board and plug
                       it back in afterwards.`;

export interface ModemReadOptions {
  command: 'info' | 'crashdump' | 'check';
  portPath: string;
  engine: UpgradeEngine;
  timeouts: Partial<UpgradeTimeouts> | undefined;
  /** --via-board was given. */
  isViaBoard: boolean;
  /** --json: no question is asked, notes go to stderr only. */
  json: boolean;
}

export interface ModemReadResult<T> {
  value: T;
  /** The tool put the board in mirror mode: it stays there until power-cycled. */
  hasLeftBoardInMirrorMode: boolean;
  /** The board's own updater read the modem from its REPL (no mirror mode). */
  isReadOnBoard?: boolean;
}

/**
 * A read that the board's own `sqnsupgrade.info()` can answer from its REPL: undefined
 * when it could not tell (then mirror mode is the fallback).
 */
export type OnBoardRead<T> = (request: PortRequest) => Promise<T | undefined>;

/**
 * A read-only modem command's access to the modem. The port is read as a board in mirror
 * mode; if it turns out to be the board's REPL, the user is asked (on a terminal) whether
 * the tool should start mirror mode itself, else told how. With --via-board it starts
 * mirror mode first, without probing with AT.
 */
export async function readModem<T>(
  context: CliContext,
  options: ModemReadOptions,
  read: (request: PortRequest) => Promise<T>,
  onBoard?: OnBoardRead<T>,
): Promise<ModemReadResult<T>> {
  const request: PortRequest = { port: portFor(context, options.portPath), ...(options.timeouts ? { timeouts: options.timeouts } : {}) };
  if (options.isViaBoard) return readThroughBoard(context, options, request, read, onBoard);
  try {
    return { value: await read(request), hasLeftBoardInMirrorMode: false };
  } catch (error) {
    if (!(error instanceof BoardAtReplError)) throw error;
    const question = onBoard
      ? `The board on ${options.portPath} is at its Python REPL. Read the modem through the board's updater (sqnsupgrade.info())?`
      : `The board on ${options.portPath} is at its Python REPL. Put it in mirror mode to read the modem? (unplug the board afterwards)`;
    if (!options.json && (await askYesNo(context, question))) return readThroughBoard(context, options, request, read, onBoard);
    throw error.withAction(adviceFor(options.command, options.portPath));
  }
}

/** The board's updater first (the board stays at its REPL); mirror mode only where it could not tell. */
async function readThroughBoard<T>(
  context: CliContext,
  options: ModemReadOptions,
  request: PortRequest,
  read: (request: PortRequest) => Promise<T>,
  onBoard: OnBoardRead<T> | undefined,
): Promise<ModemReadResult<T>> {
  if (onBoard) {
    context.stderr.write(`Reading the modem through the board's updater on ${options.portPath} (sqnsupgrade.info(); the board stays at its REPL)...\n`);
    const value = await onBoard(request);
    if (value !== undefined) return { value, hasLeftBoardInMirrorMode: false, isReadOnBoard: true };
    context.stderr.write("The board's updater could not tell the modem's state; reading it in mirror mode instead.\n");
  }
  return readViaBoard(context, options, request, read);
}

async function readViaBoard<T>(
  context: CliContext,
  options: ModemReadOptions,
  request: PortRequest,
  read: (request: PortRequest) => Promise<T>,
): Promise<ModemReadResult<T>> {
  context.stderr.write(`Starting mirror mode on the board on ${options.portPath} (sqnsupgrade.uart())...\n`);
  let isMirrored = false;
  try {
    const value = await withModemViaBoard({ port: request.port, events: options.engine.events }, context.signal, (modem) => {
      isMirrored = true;
      return read({ ...request, port: modem });
    });
    return { value, hasLeftBoardInMirrorMode: true };
  } catch (error) {
    // The likeliest silent board here is one an earlier run already left in mirror mode.
    if (isModemToolError(error) && error.code === 'board-silent') {
      context.stderr.write(`If the board is already in mirror mode, run the command without --via-board.\n`);
    }
    throw error;
  } finally {
    if (isMirrored) context.stderr.write(`The board is now in mirror mode. ${LEAVE_MIRROR_MODE}\n`);
  }
}

/** What to type instead, with this port. */
export function adviceFor(command: ModemReadOptions['command'], portPath: string): string {
  const retry =
    command === 'check'
      ? `pycom-modem check --port ${portPath} --via-board FILE.dup`
      : `pycom-modem ${command} --port ${portPath} --via-board`;
  return (
    `To read the modem now, let the tool start mirror mode on the board: \`${retry}\`. ` +
    `The full upgrade starts mirror mode by itself: \`pycom-modem board upgrade --port ${portPath} FILE.dup\`. ${LEAVE_MIRROR_MODE}`
  );
}
