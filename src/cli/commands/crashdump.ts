import { readFile } from 'node:fs/promises';
import { UpgradeEngine } from '../../core/engine/upgradeEngine';
import { UsageError } from '../../core/errors';
import { formatCrashDumpText, type CrashDump } from '../../core/parse/crashDump';
import { checkCrashDumpFile } from '../../core/parse/crashDumpFile';
import { flagOption, parseCommandArgs, stringOption } from '../args';
import type { CliCommand } from '../cliCommand';
import { JSON_OPTION, PORT_OPTION, TIMEOUT_SCALE_OPTION, showEngineEvents, timeoutsFromArgs } from '../cliSupport';
import { readModem, VIA_BOARD_OPTION, VIA_BOARD_USAGE } from '../modemViaBoard';
import { writeJsonLine } from '../renderJson';

export const crashdumpCommand: CliCommand = {
  name: 'crashdump',
  summary: "Read and decode the modem's last crash dump (from the modem or a saved file).",
  usage: `Usage: pycom-modem crashdump (--port <path> [--via-board] | FILE) [--json]

With --port: reads /fs/crashdump from a modem reached through a board in mirror mode
(AT+FSRDFILE="/fs/crashdump"); a board at its Python REPL is recognised at once (and,
on a terminal, the tool offers to start mirror mode). With FILE: decodes a dump saved
earlier (the raw reply bytes); a file that is not a dump (text, no build record, an
implausible length) is refused with exit code 2. Shows the firmware build that
crashed, the assertion and the source location.

Options:
${VIA_BOARD_USAGE}`,
  async run(context) {
    const args = parseCommandArgs('crashdump', context.argv, { ...PORT_OPTION, ...JSON_OPTION, ...TIMEOUT_SCALE_OPTION, ...VIA_BOARD_OPTION });
    const portPath = stringOption(args, 'port');
    const json = flagOption(args, 'json');
    const isViaBoard = flagOption(args, 'via-board');
    const [file, ...extra] = args.positionals;
    if ((portPath && file) || (!portPath && !file) || extra.length > 0 || (isViaBoard && !portPath)) {
      throw new UsageError(
        'pycom-modem crashdump takes either --port <path> or one FILE.',
        'Use `pycom-modem crashdump --port /dev/ttyUSB0` to read it from the modem, or `pycom-modem crashdump dump.bin` for a saved dump.',
      );
    }
    let dump: CrashDump | undefined;
    if (file) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(file));
      } catch (error) {
        throw new UsageError(`Cannot read ${file}: ${(error as Error).message}.`, 'Check the path of the saved crash dump.');
      }
      const check = checkCrashDumpFile(bytes);
      if (!check.isCrashDump) {
        throw new UsageError(
          `${file} is not a modem crash dump: ${check.reason}.`,
          'Pass the raw bytes saved from AT+FSRDFILE="/fs/crashdump", or read the dump from the modem with `pycom-modem crashdump --port <path>`.',
        );
      }
      dump = check.dump;
    } else {
      const engine = new UpgradeEngine();
      const detach = context.verbose && !json ? showEngineEvents(engine, context, { json: false }) : () => undefined;
      try {
        const timeouts = timeoutsFromArgs(args, 'crashdump');
        ({ value: dump } = await readModem(
          context,
          { command: 'crashdump', portPath: portPath!, engine, timeouts, isViaBoard, json },
          (request) => engine.readCrashDump(request, context.signal),
        ));
      } finally {
        detach();
      }
    }
    if (json) {
      writeJsonLine(context.stdout, { kind: 'crashDump', dump: dump ?? null });
    } else if (dump) {
      context.stdout.write(`${formatCrashDumpText(dump).trimEnd()}\n`);
    } else {
      context.stdout.write('The modem has no crash dump (/fs/crashdump is missing or empty).\n');
    }
    return 0;
  },
};
