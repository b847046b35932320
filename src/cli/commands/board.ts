import { basename } from 'node:path';
import { UpgradeEngine } from '../../core/engine/upgradeEngine';
import { formatBytes } from '../../core/engine/progressFigures';
import { UsageError } from '../../core/errors';
import { listDir, pushFile, removeFile, toRemotePath } from '../../core/board/boardFiles';
import { identifyBoard } from '../../core/board/boardIdentity';
import { pushModuleFolder } from '../../core/board/boardUpgradeTrigger';
import { runFullUpgrade } from '../../core/board/fullUpgrade';
import type { RawRepl } from '../../core/repl/rawRepl';
import { withRawRepl } from '../../core/repl/replTurn';
import type { PortAccess } from '../../core/transport/portOwner';
import { flagOption, parseCommandArgs, singleStringOption, stringListOption, stringOption, type ParsedArgs } from '../args';
import type { CliCommand, CliContext } from '../cliCommand';
import { JSON_OPTION, PORT_OPTION, TIMEOUT_SCALE_OPTION, boardTimeoutsFromArgs, defaultTranscriptDir, portFor, showEngineEvents, timeoutsFromArgs, upgradeExitCode } from '../cliSupport';
import { runRecordedAttempt, type RecordedRun } from '../recordedAttempt';
import { writeJsonLine } from '../renderJson';
import { confirmWarningsFor, YES_OPTION, YES_USAGE } from '../confirmWarnings';
import { parseTransferMethodOption } from '../../core/engine/upgradePlan';
import { FLEET_OPTIONS, FLEET_USAGE, runFleetCommand } from '../fleet/fleetCommand';
import { firmwareSource } from '../firmwareSource';
import { ON_BOARD_OPTIONS, ON_BOARD_USAGE, runOnBoardCommand } from '../onBoardCommand';
import { isSdCardPath, mountSdCard } from '../../core/board/onBoardFiles';

const USAGE = `Usage: pycom-modem board <action> --port <path> [options]

Talks to the board's MicroPython REPL (115200 baud, raw REPL).

Actions:
  info                          board model, firmware, LTE modem, sqnsupgrade, /flash space
  ls [PATH]                     list a board folder (default /flash; /sd mounts the SD card)
  push FILE [--to PATH]         copy a file to /flash (verified by sha256 on the board)
  rm PATH                       delete a board file
  push-module FOLDER            copy the .py/.mpy files of FOLDER to /flash (sqnsupgrade
                                for firmware before 1.20; the tool ships none)
  upgrade FILE.dup [FILE2.dup]  the WHOLE upgrade: start the updater on the board, switch
                                the same port to mirror mode, send the firmware
  upgrade PACKAGE.zip|FOLDER    the same with Pycom's firmware package (or the folder it was
                                extracted to): the files are chosen for the modem once the
                                board has read it (diff from its build, full image,
                                updater.elf, both stages), each with why
      --pick NAME               with a package: send its file NAME instead of the tool's
                                choice (repeatable; the checks still run)
      --updater updater.elf     recovery method: pushes updater.elf and runs FFH
      --ffh auto|yes|no         recovery (FFH) on the board (default auto: with --updater)
      --sqnsupgrade-dir DIR     copy sqnsupgrade from DIR first (firmware before 1.20)
      --transcript-dir DIR      where the session log goes; the attempt's files are
                                remembered there (last-attempt.json), as by \`upgrade\`
      --report FILE.md          write a diagnostic report (Markdown, for a forum post)
      --timeout-scale F         multiply every modem wait by F
      --method M                auto (default: Pycom's rules: > 4 MiB or stage 1 of a two-stage
                                upgrade ON_THE_FLY, else FFF), on-the-fly or fff (experts)
      --updater-debug           run the board's updater with debug=True (its AT exchanges go
                                into the transcript and the report)
${YES_USAGE}
${FLEET_USAGE}
${ON_BOARD_USAGE}

Before anything changes, the board's own sqnsupgrade.info() reads the modem (state, build,
network, IMEI; the board stays at its REPL) and the same checks as \`check\` run: a failure
refuses, a warning needs --yes (or a "y" on a terminal). After success, power-cycle the board.

Options:
  --port, -p <path>   serial port of the board (see \`pycom-modem ports\`)
  --json              JSON output (one object, or one event per line for upgrade)`;

export const boardCommand: CliCommand = {
  name: 'board',
  summary: 'Board REPL tasks: info, ls, push, rm, push-module, and the whole upgrade (board + modem).',
  usage: USAGE,
  async run(context) {
    const args = parseCommandArgs('board', context.argv, {
      ...PORT_OPTION,
      // Repeatable: `upgrade` takes one --port per board; every other action takes one.
      port: { ...PORT_OPTION.port, multiple: true },
      ...FLEET_OPTIONS,
      ...JSON_OPTION,
      ...TIMEOUT_SCALE_OPTION,
      to: { type: 'string' },
      updater: { type: 'string' },
      ffh: { type: 'string' },
      'sqnsupgrade-dir': { type: 'string' },
      'transcript-dir': { type: 'string' },
      report: { type: 'string' },
      method: { type: 'string' },
      'updater-debug': { type: 'boolean' },
      pick: { type: 'string', multiple: true },
      ...YES_OPTION,
      ...ON_BOARD_OPTIONS,
    });
    const [action, ...operands] = args.positionals;
    if (!action) throw new UsageError('pycom-modem board needs an action.', 'Run `pycom-modem help board` for the list.');
    const portPaths = stringListOption(args, 'port');
    if (action === 'upgrade' && !flagOption(args, 'on-board') && (portPaths.length > 1 || flagOption(args, 'all'))) return runFleetBoardUpgrade(args, operands, portPaths, context);
    const portPath = singleStringOption(args, 'board', 'port');
    if (!portPath) {
      throw new UsageError('pycom-modem board needs --port <path>.', 'Run `pycom-modem ports` to list the serial ports, then pass one with --port.');
    }
    const port = portFor(context, portPath);
    // Each action is one turn on the board's REPL, left at its friendly prompt.
    const onRepl = (job: (repl: RawRepl) => Promise<number>) => withRawRepl(port, job, { signal: context.signal });
    const json = flagOption(args, 'json');
    switch (action) {
      case 'info':
        return onRepl(async (repl) => {
          const identity = await identifyBoard(repl, { signal: context.signal });
          if (json) writeJsonLine(context.stdout, identity);
          else {
            context.stdout.write(
              [
                `Board:        ${identity.machine} (${identity.uname.machine})`,
                `Firmware:     ${identity.release} (${identity.uname.version})`,
                `LTE modem:    ${identity.hasLteModem ? 'yes' : 'no (nothing to upgrade on this board)'}`,
                `sqnsupgrade:  ${identity.hasSqnsupgrade ? 'available' : 'missing (firmware before 1.20): update the firmware or use push-module'}`,
                `/flash:       ${formatBytes(identity.flashFreeBytes)} free of ${formatBytes(identity.flashTotalBytes)}`,
                '',
              ].join('\n'),
            );
          }
          return 0;
        });
      case 'ls':
        return onRepl(async (repl) => {
          const folder = operands[0] ?? '/flash';
          // The SD card is mounted as the board's updater mounts it (no card: say so plainly).
          if (isSdCardPath(folder) && toRemotePath(folder) !== '/' && !(await mountSdCard(repl, { signal: context.signal }))) {
            throw new UsageError(`The board has no SD card to list (${toRemotePath(folder)} cannot be mounted).`, 'Insert the SD card (FAT-formatted) and run the command again.');
          }
          const entries = await listDir(repl, folder, { signal: context.signal });
          if (json) writeJsonLine(context.stdout, entries);
          else for (const e of entries) context.stdout.write(`${e.isDir ? '       <dir>' : String(e.size).padStart(12)}  ${e.name}\n`);
          return 0;
        });
      case 'rm':
        return onRepl(async (repl) => {
          const path = need(operands[0], 'rm', 'the board path to delete');
          const removed = await removeFile(repl, path, { signal: context.signal });
          context.stdout.write(removed ? `Removed ${toRemotePath(path)}.\n` : `${toRemotePath(path)} was not there.\n`);
          return 0;
        });
      case 'push':
        return onRepl(async (repl) => {
          const localPath = need(operands[0], 'push', 'the file to copy');
          const remotePath = stringOption(args, 'to') ?? `/flash/${basename(localPath)}`;
          const started = performance.now();
          const result = await pushFile(repl, {
            localPath,
            remotePath,
            signal: context.signal,
            onProgress: (done, total) => {
              if (context.isTTY && !json) context.stdout.write(`\r${remotePath}: ${formatBytes(done)} of ${formatBytes(total)}   `);
            },
          });
          if (json) writeJsonLine(context.stdout, result);
          else {
            const seconds = (performance.now() - started) / 1000;
            context.stdout.write(
              `${context.isTTY ? '\r' : ''}${result.remotePath}: ` +
                (result.skipped
                  ? `already on the board (same sha256), nothing sent.\n`
                  : `${formatBytes(result.bytes)} copied and verified (sha256 ${result.sha256.slice(0, 16)}…) in ${seconds.toFixed(1)} s.\n`),
            );
          }
          return 0;
        });
      case 'push-module':
        return onRepl(async (repl) => {
          const folder = need(operands[0], 'push-module', 'the folder with the module files');
          await pushModuleFolder(repl, folder, {
            signal: context.signal,
            onFile: (name, result) => context.stdout.write(`${name}: ${result.skipped ? 'already there' : `${formatBytes(result.bytes)} copied`}\n`),
          });
          return 0;
        });
      case 'upgrade':
        // --on-board: the board's own updater reads the file from its SD card or /flash.
        if (flagOption(args, 'on-board')) return runOnBoardCommand(args, operands, port, context);
        return runBoardUpgrade(args, operands, port, context);
      default:
        throw new UsageError(`pycom-modem board: no action named "${action}".`, 'Run `pycom-modem help board` for the list.');
    }
  },
};

function need(value: string | undefined, action: string, what: string): string {
  if (!value) throw new UsageError(`pycom-modem board ${action} needs ${what}.`, 'Run `pycom-modem help board` for the usage.');
  return value;
}

function parseFfh(text: string | undefined): 'auto' | boolean {
  if (text === undefined || text === 'auto') return 'auto';
  if (text === 'yes' || text === 'true') return true;
  if (text === 'no' || text === 'false') return false;
  throw new UsageError(`pycom-modem board upgrade: --ffh ${text} is not one of auto, yes, no.`, 'Use --ffh auto (default), yes or no.');
}

async function runBoardUpgrade(args: ParsedArgs, files: string[], port: PortAccess, context: CliContext): Promise<number> {
  if (files.length === 0) {
    throw new UsageError('pycom-modem board upgrade needs the firmware file(s).', 'Pass the .dup file, e.g. `pycom-modem board upgrade --port /dev/ttyUSB0 CATM1-41065.dup`.');
  }
  const source = await firmwareSource(files, stringListOption(args, 'pick'));
  const engine = new UpgradeEngine();
  const json = flagOption(args, 'json');
  const detach = showEngineEvents(engine, context, { json });
  try {
    const updaterPath = stringOption(args, 'updater');
    const folder = stringOption(args, 'sqnsupgrade-dir');
    const reportPath = stringOption(args, 'report');
    const timeouts = timeoutsFromArgs(args, 'board');
    const boardTimeouts = boardTimeoutsFromArgs(args, 'board');
    const ffh = parseFfh(stringOption(args, 'ffh'));
    const method = parseTransferMethodOption(stringOption(args, 'method'));
    const transcriptDir = stringOption(args, 'transcript-dir') ?? defaultTranscriptDir(context.env);
    const run: RecordedRun = { portPath: port.path, files, transcriptDir, json, ...(updaterPath ? { updaterPath } : {}), ...(reportPath ? { reportPath } : {}) };
    const outcome = await runRecordedAttempt(context, run, engine.events, () =>
      runFullUpgrade(
        {
          port,
          files: source.files,
          ...(source.packageSource ? { packageSource: source.packageSource } : {}),
          ...(source.packagePick ? { packagePick: source.packagePick } : {}),
          ffh,
          method,
          confirm: confirmWarningsFor(context, args, { json }),
          ...(flagOption(args, 'updater-debug') ? { updaterDebug: true } : {}),
          ...(updaterPath ? { updaterPath } : {}),
          ...(folder ? { sqnsupgradeFolder: folder } : {}),
          ...(timeouts ? { timeouts } : {}),
          ...(boardTimeouts ? { boardTimeouts } : {}),
          transcriptDir,
        },
        { engine, signal: context.signal },
      ),
    );
    return upgradeExitCode(outcome);
  } finally {
    detach();
  }
}

/** `board upgrade` with several --port (or --all): the same request for each board, run as a fleet. */
async function runFleetBoardUpgrade(args: ParsedArgs, files: string[], portPaths: string[], context: CliContext): Promise<number> {
  if (files.length === 0) {
    throw new UsageError('pycom-modem board upgrade needs the firmware file(s).', 'Pass the .dup file, e.g. `pycom-modem board upgrade --port /dev/ttyUSB0 --port /dev/ttyUSB1 CATM1-41065.dup`.');
  }
  const source = await firmwareSource(files, stringListOption(args, 'pick'));
  const updaterPath = stringOption(args, 'updater');
  const folder = stringOption(args, 'sqnsupgrade-dir');
  const timeouts = timeoutsFromArgs(args, 'board');
  const boardTimeouts = boardTimeoutsFromArgs(args, 'board');
  return runFleetCommand(args, context, {
    files,
    portPaths,
    request: {
      files: source.files,
      ...(source.packageSource ? { packageSource: source.packageSource } : {}),
      ...(source.packagePick ? { packagePick: source.packagePick } : {}),
      ffh: parseFfh(stringOption(args, 'ffh')),
      method: parseTransferMethodOption(stringOption(args, 'method')),
      transcriptDir: stringOption(args, 'transcript-dir') ?? defaultTranscriptDir(context.env),
      ...(flagOption(args, 'updater-debug') ? { updaterDebug: true } : {}),
      ...(updaterPath ? { updaterPath } : {}),
      ...(folder ? { sqnsupgradeFolder: folder } : {}),
      ...(timeouts ? { timeouts } : {}),
      ...(boardTimeouts ? { boardTimeouts } : {}),
    },
  });
}
