import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { UsageError } from '../../core/errors';
import type { ByteTransport } from '../../core/transport/byteTransport';
import { isSimFault, SIM_FAULTS, type SimFault } from '../../sim/modem/modemFaults';
import { BOARD_FAULTS, isBoardFault, type BoardFault } from '../../sim/board/boardFaults';
import { serveModemOnTransport, MIRROR_BAUD } from '../../sim/modem/serveModem';
import type { SimulatedModemOptions } from '../../sim/modem/simulatedModem';
import { serveSimulatedGpyOnTransport } from '../../sim/simulatedGpy';
import { flagOption, numberOption, parseCommandArgs, requirePort, stringListOption, stringOption, type ParsedArgs } from '../args';
import type { CliCommand } from '../cliCommand';
import { JSON_OPTION, PORT_OPTION, openerFor } from '../cliSupport';
import { writeJsonLine } from '../renderJson';

/**
 * The simulator's speed from `--speed-up N` (times faster, as the VS Code setting
 * pycomModem.simulator.speedUp reads) or `--time-scale F` (a factor on the modem's time,
 * F = 1/N); `bounds` are on the factor. One of the two, not both.
 */
export function timeScaleOption(args: ParsedArgs, command: string, bounds: { min: number; max: number }): number | undefined {
  const speedUp = numberOption(args, command, 'speed-up', { min: 1 / bounds.max, max: 1 / bounds.min });
  const timeScale = numberOption(args, command, 'time-scale', bounds);
  if (speedUp !== undefined && timeScale !== undefined) {
    throw new UsageError(`pycom-modem ${command}: --speed-up and --time-scale say the same thing twice.`, 'Give one of them: --speed-up 100 is --time-scale 0.01.');
  }
  return speedUp !== undefined ? 1 / speedUp : timeScale;
}

/** The board's REPL speed; the simulated board switches to mirror mode by itself. */
const REPL_BAUD = 115_200;

export const simCommand: CliCommand = {
  name: 'sim',
  summary: 'Serve a simulated modem (or a whole simulated GPy) on a serial port, for trying the tool without hardware.',
  usage: `Usage: pycom-modem sim --port <path> [options]

Serves a simulated Sequans modem (as a board in mirror mode shows it) on <path>, one
end of a pseudo-terminal pair, until stopped with Ctrl-C. Make a pair with:
  socat -d -d pty,raw,echo=0,link=/tmp/modem-host pty,raw,echo=0,link=/tmp/modem-dev
then run \`pycom-modem sim --port /tmp/modem-dev\` and, in another shell,
\`pycom-modem upgrade --port /tmp/modem-host FILE.dup\`.

Options:
  --state 0|2|4        modem state: 0 recovery bootrom, 2 application (default), 4 interrupted upgrade
  --build <N>          software build the modem runs (default 38638)
  --network <name>     CAT-M1 (default) or NB-IoT
  --old-bootrom        Bootloader0 is the old 33080 bootrom
  --speed-up <N>       run N times faster than a real modem (default 1), as the VS Code
                       setting pycomModem.simulator.speedUp; 100 = a hundred times faster
  --time-scale <F>     the same as a factor on the modem's time: 0.01 = --speed-up 100
  --fault <name>       act out a failure (repeatable): ${SIM_FAULTS.join(', ')}
  --board              serve a whole simulated GPy (REPL at 115200, sqnsupgrade, mirror mode) instead
  --board-fault <name> with --board, a board-half failure (repeatable): ${BOARD_FAULTS.join(', ')}
  --sd <file>          with --board, an SD card in the board's slot holding this local file under
                       its own name (repeatable); without --sd the board has no card. The board's
                       updater reads it: sqnsupgrade.run('/sd/NAME.dup'), or \`board upgrade --on-board\`
  --log                print what the simulator does on stderr
  --json               print the ready line as JSON`,
  async run(context) {
    const args = parseCommandArgs('sim', context.argv, {
      ...PORT_OPTION,
      ...JSON_OPTION,
      state: { type: 'string' },
      build: { type: 'string' },
      network: { type: 'string' },
      'old-bootrom': { type: 'boolean' },
      'time-scale': { type: 'string' },
      'speed-up': { type: 'string' },
      fault: { type: 'string', multiple: true },
      board: { type: 'boolean' },
      'board-fault': { type: 'string', multiple: true },
      sd: { type: 'string', multiple: true },
      log: { type: 'boolean' },
    });
    const portPath = requirePort(args, 'sim');
    const state = numberOption(args, 'sim', 'state', { integer: true, min: 0, max: 4 });
    if (state !== undefined && state !== 0 && state !== 2 && state !== 4) {
      throw new UsageError(`pycom-modem sim: --state ${state} is not simulated.`, 'Use --state 0 (recovery), 2 (application) or 4 (interrupted upgrade).');
    }
    const build = numberOption(args, 'sim', 'build', { integer: true, min: 1 });
    const timeScale = timeScaleOption(args, 'sim', { min: 0.00001, max: 100 });
    const network = stringOption(args, 'network');
    if (network !== undefined && network !== 'CAT-M1' && network !== 'NB-IoT') {
      throw new UsageError(`pycom-modem sim: --network ${network} is not known.`, 'Use --network CAT-M1 or --network NB-IoT.');
    }
    const faults: SimFault[] = [];
    for (const name of stringListOption(args, 'fault')) {
      if (!isSimFault(name)) throw new UsageError(`pycom-modem sim: no fault named "${name}".`, `Use one of: ${SIM_FAULTS.join(', ')}.`);
      faults.push(name);
    }
    const boardFaults: BoardFault[] = [];
    for (const name of stringListOption(args, 'board-fault')) {
      if (!isBoardFault(name)) throw new UsageError(`pycom-modem sim: no board fault named "${name}".`, `Use one of: ${BOARD_FAULTS.join(', ')}.`);
      boardFaults.push(name);
    }
    const isBoard = flagOption(args, 'board');
    if (boardFaults.length && !isBoard) {
      throw new UsageError('pycom-modem sim: --board-fault needs --board.', 'Add --board to serve a whole simulated GPy.');
    }
    const sdFiles = stringListOption(args, 'sd');
    if (sdFiles.length && !isBoard) {
      throw new UsageError('pycom-modem sim: --sd needs --board (the SD card is in the board).', 'Add --board to serve a whole simulated GPy.');
    }
    const sdCard = sdFiles.length ? await readSdCard(sdFiles) : undefined;
    const modemOptions: Omit<SimulatedModemOptions, 'unplug'> = {
      ...(state !== undefined ? { state } : {}),
      ...(build !== undefined ? { build } : {}),
      ...(network ? { network } : {}),
      ...(flagOption(args, 'old-bootrom') ? { hasOldBootrom: true } : {}),
      ...(timeScale !== undefined ? { timeScale } : {}),
      ...(faults.length ? { faults } : {}),
      ...(flagOption(args, 'log') ? { log: (line: string) => context.stderr.write(`sim: ${line}\n`) } : {}),
    };
    const io = await openerFor(context).open(portPath, { baudRate: isBoard ? REPL_BAUD : MIRROR_BAUD, rtscts: false }, context.signal);
    const closed = new Promise<void>((resolve) => {
      if (!io.isOpen) resolve();
      io.onClose(() => resolve());
    });
    let stop: () => Promise<void>;
    try {
      stop = isBoard ? await serveBoard(io, modemOptions, { faults: boardFaults, ...(sdCard ? { sdCard } : {}) }, timeScale) : serveModemOnTransport(io, modemOptions).stop;
    } catch (error) {
      await io.close();
      throw error;
    }
    const what = isBoard ? 'simulated GPy board' : 'simulated modem';
    if (flagOption(args, 'json')) writeJsonLine(context.stdout, { kind: 'simReady', port: portPath, board: isBoard, ...(boardFaults.length ? { boardFaults } : {}), ...(sdCard ? { sdCard: Object.keys(sdCard) } : {}), ...modemOptions, log: undefined });
    else context.stdout.write(`ready: ${what} on ${portPath} (state ${state ?? 2}, build ${build ?? 38638}). Press Ctrl-C to stop.\n`);
    const aborted = new Promise<void>((resolve) => {
      if (context.signal.aborted) resolve();
      context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([closed, aborted]);
    await stop();
    await io.close();
    return 0;
  },
};

/** The local files for the simulated card, each under its own name; a missing one is the user's mistake. */
async function readSdCard(paths: string[]): Promise<Record<string, Uint8Array>> {
  const card: Record<string, Uint8Array> = {};
  for (const path of paths) {
    try {
      card[basename(path)] = await readFile(path);
    } catch (error) {
      throw new UsageError(`pycom-modem sim: cannot read --sd ${path}: ${error instanceof Error ? error.message : String(error)}.`, 'Give a local file to put on the simulated SD card.');
    }
  }
  return card;
}

async function serveBoard(
  io: ByteTransport,
  modem: Omit<SimulatedModemOptions, 'unplug'>,
  board: { faults: BoardFault[]; sdCard?: Record<string, Uint8Array> },
  timeScale: number | undefined,
): Promise<() => Promise<void>> {
  const served = await serveSimulatedGpyOnTransport(io, {
    ...(timeScale !== undefined ? { timeScale } : {}),
    modem,
    ...(board.faults.length || board.sdCard ? { board: { ...(board.faults.length ? { faults: board.faults } : {}), ...(board.sdCard ? { sdCard: board.sdCard } : {}) } } : {}),
  });
  return () => served.stop();
}
