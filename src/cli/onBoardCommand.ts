import { UpgradeEngine } from '../core/engine/upgradeEngine';
import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import { parseTransferMethodOption } from '../core/engine/upgradePlan';
import { UsageError } from '../core/errors';
import { runOnBoardUpgrade, type OnBoardFirmware } from '../core/board/onBoardUpgrade';
import type { PortAccess } from '../core/transport/portOwner';
import { flagOption, numberOption, stringOption, type OptionSpec, type ParsedArgs } from './args';
import type { CliContext } from './cliCommand';
import { renderCliReport, writeReportFile } from './cliReport';
import { defaultTranscriptDir, showEngineEvents, upgradeExitCode } from './cliSupport';
import { confirmWarningsFor } from './confirmWarnings';
import { writeJsonLine } from './renderJson';

/** `board upgrade --on-board …`: the options only it reads. */
export const ON_BOARD_OPTIONS: OptionSpec = {
  'on-board': { type: 'boolean' },
  keep: { type: 'boolean' },
};

export const ON_BOARD_USAGE = `  upgrade --on-board /sd/FILE.dup [/sd/updater.elf]
                                the board's own updater (sqnsupgrade.run) reads the file from
                                its SD card (or /flash/…) and sends it to the modem itself:
                                the fastest method; the board stays at its REPL (no mirror
                                mode). The second path: updater.elf on the board, for a modem
                                in recovery (then always ON_THE_FLY)
  upgrade --on-board flash DIFF.dup
                                the /flash method: copies the local diff file to /flash
                                (verified), runs it there, removes it afterwards (--keep to
                                leave it). Diff files only: a full image does not fit
      with --on-board: --method on-the-fly (load_fff=False, stage 1 of a two-stage upgrade),
      --report, --transcript-dir, --timeout-scale, --updater-debug, --yes as above`;

/** Options of the USB upgrade that mean nothing to the board's own updater. */
const NOT_ON_BOARD = ['updater', 'ffh', 'sqnsupgrade-dir', 'all', 'pick'] as const;

/** The firmware and updater.elf from the operands: board paths, or `flash` and a local diff. */
export function onBoardOperands(operands: string[]): { firmware: OnBoardFirmware; updaterPath?: string } {
  const usage = (message: string) =>
    new UsageError(
      `pycom-modem board upgrade --on-board: ${message}`,
      'Give the file as the board sees it, e.g. `board upgrade --port P --on-board /sd/CATM1-41065.dup`, or a local diff for /flash: `board upgrade --port P --on-board flash upgdiff_38638-to-41065.dup`.',
    );
  const [first, second, ...rest] = operands;
  if (!first) throw usage('needs the firmware file.');
  if (rest.length) throw usage(`takes at most two files, got ${operands.length}.`);
  if (first === 'flash') {
    if (!second) throw usage('`flash` needs the local diff file to copy to /flash.');
    return { firmware: { kind: 'via-flash', localPath: second } };
  }
  if (!first.startsWith('/')) throw usage(`${first} is not a board path (it starts with /sd/ or /flash/).`);
  if (second !== undefined && (!second.startsWith('/') || !/\.elf$/i.test(second))) {
    throw usage(`the second file must be updater.elf on the board (e.g. /sd/updater.elf), not ${second}.`);
  }
  return { firmware: { kind: 'on-board', path: first }, ...(second ? { updaterPath: second } : {}) };
}

/**
 * `board upgrade --on-board`: the SD card or /flash method (PROTOCOL.md §9), rendered as the
 * USB upgrade is (text or JSON lines), with its transcript and --report. No last-attempt
 * record: the files are on the board, and `upgrade --port P` could not resume from them.
 */
export async function runOnBoardCommand(args: ParsedArgs, operands: string[], port: PortAccess, context: CliContext): Promise<number> {
  for (const name of NOT_ON_BOARD) {
    if (args.values[name] !== undefined) {
      throw new UsageError(
        `pycom-modem board upgrade: --${name} does not go with --on-board.`,
        name === 'updater'
          ? 'Give updater.elf as the second board path: `--on-board /sd/FILE.dup /sd/updater.elf`.'
          : 'The board’s own updater runs on one board, from its SD card or /flash; leave the option out.',
      );
    }
  }
  const { firmware, updaterPath } = onBoardOperands(operands);
  if (flagOption(args, 'keep') && firmware.kind !== 'via-flash') {
    throw new UsageError('pycom-modem board upgrade: --keep is for the /flash method (`--on-board flash DIFF.dup`).', 'Leave --keep out: a file on the SD card is never removed.');
  }
  const method = parseTransferMethodOption(stringOption(args, 'method'));
  const runScale = numberOption(args, 'board', 'timeout-scale', { min: 0.0001, max: 100 });
  const json = flagOption(args, 'json');
  const reportPath = stringOption(args, 'report');
  // The engine only for its event stream: the same renderer as the USB upgrade.
  const engine = new UpgradeEngine();
  const detach = showEngineEvents(engine, context, { json });
  const seen: UpgradeEvent[] = [];
  const stopRecording = engine.events.on((event) => seen.push(event));
  try {
    const outcome = await runOnBoardUpgrade(
      {
        port,
        firmware,
        ...(updaterPath ? { updaterPath } : {}),
        ...(method === 'on-the-fly' ? { loadFff: false } : {}),
        ...(flagOption(args, 'keep') ? { keepOnFlash: true } : {}),
        ...(flagOption(args, 'updater-debug') ? { updaterDebug: true } : {}),
        ...(runScale !== undefined ? { timeouts: { runScale } } : {}),
        confirm: confirmWarningsFor(context, args, { json }),
        transcriptDir: stringOption(args, 'transcript-dir') ?? defaultTranscriptDir(context.env),
      },
      { events: engine.events, signal: context.signal },
    );
    stopRecording();
    if (reportPath) {
      const files = [firmware.kind === 'on-board' ? firmware.path : firmware.localPath, ...(updaterPath ? [updaterPath] : [])];
      await writeReportFile(reportPath, await renderCliReport(seen, { portPath: port.path, files }));
      if (json) writeJsonLine(context.stdout, { kind: 'report', path: reportPath });
      else context.stdout.write(`Diagnostic report: ${reportPath}\n`);
    } else if (outcome.outcome !== 'success' && !json) {
      context.stdout.write('For a forum post or an issue, run again with --report report.md (or see the transcript).\n');
    }
    return upgradeExitCode(outcome);
  } finally {
    stopRecording();
    detach();
  }
}
