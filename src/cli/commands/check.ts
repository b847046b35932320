import { basename } from 'node:path';
import { UpgradeEngine } from '../../core/engine/upgradeEngine';
import { UsageError } from '../../core/errors';
import { hasFailure, renderPreflightText, runPreflight, type PreflightFacts } from '../../core/preflight/preflight';
import { readPreflightFile } from '../../core/preflight/preflightFiles';
import { flagOption, parseCommandArgs, stringListOption, stringOption } from '../args';
import type { CliCommand } from '../cliCommand';
import { JSON_OPTION, PORT_OPTION, TIMEOUT_SCALE_OPTION, showEngineEvents, timeoutsFromArgs } from '../cliSupport';
import { readModem, VIA_BOARD_OPTION, VIA_BOARD_USAGE } from '../modemViaBoard';
import { writeJsonLine } from '../renderJson';
import { describeModemState } from '../renderText';
import { readInfoOnBoard } from './info';
import { cliActionDefaults, withCliPreflightActions } from '../userActionText';
import { firmwareSource } from '../firmwareSource';
import { openFirmwarePackage, type FirmwarePackage } from '../../core/package/firmwarePackage';
import { chooseFilesFromPackage } from '../../core/package/choosePackageFiles';
import { packageChoiceResult } from '../../core/package/packageChoiceCheck';
import type { PreflightResult } from '../../core/preflight/preflightFacts';

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Preflight: check firmware files (and, with --port, the modem) without upgrading anything.',
  usage: `Usage: pycom-modem check [--updater updater.elf] FILE.dup [FILE2.dup] [--port <path> [--via-board]] [--json]
       pycom-modem check PACKAGE.zip|FOLDER [--pick NAME] [--port <path> [--via-board]] [--json]

Runs every check the upgrade runs before it changes the modem, one line each with
pass / warn / fail and the reason: files present and readable, the right kind
(.dup vs updater.elf) and a sane size, two-stage order, diff + updater.elf. With --port
it also reads the modem's state, build and bootrom (the board must be in mirror mode)
and checks a diff against the build, the path the upgrade will take and roughly how
long it takes at the line rate. A board at its Python REPL is recognised at once.
Given Pycom's firmware package (.zip, or the folder it was extracted to), it first
chooses the files for the modem (without --port: the full image) and says why.
Exit status 0 when the upgrade would start, 2 when it would be refused.

Options:
${VIA_BOARD_USAGE}`,
  async run(context) {
    const args = parseCommandArgs('check', context.argv, {
      ...PORT_OPTION,
      ...JSON_OPTION,
      ...TIMEOUT_SCALE_OPTION,
      ...VIA_BOARD_OPTION,
      updater: { type: 'string' },
      pick: { type: 'string', multiple: true },
    });
    const json = flagOption(args, 'json');
    const updaterPath = stringOption(args, 'updater');
    const source = await firmwareSource(args.positionals, stringListOption(args, 'pick'));
    // A zip is extracted into a temporary folder of ours, removed however the check ends.
    const pkg: FirmwarePackage | undefined = source.packageSource ? await openFirmwarePackage(source.packageSource) : undefined;
    try {
      const facts: PreflightFacts = {
        firmware: pkg ? [] : await Promise.all(args.positionals.map(readPreflightFile)),
        ...(updaterPath && !pkg ? { updater: await readPreflightFile(updaterPath) } : {}),
      };
      const portPath = stringOption(args, 'port');
      if (flagOption(args, 'via-board') && !portPath) {
        throw new UsageError('--via-board needs --port.', 'Pass the board\'s port, e.g. `pycom-modem check --port /dev/ttyUSB0 --via-board FILE.dup`.');
      }
      let modemLine: string | undefined;
      let isReadOnBoardForPackage = false;
      if (portPath) {
        const engine = new UpgradeEngine();
        const detach = context.verbose && !json ? showEngineEvents(engine, context, { json: false }) : () => undefined;
        try {
          const timeouts = timeoutsFromArgs(args, 'check');
          const { value: info, isReadOnBoard } = await readModem(
            context,
            { command: 'check', portPath, engine, timeouts, isViaBoard: flagOption(args, 'via-board'), json },
            (request) => engine.info(request, context.signal),
            (request) => readInfoOnBoard(request, engine, context.signal),
          );
          const bootloader0Build = info.report.bootloaders.find((b) => b.slot === 0)?.build;
          facts.modem = {
            state: info.state,
            ...(info.report.softwareBuild !== undefined ? { softwareBuild: info.report.softwareBuild } : {}),
            ...(bootloader0Build !== undefined ? { bootloader0Build } : {}),
            kind: info.report.kind,
          };
          // The board's updater reads over the REPL line; the transfer runs at mirror mode's speed.
          if (!isReadOnBoard) facts.baudRate = info.baudRate;
          // Read at the board's REPL, the upgrade to check is the whole one: with updater.elf the
          // board's updater runs its FFH method before the host half.
          if (isReadOnBoard && updaterPath) facts.boardRunsFfh = true;
          isReadOnBoardForPackage = isReadOnBoard === true;
          modemLine = `Modem on ${portPath}: state ${describeModemState(info.state)}${info.report.softwareBuild !== undefined ? `, build ${info.report.softwareBuild}` : ''}, ${
            isReadOnBoard ? "read by the board's sqnsupgrade.info()" : `${info.baudRate} baud`
          }`;
        } finally {
          detach();
        }
      }
      const choiceResults: PreflightResult[] = [];
      if (pkg) {
        // The package's files for the modem as read (or, not read, the full image), then the same checks.
        const extra = updaterPath ? [{ name: basename(updaterPath), size: (await readPreflightFile(updaterPath)).size ?? 0, path: updaterPath }] : [];
        const candidates = [...pkg.files, ...extra];
        const choice = chooseFilesFromPackage(candidates, facts.modem ?? {}, source.packagePick ? { pick: source.packagePick } : {});
        choiceResults.push(packageChoiceResult(choice));
        facts.firmware = await Promise.all(choice.firmware.map((file) => readPreflightFile(file.path)));
        if (choice.updater) facts.updater = await readPreflightFile(choice.updater.path);
        if (facts.boardRunsFfh && !choice.updater) delete facts.boardRunsFfh;
        if (isReadOnBoardForPackage && choice.updater) facts.boardRunsFfh = true;
      }
      const refusedChoice = choiceResults.some((result) => result.status === 'fail');
      const results = refusedChoice ? choiceResults : [...choiceResults, ...runPreflight(facts)];
      const isRefused = hasFailure(results);
      if (json) {
        writeJsonLine(context.stdout, { kind: 'preflight', results, isReady: !isRefused, atMs: Date.now(), ...(facts.modem ? { modem: facts.modem } : {}) });
      } else {
        if (modemLine) context.stdout.write(`${modemLine}\n`);
        context.stdout.write(`${renderPreflightText(withCliPreflightActions(results, cliActionDefaults(context.argv)))}\n`);
        if (!portPath) context.stdout.write('Add --port (board in mirror mode) to check the files against the modem.\n');
      }
      return isRefused ? 2 : 0;
    } finally {
      await pkg?.dispose();
    }
  },
};
