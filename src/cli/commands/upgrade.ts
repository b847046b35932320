import { continueAction, readLastAttempt } from '../../core/engine/lastAttempt';
import { UpgradeEngine, type UpgradeRequest } from '../../core/engine/upgradeEngine';
import type { UpgradeTimeouts } from '../../core/engine/upgradeTimeouts';
import { UsageError } from '../../core/errors';
import type { ModemState } from '../../core/parse/modemVersion';
import { flagOption, parseCommandArgs, requirePort, stringListOption, stringOption } from '../args';
import type { CliCommand, CliContext } from '../cliCommand';
import { JSON_OPTION, PORT_OPTION, TIMEOUT_SCALE_OPTION, defaultTranscriptDir, portFor, showEngineEvents, timeoutsFromArgs, upgradeExitCode } from '../cliSupport';
import { askYesNo } from '../prompt';
import { commandLine } from '../userActionText';
import { confirmWarningsFor, YES_OPTION, YES_USAGE } from '../confirmWarnings';
import { parseTransferMethodOption, type TransferMethodChoice } from '../../core/engine/upgradePlan';
import type { ConfirmWarnings } from '../../core/preflight/preflightGate';
import { runRecordedAttempt, type RecordedRun } from '../recordedAttempt';
import { writeJsonLine } from '../renderJson';
import { describeModemState } from '../renderText';
import { basename } from 'node:path';
import { stat } from 'node:fs/promises';
import { firmwareSource } from '../firmwareSource';
import { openFirmwarePackage } from '../../core/package/firmwarePackage';
import { chooseFilesFromPackage } from '../../core/package/choosePackageFiles';
import { choiceRefusalError, packageChoiceLines, packageChoiceResult } from '../../core/package/packageChoiceCheck';
import { passPreflightGate } from '../../core/preflight/preflightGate';
import { preflightModem } from '../../core/preflight/upgradeFilesFacts';
import type { PortOwner } from '../../core/transport/portOwner';

interface UpgradeRun extends RecordedRun {
  timeouts?: Partial<UpgradeTimeouts>;
  method?: TransferMethodChoice;
  confirm: ConfirmWarnings;
  /** With a package: names of its files to send instead of the tool's choice. */
  pick?: string[];
}

export const upgradeCommand: CliCommand = {
  name: 'upgrade',
  summary: 'Upgrade the modem firmware over a port in mirror mode (host half of the upgrade).',
  usage: `Usage: pycom-modem upgrade --port <path> [--updater updater.elf] FILE.dup [FILE2.dup] [options]
       pycom-modem upgrade --port <path> PACKAGE.zip|FOLDER [--pick NAME] [options]
       pycom-modem upgrade --port <path>      (no file: continue an interrupted upgrade)

Sends the firmware to the modem through a board already in mirror mode
(sqnsupgrade.uart(...) printed "Going into MIRROR mode"; close that terminal first).
The tool detects the modem's state and picks the method:
  state 2 (application)  full image > 4 MiB: ON_THE_FLY; diff: FFF
  state 4 (interrupted)  resumes the transfer
  state 0 (recovery)     needs --updater updater.elf and the full image
Two-stage upgrades: pass the -1 file then the -2 file (stage 1 goes ON_THE_FLY
whatever its size, as Pycom's instructions say). Once the modem is read, the same
checks as \`check\` run: a failure refuses, a warning needs --yes (or a "y" on a terminal).

Given Pycom's firmware package (.zip, or the folder it was extracted to), the tool
reads the modem first and chooses its files (the diff from its build, else the full
image; updater.elf in recovery), each with why; --pick NAME sends that file instead.

Each attempt's files are remembered (last-attempt.json in the transcript folder).
Without a file, the tool reads the modem's state: in state 4 or 0 it names the files
of the last attempt and the command that continues it (and offers to run it when
stdin is a terminal).

On failure it prints a diagnosis: the cause and what to do next.

Options:
  --port, -p <path>        serial port of the board (see \`pycom-modem ports\`)
  --updater <file>         updater.elf, for a modem in recovery (state 0)
  --report <file.md>       write a diagnostic report (Markdown, for a forum post or an issue)
  --transcript-dir <dir>   where the session log goes (default: $PYCOM_MODEM_TRANSCRIPT_DIR, else the
                           state folder: $XDG_STATE_HOME or ~/.local/state/pycom-modem on Linux,
                           %LOCALAPPDATA%\\pycom-modem on Windows, ~/Library/Application Support/pycom-modem on macOS)
  --json                   one JSON event per line on stdout
  --timeout-scale <F>      multiply every wait by F (e.g. 2 for a slow modem)
  --method <M>             auto (default, Pycom's rules), on-the-fly or fff: overrides the choice
${YES_USAGE}
  --verbose                show every AT exchange; stacks on errors

Exit status: 0 when the upgrade succeeded, 1 when it failed or was cancelled, 2 on a usage error
(and when no file was given: nothing was sent).`,
  async run(context) {
    const args = parseCommandArgs('upgrade', context.argv, {
      ...PORT_OPTION,
      ...JSON_OPTION,
      ...TIMEOUT_SCALE_OPTION,
      updater: { type: 'string' },
      report: { type: 'string' },
      'transcript-dir': { type: 'string' },
      method: { type: 'string' },
      pick: { type: 'string', multiple: true },
      ...YES_OPTION,
    });
    const portPath = requirePort(args, 'upgrade');
    const pick = stringListOption(args, 'pick');
    const updaterPath = stringOption(args, 'updater');
    const reportPath = stringOption(args, 'report');
    const timeouts = timeoutsFromArgs(args, 'upgrade');
    const run: Omit<UpgradeRun, 'files'> = {
      portPath,
      transcriptDir: stringOption(args, 'transcript-dir') ?? defaultTranscriptDir(context.env),
      json: flagOption(args, 'json'),
      ...(updaterPath ? { updaterPath } : {}),
      ...(reportPath ? { reportPath } : {}),
      ...(timeouts ? { timeouts } : {}),
      method: parseTransferMethodOption(stringOption(args, 'method')),
      confirm: confirmWarningsFor(context, args, { json: flagOption(args, 'json') }),
      ...(pick.length ? { pick } : {}),
    };
    if (args.positionals.length === 0) return offerResume(context, run);
    return runUpgrade(context, { ...run, files: args.positionals });
  },
};

async function runUpgrade(context: CliContext, run: UpgradeRun): Promise<number> {
  const source = await firmwareSource(run.files, run.pick ?? []);
  if (source.packageSource) return runPackageUpgrade(context, run, source.packageSource);
  const engine = new UpgradeEngine();
  const detach = showEngineEvents(engine, context, { json: run.json });
  try {
    const outcome = await runRecordedAttempt(context, run, engine.events, () =>
      engine.upgrade(hostRequest(run, portFor(context, run.portPath), run.files, run.updaterPath), context.signal),
    );
    return upgradeExitCode(outcome);
  } finally {
    detach();
  }
}

/** The engine's request for the host half: the command line's waits, method and confirmation with these files. */
function hostRequest(run: UpgradeRun, port: PortOwner, files: string[], updaterPath: string | undefined): UpgradeRequest {
  return {
    port,
    files,
    ...(updaterPath ? { updaterPath } : {}),
    transcriptDir: run.transcriptDir,
    ...(run.timeouts ? { timeouts: run.timeouts } : {}),
    ...(run.method ? { method: run.method } : {}),
    confirm: run.confirm,
  };
}

/**
 * The host half with a firmware package: the modem is read (it is in mirror mode
 * already), the package's files are chosen for it and shown as the first check, then
 * the engine runs with them. The attempt is recorded with the package, which outlives
 * the extracted files, so an interrupted upgrade continues from it.
 */
async function runPackageUpgrade(context: CliContext, run: UpgradeRun, packageSource: string): Promise<number> {
  const engine = new UpgradeEngine();
  const detach = showEngineEvents(engine, context, { json: run.json });
  try {
    const pkg = await openFirmwarePackage(packageSource);
    try {
      const port = portFor(context, run.portPath);
      const info = await engine.info({ port, ...(run.timeouts ? { timeouts: run.timeouts } : {}) }, context.signal);
      const extra = run.updaterPath ? [{ name: basename(run.updaterPath), size: (await stat(run.updaterPath)).size, path: run.updaterPath }] : [];
      const choice = chooseFilesFromPackage([...pkg.files, ...extra], preflightModem(info.state, info.report), {
        ...(run.method ? { method: run.method } : {}),
        ...(run.pick ? { pick: run.pick } : {}),
        boardRunsFfh: false,
      });
      const result = packageChoiceResult(choice);
      const emit = (event: Parameters<typeof engine.events.emit>[0]) => engine.events.emit(event);
      for (const line of packageChoiceLines(choice, pkg.ignored)) emit({ kind: 'log', level: 'info', message: line, atMs: Date.now() });
      const refusal = choiceRefusalError(choice);
      emit({ kind: 'preflight', results: [result], isReady: !refusal, atMs: Date.now() });
      // Refused, or its own warnings (a downgrade) not confirmed: nothing was sent, nothing is recorded.
      if (refusal) throw refusal;
      await passPreflightGate([result], { confirm: run.confirm });
      const outcome = await runRecordedAttempt(context, run, engine.events, async () => {
        emit({ kind: 'log', level: 'info', message: `Files chosen from ${basename(packageSource)}: ${choice.summary}`, atMs: Date.now() });
        const files = choice.firmware.map((file) => file.path);
        return engine.upgrade(hostRequest(run, port, files, choice.updater?.path), context.signal);
      });
      return upgradeExitCode(outcome);
    } finally {
      await pkg.dispose();
    }
  } finally {
    detach();
  }
}

/**
 * `upgrade --port P` with no file: if the modem sits in upgrade mode (4) or its bootrom
 * (0), an earlier upgrade was interrupted; name the files it used and the command that
 * continues it. Nothing is sent but AT, AT+SMOD? and the version queries.
 */
async function offerResume(context: CliContext, run: Omit<UpgradeRun, 'files'>): Promise<number> {
  const last = await readLastAttempt(run.transcriptDir, run.portPath);
  const engine = new UpgradeEngine();
  const detach = run.json || context.verbose ? showEngineEvents(engine, context, { json: run.json }) : () => undefined;
  let state: ModemState;
  try {
    ({ state } = await engine.info({ port: portFor(context, run.portPath), ...(run.timeouts ? { timeouts: run.timeouts } : {}) }, context.signal));
  } finally {
    detach();
  }
  if (state !== 4 && state !== 0) {
    throw new UsageError(
      'pycom-modem upgrade needs the firmware file(s) to send.',
      `The modem is in state ${describeModemState(state)}: there is no interrupted upgrade to continue. ` +
        'Pass the .dup file, e.g. `pycom-modem upgrade --port /dev/ttyUSB0 CATM1-41065.dup`.',
    );
  }
  const command = last ? commandLine(continueAction(last, run.portPath, state)) : undefined;
  // The files of the last attempt can run as they are, unless state 0 needs an updater.elf it did not have.
  const canRunAsIs = last !== undefined && (state === 4 || last.updaterPath !== undefined);
  const advice =
    state === 4
      ? 'The modem is in upgrade mode (state 4): an earlier upgrade was interrupted. Run it again with the same firmware file: the tool resumes it.'
      : 'The modem is in its recovery bootrom (state 0): an earlier upgrade was interrupted before the new firmware was complete. Run the upgrade with the full .dup image and --updater updater.elf (the recovery method).';
  if (run.json) {
    writeJsonLine(context.stdout, { kind: 'resumeOffer', state, advice, ...(last ? { lastAttempt: last } : {}), ...(command ? { command } : {}) });
    return 2;
  }
  const out = (line: string) => context.stdout.write(`${line}\n`);
  out(advice);
  if (last) {
    out(`The last attempt (${last.startedAt}, ${last.outcome === 'running' ? 'did not finish: the tool was closed' : last.outcome}) used:`);
    if (last.updaterPath) out(`  updater: ${last.updaterPath}`);
    for (const file of last.files) out(`  ${file}`);
  } else {
    out(`No earlier attempt is recorded in ${run.transcriptDir}.`);
  }
  if (command) out(`To continue: ${command}${canRunAsIs ? '' : ' (updater.elf from the same firmware archive)'}`);
  if (last && canRunAsIs && (await askYesNo(context, 'Continue now with these files?'))) {
    return runUpgrade(context, { ...run, files: last.files, ...(last.updaterPath && state !== 4 ? { updaterPath: last.updaterPath } : {}) });
  }
  return 2;
}
