import type { ByteTransport } from '../core/transport/byteTransport';
import { Deadline } from '../core/time/deadline';
import { MemoryLink, MemoryPortRegistry } from '../core/transport/memoryLink';
import { SimulatedBoard, MIRROR_BAUD_RATE, REPL_BAUD_RATE, type SimulatedBoardOptions } from './board/simulatedBoard';
import { SimulatedModem, type SimulatedModemOptions } from './modem/simulatedModem';

export const SIMULATED_GPY_PORT = 'sim:GPy';
/** Wall-clock budget for loading the interpreter and running boot.py/main.py. */
const BOOT_BUDGET_MS = 30_000;

export interface SimulatedGpyOptions {
  /** Applied to board and modem unless their own options say otherwise. 1 = real time. */
  timeScale?: number;
  /** The board; `board.faults` acts out board-half failures (BoardFault). */
  board?: Omit<SimulatedBoardOptions, 'modemFacts' | 'modemActions' | 'modemIo'>;
  modem?: Omit<SimulatedModemOptions, 'unplug'>;
  /** The port name hosts open; default 'sim:GPy'. */
  portPath?: string;
}

export interface SimulatedGpy {
  /** Opens `portPath` like a serial port list would. */
  registry: MemoryPortRegistry;
  portPath: string;
  board: SimulatedBoard;
  modem: SimulatedModem;
  /** USB serial cable: host ⇄ board UART0. */
  boardLink: MemoryLink;
  /** Inside the board: board UART ⇄ modem UART (921600). */
  modemLink: MemoryLink;
  /**
   * Pulls the USB cable and puts it back: board and modem both restart. The modem comes
   * back where the old one stood (state after a power cycle, build, bootrom); `modem`
   * overrides its options for the new power-on (e.g. `faults: []` once the fault is gone).
   */
  powerCycle(next?: { modem?: Omit<SimulatedModemOptions, 'unplug'> }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A whole GPy in memory: host ⇄ MemoryLink(portPath) ⇄ SimulatedBoard ⇄ MemoryLink ⇄
 * SimulatedModem. Resolves once the board has booted to its REPL.
 */
export async function createSimulatedGpy(options: SimulatedGpyOptions = {}): Promise<SimulatedGpy> {
  const portPath = options.portPath ?? SIMULATED_GPY_PORT;
  const boardLink = new MemoryLink(portPath, { baudRate: REPL_BAUD_RATE });
  const modemLink = new MemoryLink(`${portPath}/modem`, { baudRate: MIRROR_BAUD_RATE });
  const registry = new MemoryPortRegistry();
  registry.add(boardLink);

  let modemOptions: SimulatedModemOptions = { timeScale: options.timeScale, ...options.modem, unplug: () => boardLink.unplug() };
  let modemEnd = modemLink.open('device');
  let boardModemEnd = modemLink.open('host');
  let modem = new SimulatedModem(modemEnd, modemOptions);
  modem.start();
  const served = await serveBoard(boardLink.open('device'), {
    timeScale: options.timeScale,
    ...options.board,
    modemIo: boardModemEnd,
    ...boardViewOf(() => modem),
  });

  const gpy: SimulatedGpy = {
    registry,
    portPath,
    board: served,
    modem,
    boardLink,
    modemLink,
    async powerCycle(next = {}) {
      // The modem keeps its flash across the power cut: it comes back where it stood.
      const stood = { state: modem.stateAfterPowerCycle, build: modem.build, hasOldBootrom: modem.hasOldBootrom, bootromBuild: modem.bootromBuild };
      modemOptions = { ...modemOptions, ...stood, ...next.modem, unplug: () => boardLink.unplug() };
      // A real unplug: the host's handle vanishes, both chips lose power.
      boardLink.unplug();
      await gpy.board.stop();
      await modem.stop();
      await Promise.all([modemEnd.close(), boardModemEnd.close()]);
      boardLink.replug();
      modemEnd = modemLink.open('device');
      boardModemEnd = modemLink.open('host');
      modem = new SimulatedModem(modemEnd, modemOptions);
      modem.start();
      gpy.modem = modem;
      // A powered-up board's UART0 runs at the REPL's speed, whatever mirror mode had set.
      gpy.board = await serveBoard(boardLink.open('device', { baudRate: REPL_BAUD_RATE }), {
        timeScale: options.timeScale,
        ...options.board,
        modemIo: boardModemEnd,
        ...boardViewOf(() => modem),
      });
    },
    async stop() {
      await gpy.board.stop();
      await modem.stop();
    },
  };
  return gpy;
}

/**
 * The board alone on a transport, e.g. one end of a socat pty pair for
 * `pycom-modem sim --board --port <pty>`; its modem UART is `options.modemIo`.
 * A pty ignores baud rates, so mirror mode's speed change is not felt there.
 */
export async function serveSimulatedGpyOnTransport(
  io: ByteTransport,
  options: SimulatedGpyOptions = {},
): Promise<{ board: SimulatedBoard; modem: SimulatedModem; stop(): Promise<void> }> {
  const modemLink = new MemoryLink(`${io.path}/modem`, { baudRate: MIRROR_BAUD_RATE });
  const modem = new SimulatedModem(modemLink.open('device'), {
    timeScale: options.timeScale,
    ...options.modem,
    unplug: () => void io.close(),
  });
  modem.start();
  const board = await serveBoard(io, {
    timeScale: options.timeScale,
    ...options.board,
    modemIo: modemLink.open('host'),
    ...boardViewOf(() => modem),
  });
  return {
    board,
    modem,
    async stop() {
      await board.stop();
      await modem.stop();
    },
  };
}

/**
 * The modem as the board's updater sees it: the facts its AT probes would find, and the
 * steps it takes on the modem itself. `current` follows the modem across power cycles.
 */
function boardViewOf(current: () => SimulatedModem): Pick<SimulatedBoardOptions, 'modemFacts' | 'modemActions'> {
  return {
    modemFacts: () => {
      const modem = current();
      return {
        state: modem.state,
        hasOldBootrom: modem.hasOldBootrom,
        isAnswering: modem.isAnswering,
        build: modem.build,
        network: modem.network,
        imei: modem.imei,
      };
    },
    modemActions: {
      loadUpdater: (head) => current().loadUpdaterFromBoard(head),
      rewriteBootrom: () => current().rewriteBootromFromBoard(),
      switchToFfh: () => current().switchToFfh(),
      at: (command) => current().atFromBoard(command),
      stpBlock: (data) => current().blockFromBoard(data),
      stpEnd: () => current().closeFromBoard(),
    },
  };
}

async function serveBoard(io: ByteTransport, options: SimulatedBoardOptions): Promise<SimulatedBoard> {
  const board = new SimulatedBoard(io, options);
  await board.start();
  await board.whenState('repl', Deadline.in(BOOT_BUDGET_MS, 'board boot'));
  return board;
}
