import type { TypedEmitter } from '../events/typedEmitter';
import type { UpgradeEvent } from '../engine/upgradeEvents';
import { RawRepl } from '../repl/rawRepl';
import { onSameHandle, type PortAccess } from '../transport/portOwner';
import { identifyBoard, type BoardIdentity } from './boardIdentity';
import { readModemOnBoard, type BoardModemRead } from './boardModemRead';
import { BoardSteps, stampedEmitter } from './boardSteps';
import { SqnsupgradeMissingError, triggerMirrorMode } from './boardUpgradeTrigger';
import { DEFAULT_BOARD_TIMEOUTS, NoLteModemError, type BoardTimeouts } from './fullUpgrade';
import { replLineFor } from '../repl/replTurn';

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
  const emit = stampedEmitter(request.events);
  const steps = new BoardSteps(emit);
  return request.port.run(async (port, signal, turn) => {
    try {
      const repl = await steps.run('board-connect', () => RawRepl.enter(port, { signal, replyTimeoutMs: timeouts.replyMs }), () =>
        `${request.port.path} at ${port.settings.baudRate} baud, raw REPL`,
      );
      await steps.run('board-identify', async () => {
        const found = await identifyBoard(repl, { signal });
        if (!found.hasLteModem) throw new NoLteModemError(found);
        if (!found.hasSqnsupgrade) throw new SqnsupgradeMissingError(found.release);
        return found;
      }, (found) => `${found.machine}, firmware ${found.release}`);
      await steps.run(
        'trigger',
        () =>
          triggerMirrorMode(port, repl, {
            ffh: false,
            signal,
            timeoutMs: timeouts.triggerMs,
            onLine: (line) => emit({ kind: 'boardOutput', line }),
          }),
        (result) => (result.updaterVersion ? `board updater ${result.updaterVersion}` : undefined),
      );
      // Mirror mode has no exit: whatever runs next on this handle must know.
      turn.leave({ isBoardInMirrorMode: true });
      await steps.run('mirror-handover', async () => undefined, () =>
        `same port, now ${port.settings.baudRate} baud; the board stays in mirror mode until it is power-cycled`,
      );
      return await job(onSameHandle(port, turn));
    } catch (error) {
      steps.fail(error);
      throw error;
    }
  }, { settings: replLineFor(request.replBaudRate), signal: outerSignal });
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
  signal: AbortSignal,
): Promise<BoardModemInfo> {
  const timeouts = { ...DEFAULT_BOARD_TIMEOUTS, ...request.boardTimeouts };
  const emit = stampedEmitter(request.events);
  const steps = new BoardSteps(emit);
  const outerSignal = signal;
  return request.port.run(async (io, signal) => {
    try {
      const repl = await steps.run('board-connect', () => RawRepl.enter(io, { signal, replyTimeoutMs: timeouts.replyMs }), () =>
        `${request.port.path} at ${io.settings.baudRate} baud, raw REPL`,
      );
      const identity = await steps.run('board-identify', async () => {
        const found = await identifyBoard(repl, { signal });
        if (!found.hasLteModem) throw new NoLteModemError(found);
        if (!found.hasSqnsupgrade) throw new SqnsupgradeMissingError(found.release);
        return found;
      }, (found) => `${found.machine}, firmware ${found.release}`);
      const read = await steps.run(
        'board-modem-read',
        () => readModemOnBoard(repl, { signal, ...(request.debug ? { debug: true } : {}), onLine: (line) => emit({ kind: 'boardOutput', line }) }),
        (result) => (result.failure ? `not read: ${result.failure}` : `state ${result.info.state}`),
      );
      if (read.info.state !== undefined) emit({ kind: 'modemState', state: read.info.state });
      if (read.info.report.softwareBuild !== undefined || read.info.report.imei) emit({ kind: 'modemInfo', phase: 'before', report: read.info.report });
      await repl.exit({ signal, replyTimeoutMs: timeouts.replyMs }).catch(() => undefined);
      return { identity, read };
    } catch (error) {
      steps.fail(error);
      throw error;
    }
  }, { settings: replLineFor(request.replBaudRate), signal: outerSignal });
}
