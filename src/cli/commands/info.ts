import { UpgradeEngine } from '../../core/engine/upgradeEngine';
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
mirror mode; a board at its Python REPL is recognised at once (and, on a terminal,
the tool offers to start mirror mode). Nothing on the modem changes.

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
      const { value: info, hasLeftBoardInMirrorMode } = await readModem(
        context,
        { command: 'info', portPath, engine, timeouts, isViaBoard: flagOption(args, 'via-board'), json },
        (request) => engine.info(request, context.signal),
      );
      if (json) {
        writeJsonLine(context.stdout, { kind: 'info', ...info, ...(hasLeftBoardInMirrorMode ? { isBoardInMirrorMode: true } : {}) });
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
