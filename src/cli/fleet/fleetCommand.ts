import { UsageError } from '../../core/errors';
import { listSerialPorts } from '../../core/transport/portList';
import type { PortOpener } from '../../core/transport/byteTransport';
import { flagOption, numberOption, stringOption, type OptionSpec, type ParsedArgs } from '../args';
import type { CliContext } from '../cliCommand';
import { writeReportFile } from '../cliReport';
import { openerFor } from '../cliSupport';
import { confirmWarningsFor } from '../confirmWarnings';
import { finishedAttempt, newAttempt, portAttemptPath, readLastAttempt, writeLastAttempt, type LastAttempt } from '../../core/engine/lastAttempt';
import { rm } from 'node:fs/promises';
import { askYesNo } from '../prompt';
import { writeJsonLine } from '../renderJson';
import { createFleetRenderer, type FleetRenderMode } from './fleetRenderer';
import { fleetReasonText, renderFleetReport, renderFleetTable } from './fleetTable';
import { fleetExitCode, runFleetUpgrade, type FleetBoardOutcome, type FleetBoardRequest } from '../../core/fleet/fleetUpgrade';

export const FLEET_OPTIONS: OptionSpec = {
  all: { type: 'boolean' },
  'max-parallel': { type: 'string' },
};

export const FLEET_USAGE = `      --port P --port Q …       several boards at once, each its own upgrade in parallel,
                                then one table (port, IMEI, build before → after, result)
      --all                     every port that looks like a Pycom board (listed, and
                                confirmed on a terminal, or --yes)
      --max-parallel N          at most N boards at a time (default: all)
      With several boards a board whose checks refuse is skipped; one with warnings is
      skipped too unless --yes (no prompt per board mid-run); exit 0 only if every board
      that ran succeeded, 2 if all were skipped.`;

export interface FleetCommandOptions {
  files: string[];
  /** The ports given with --port (empty with --all). */
  portPaths: string[];
  /** The same request for every board, as the single-board upgrade builds it. */
  request: FleetBoardRequest;
  /** Opens each board's port; the context's opener (or the serial ports) when absent. */
  opener?: PortOpener;
}

/** The ports `--all` means: every port that looks like a Pycom board, listed first. */
async function portsForAll(context: CliContext, args: ParsedArgs, json: boolean): Promise<string[]> {
  const found = (await (context.listPorts ?? listSerialPorts)()).filter((port) => port.isLikelyPycom);
  if (found.length === 0) throw new UsageError('pycom-modem board upgrade --all: no Pycom board found.', 'Run `pycom-modem ports` to see the serial ports, or pass each with --port.');
  const paths = found.map((port) => port.path);
  if (flagOption(args, 'yes')) return paths;
  if (json || !context.canPrompt) {
    throw new UsageError(
      `pycom-modem board upgrade --all found ${paths.join(', ')}; without a terminal to confirm, it needs --yes.`,
      'Run it again with --yes, or name the boards with --port.',
    );
  }
  context.stdout.write(`Pycom boards found:\n${found.map((port) => `  ${port.description}`).join('\n')}\n`);
  if (!(await askYesNo(context, `Upgrade the modem on these ${paths.length} boards?`))) {
    throw new UsageError('pycom-modem board upgrade --all: not confirmed; nothing was changed.', 'Run it again and answer y, or pass --yes.');
  }
  return paths;
}

/**
 * `board upgrade` on several boards: each board its own upgrade (own port owner, engine,
 * transcript) in parallel, drawn live, then the table and, with --report, one report.
 */
export async function runFleetCommand(args: ParsedArgs, context: CliContext, options: FleetCommandOptions): Promise<number> {
  const json = flagOption(args, 'json');
  const portPaths = flagOption(args, 'all') ? [...new Set([...options.portPaths, ...(await portsForAll(context, args, json))])] : options.portPaths;
  const duplicate = portPaths.find((path, index) => portPaths.indexOf(path) !== index);
  if (duplicate) throw new UsageError(`pycom-modem board upgrade: --port ${duplicate} was given twice.`, 'Name each board once: one port, one upgrade.');
  const maxParallel = numberOption(args, 'board', 'max-parallel', { min: 1, integer: true });
  const mode: FleetRenderMode = json ? 'json' : context.isTTY ? 'live' : 'prefixed';
  const renderer = createFleetRenderer(context.stdout, portPaths, { mode, verbose: context.verbose ?? false, actionDefaults: (port) => ({ port }) });
  const records = new FleetAttemptRecords(context, options.request);
  let outcomes: FleetBoardOutcome[];
  try {
    outcomes = await runFleetUpgrade({
      portPaths,
      opener: options.opener ?? openerFor(context),
      request: options.request,
      ...(maxParallel !== undefined ? { maxParallel } : {}),
      // --yes answers every board's warnings; without it a board with warnings is skipped, never asked mid-run.
      ...(flagOption(args, 'yes') ? { confirm: confirmWarningsFor(context, args, { json }) } : {}),
      signal: context.signal,
      onBoardStart: (port) => records.start(port),
      onEvent: (port, event) => renderer.event(port, event),
      onBoardDone: (outcome) => {
        records.finish(outcome);
        renderer.boardDone(outcome);
      },
    });
  } finally {
    renderer.finish();
    await records.settled();
  }
  if (json) {
    for (const o of outcomes) {
      writeJsonLine(context.stdout, {
        kind: 'fleetBoard',
        port: o.portPath,
        result: o.result,
        ...(o.reason ? { reason: fleetReasonText(o) } : {}),
        ...(o.board ? { board: o.board } : {}),
        ...(o.imei ? { imei: o.imei } : {}),
        ...(o.buildBefore !== undefined ? { buildBefore: o.buildBefore } : {}),
        ...(o.buildAfter !== undefined ? { buildAfter: o.buildAfter } : {}),
        durationMs: Math.round(o.durationMs),
        ...(o.transcriptPath ? { transcriptPath: o.transcriptPath } : {}),
      });
    }
  } else {
    context.stdout.write(`\n${renderFleetTable(outcomes)}`);
  }
  const reportPath = stringOption(args, 'report');
  if (reportPath) {
    await writeReportFile(reportPath, await renderFleetReport(outcomes, { files: [...(options.request.updaterPath ? [options.request.updaterPath] : []), ...options.files] }));
    if (json) writeJsonLine(context.stdout, { kind: 'report', path: reportPath });
    else context.stdout.write(`Report: ${reportPath}\n`);
  }
  return fleetExitCode(outcomes);
}

/**
 * Each board's own last-attempt record (last-attempts/<port>.json in the transcript
 * folder), as `upgrade` keeps one: `upgrade --port P` on a board of the fleet that was
 * interrupted names its files. A board its checks refused changed nothing: its previous
 * record stays. The shared last-attempt.json is left to single-board runs.
 */
class FleetAttemptRecords {
  private readonly previous = new Map<string, Promise<LastAttempt | undefined>>();
  private readonly started = new Map<string, LastAttempt>();
  private readonly writes: Promise<void>[] = [];

  constructor(
    private readonly context: CliContext,
    private readonly request: FleetBoardRequest,
  ) {}

  start(portPath: string): void {
    const dir = this.request.transcriptDir;
    if (!dir) return;
    // A package attempt is remembered by its package: `upgrade --port P PACKAGE` picks from it again.
    const files = this.request.packageSource ? [this.request.packageSource] : this.request.files;
    const attempt = newAttempt(portPath, files, this.request.updaterPath);
    this.started.set(portPath, attempt);
    // The previous record is read before the new one replaces it.
    const previous = readLastAttempt(dir, portPath).then((last) => (last?.portPath === portPath ? last : undefined));
    this.previous.set(portPath, previous);
    this.track(portPath, previous.then(() => writeLastAttempt(dir, attempt, { isNewest: false })));
  }

  finish(outcome: FleetBoardOutcome): void {
    const dir = this.request.transcriptDir;
    const attempt = this.started.get(outcome.portPath);
    if (!dir || !attempt) return;
    const previous = this.previous.get(outcome.portPath)!;
    const write = () =>
      outcome.result === 'skipped'
        ? previous.then((last) => (last ? writeLastAttempt(dir, last, { isNewest: false }) : rm(portAttemptPath(dir, outcome.portPath), { force: true })))
        : writeLastAttempt(dir, finishedAttempt(attempt, outcome.events), { isNewest: false });
    // After the board's first write, so the record ends as the board did.
    this.track(outcome.portPath, Promise.all(this.writes).then(write));
  }

  async settled(): Promise<void> {
    await Promise.all(this.writes);
  }

  /** A convenience: failing to write it is a warning, never a reason to stop a board. */
  private track(portPath: string, write: Promise<unknown>): void {
    this.writes.push(
      write.then(
        () => undefined,
        (error: unknown) => void this.context.stderr.write(`Warning: could not write the last-attempt record of ${portPath}: ${(error as Error).message}\n`),
      ),
    );
  }
}
