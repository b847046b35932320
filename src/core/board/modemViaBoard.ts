import { streamSink } from '../engine/stepRunner';
import type { TypedEmitter } from '../events/typedEmitter';
import type { UpgradeEvent } from '../engine/upgradeEvents';
import { replLineFor } from '../repl/replTurn';
import { onSameHandle, type PortAccess } from '../transport/portOwner';
import type { BoardIdentity } from './boardIdentity';
import type { BoardModemRead } from './boardModemRead';
import { DEFAULT_BOARD_TIMEOUTS, type BoardTimeouts } from './fullUpgrade';
import { beginBoardConnect, finishBoardConnect } from './steps/connectBoard';
import { identifyBoardStep } from './steps/identifyBoardStep';
import { readModemStep } from './steps/readModemStep';
import { handOverStep, triggerStep } from './steps/startMirrorMode';

export interface ModemViaBoardRequest {
  /** The board's port, one turn at a time: the read is one turn on one handle. */
  port: PortAccess;
  /** The board's REPL speed when its firmware was built for another than 115200. */
  replBaudRate?: number;
  /** The engine's event stream: the board steps and the updater's lines go there, so every front end shows them. */
  events: TypedEmitter<UpgradeEvent>;
  boardTimeouts?: Partial<BoardTimeouts>;
}

/**
 * Reaches the modem of a board that sits at its REPL: starts the firmware's updater with
 * the normal method (`sqnsupgrade.uart()`), which only probes the modem (AT, AT+SMOD?,
 * the line speed) before it bridges UART0 to it (PROTOCOL.md §1), then lends `job` the
 * same open port at 921600. The upgrade proper is the host's half, which this never
 * starts, so `job` reads the modem as found. The port is closed afterwards; the board
 * stays in mirror mode until it is power-cycled.
 */
export async function withModemViaBoard<T>(
  request: ModemViaBoardRequest,
  outerSignal: AbortSignal,
  job: (modem: PortAccess) => Promise<T>,
): Promise<T> {
  const timeouts = { ...DEFAULT_BOARD_TIMEOUTS, ...request.boardTimeouts };
  const { emit, steps } = streamSink(request.events);
  beginBoardConnect(steps);
  try {
    return await request.port.run(
      async (port, signal, turn) => {
        const repl = await finishBoardConnect(steps, port, { signal, replyTimeoutMs: timeouts.replyMs, portPath: request.port.path });
        await identifyBoardStep(steps, repl, { signal });
        // The normal method only probes the modem before it mirrors: nothing on the modem changes.
        await triggerStep(steps, port, repl, { ffh: false, debug: false, signal, timeoutMs: timeouts.triggerMs, emit });
        await handOverStep(steps, port, turn);
        return job(onSameHandle(port, turn));
      },
      { settings: replLineFor(request.replBaudRate), signal: outerSignal },
    );
  } catch (error) {
    steps.fail(error);
    throw error;
  }
}

export interface BoardModemInfo {
  identity: BoardIdentity;
  read: BoardModemRead;
}

/**
 * Reads the modem with the firmware's own `sqnsupgrade.info()` from the board's REPL: the
 * board talks to its modem and returns to the prompt, so unlike mirror mode nothing needs
 * a power-cycle afterwards. The board is left at its friendly `>>>` prompt.
 */
export async function readModemInfoOnBoard(
  request: ModemViaBoardRequest & { debug?: boolean },
  outerSignal: AbortSignal,
): Promise<BoardModemInfo> {
  const timeouts = { ...DEFAULT_BOARD_TIMEOUTS, ...request.boardTimeouts };
  const { emit, steps } = streamSink(request.events);
  beginBoardConnect(steps);
  try {
    return await request.port.run(
      async (io, signal) => {
        const repl = await finishBoardConnect(steps, io, { signal, replyTimeoutMs: timeouts.replyMs, portPath: request.port.path });
        const identity = await identifyBoardStep(steps, repl, { signal });
        // The read is what the user asked for: a board whose updater cannot even run it fails here.
        const read = (await readModemStep(steps, repl, { signal, emit, debug: request.debug === true, isFailureFatal: true }))!;
        await repl.exit({ signal, replyTimeoutMs: timeouts.replyMs }).catch(() => undefined);
        return { identity, read };
      },
      { settings: replLineFor(request.replBaudRate), signal: outerSignal },
    );
  } catch (error) {
    steps.fail(error);
    throw error;
  }
}
