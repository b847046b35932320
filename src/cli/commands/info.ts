import { readModemInfoOnBoard } from '../../core/board/modemViaBoard';
import { UpgradeEngine, type ModemInfo, type PortRequest } from '../../core/engine/upgradeEngine';
import { REPL_LINE } from '../../core/board/fullUpgrade';
import { flagOption, parseCommandArgs, requirePort } from '../args';
import type { CliCommand } from '../cliCommand';
import { JSON_OPTION, PORT_OPTION, TIMEOUT_SCALE_OPTION, showEngineEvents, timeoutsFromArgs } from '../cliSupport';
import { readModem, VIA_BOARD_OPTION, VIA_BOARD_USAGE } from '../modemViaBoard';
import { writeJsonLine } from '../renderJson';
import { describeModemState, formatVersionReport } from '../renderText';

export const infoCommand: CliCommand = {
  name: 'info',
  summary: "Show the modem's state, IMEI and firmware version (changes nothing).",
  usage: `Usage: pycom-modem info --port <path> [--via-board] [--json] [--timeout-scale F]

Wakes the modem (921600 baud, then 115200), reads AT+SMOD?, and, unless the modem
is in its recovery bootrom, AT+CGSN, ATI1 and AT!="showver". The board must be in
mirror mode; a board at its Python REPL is recognised at once, and with --via-board
(or a "y" on a terminal) the board's own sqnsupgrade.info() reads the modem instead:
state, version and IMEI, and the board stays at its REPL. Nothing on the modem changes.

Options:
${VIA_BOARD_USAGE}`,
  async run(context) {
    const args = parseCommandArgs('info', context.argv, { ...PORT_OPTION, ...JSON_OPTION, ...TIMEOUT_SCALE_OPTION, ...VIA_BOARD_OPTION });
    const portPath = requirePort(args, 'info');
    const json = flagOption(args, 'json');
    const engine = new UpgradeEngine();
    // Text mode prints the summary itself; events only with --verbose.
    const detach = json || context.verbose ? showEngineEvents(engine, context, { json }) : () => undefined;
    try {
      const timeouts = timeoutsFromArgs(args, 'info');
      const { value: info, hasLeftBoardInMirrorMode, isReadOnBoard } = await readModem(
        context,
        { command: 'info', portPath, engine, timeouts, isViaBoard: flagOption(args, 'via-board'), json },
        (request) => engine.info(request, context.signal),
        (request) => readInfoOnBoard(request, engine, context.signal),
      );
      if (json) {
        writeJsonLine(context.stdout, {
          kind: 'info',
          ...info,
          ...(isReadOnBoard ? { source: 'board-updater' } : {}),
          ...(hasLeftBoardInMirrorMode ? { isBoardInMirrorMode: true } : {}),
        });
      } else if (isReadOnBoard) {
        context.stdout.write(`Port            ${portPath} (read by the board's sqnsupgrade.info(); the board stays at its REPL)\n`);
        context.stdout.write(`Modem state     ${describeModemState(info.state)}\n`);
        for (const line of formatVersionReport(info.report)) context.stdout.write(`${line}\n`);
        context.stdout.write('Bootloader0     not reported this way (it shows in mirror mode, as the upgrade reads it)\n');
      } else {
        context.stdout.write(`Port            ${portPath} (${info.baudRate} baud)\n`);
        context.stdout.write(`Modem state     ${describeModemState(info.state)}\n`);
        for (const line of formatVersionReport(info.report)) context.stdout.write(`${line}\n`);
      }
      return 0;
    } finally {
      detach();
    }
  },
};

/** The board's updater's answer as the info the mirror-mode read gives; undefined when it could not tell. */
export async function readInfoOnBoard(request: PortRequest, engine: UpgradeEngine, signal: AbortSignal): Promise<ModemInfo | undefined> {
  const { read } = await readModemInfoOnBoard({ port: request.port, events: engine.events }, signal);
  return read.info.state === undefined ? undefined : { state: read.info.state, report: read.info.report, baudRate: REPL_LINE.baudRate };
}
