import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ModemToolError, OperationAbortedError, ReadTimeoutError, UsageError } from '../errors';
import type { TypedEmitter } from '../events/typedEmitter';
import { ProgressPacer } from '../engine/progressFigures';
import type { StepRunner, UnstampedEvent } from '../engine/stepRunner';
import type { UpgradeOutcome } from '../engine/upgradeEngine';
import type { StepId, UpgradeEvent, UpgradePath, WaitInfo } from '../engine/upgradeEvents';
import { errorInfo, UpgradeRun } from '../engine/upgradeRun';
import { WAIT_PHASES, type WaitPhase } from '../engine/upgradeTimeouts';
import { classifyFirmwareFileName, FFF_MAX_BYTES } from '../parse/firmwareFile';
import type { ModemVersionReport } from '../parse/modemVersion';
import { firstUpdaterFailure, recogniseUpdaterLine, type UpdaterMessageId } from '../parse/updaterMessages';
import { onBoardPhaseOf, parseProgressBar, parseUpdaterVersionBlock } from '../parse/updaterProgress';
import { runPreflight, type PreflightFacts, type PreflightResult } from '../preflight/preflight';
import { FLASH_MARGIN_BYTES } from '../preflight/preflightFacts';
import { passPreflightGate, type ConfirmWarnings } from '../preflight/preflightGate';
import { preflightModem } from '../preflight/upgradeFilesFacts';
import { pyStr } from '../repl/pythonQuote';
import type { RawRepl } from '../repl/rawRepl';
import { BoardExecError, LineAssembler } from '../repl/replOutput';
import { replLineFor } from '../repl/replTurn';
import type { PortAccess } from '../transport/portOwner';
import { flashSpace, pushFile, removeFile } from './boardFiles';
import type { BoardIdentity } from './boardIdentity';
import type { BoardModemRead } from './boardModemRead';
import { checkSqnsupgrade } from './boardUpgradeTrigger';
import { FLASH_ROOT, isSdCardPath, lookUpBoardFile } from './onBoardFiles';
import { beginBoardConnect, finishBoardConnect } from './steps/connectBoard';
import { identifyBoardStep } from './steps/identifyBoardStep';
import { readModemStep } from './steps/readModemStep';

/**
 * The on-board methods (PROTOCOL.md §9): the board's own updater, `sqnsupgrade.run(path
 * [, mfile])`, reads the firmware from the SD card (`/sd`, the fastest: no serial line in
 * the way) or from `/flash` (diff files only: a full image does not fit) and sends it to
 * the modem over the board's own UART. The board stays at its REPL: no mirror mode.
 *
 * One run on one turn of the port: connect, identify, the modem read by the board's
 * info() (the version before), the file found on the board (the /flash method: a local
 * diff pushed first, verified), the preflight gate, then run() in the raw REPL with every
 * line it prints turned into the host transfer's events: the steps prepare → transfer →
 * await-upgrade → report, progress from its bar, the waits (the modem writing its flash
 * is never a time to unplug), the version after from its version block, and its failure
 * messages as the diagnosis. A diff pushed to /flash is removed afterwards unless asked.
 */

export type OnBoardFirmware =
  /** A file already on the board: `/sd/NAME.dup` (the SD card method) or `/flash/NAME.dup`. */
  | { kind: 'on-board'; path: string }
  /** The /flash method: a local diff file, copied to /flash (verified) and run there. */
  | { kind: 'via-flash'; localPath: string };

export interface OnBoardTimeouts {
  /** The board answers Ctrl-A / Ctrl-C. */
  replyMs: number;
  /** The whole `sqnsupgrade.run()`: default from the published updater's waits plus the transfer (onBoardRunBudgetMs). */
  runMs?: number;
  /** Multiplies the default budget of the run (a slow modem: 2; a fast simulator: 0.01); runMs wins when given. */
  runScale?: number;
  /** How often a wait is reported again while the board prints nothing. */
  waitReportIntervalMs: number;
}

export const DEFAULT_ON_BOARD_TIMEOUTS: Readonly<OnBoardTimeouts> = Object.freeze({ replyMs: 1_500, waitReportIntervalMs: 10_000 });

export interface OnBoardUpgradeRequest {
  port: PortAccess;
  replBaudRate?: number;
  firmware: OnBoardFirmware;
  /** updater.elf already on the board (`/sd/…` or `/flash/…`), for a modem in recovery: the board loads it, ON_THE_FLY follows. */
  updaterPath?: string;
  /** false: ON_THE_FLY even for a small file (`load_fff=False`, stage 1 of a two-stage upgrade). Default: the updater's rule. */
  loadFff?: boolean;
  /** The /flash method: leave the pushed diff on /flash afterwards (default: removed). */
  keepOnFlash?: boolean;
  transcriptDir?: string;
  timeouts?: Partial<OnBoardTimeouts>;
  confirm?: ConfirmWarnings;
  /** The board's updater runs with `debug=True`: its AT exchanges go into the transcript. */
  updaterDebug?: boolean;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
/**
 * The published updater's own waits around a transfer (PROTOCOL.md §9): 10 probes of ~21 s,
 * a reboot into its updater (300 s), updater.elf loading (minutes), 100 probes (~35 min)
 * while the modem writes, AT+SMUPGRADE? 300 s, AT+SMSWBOOT? 300 s, the boot of the new
 * firmware (300 s), and two stalls of up to ~10 min during the transfer.
 */
const RUN_WAITS_MS = 210 * SECOND_MS + 300 * SECOND_MS + 10 * MINUTE_MS + 35 * MINUTE_MS + 3 * 300 * SECOND_MS + 2 * 10 * MINUTE_MS;
/** The board sends at 921600 8N1 with STP around it: a conservative rate for the budget. */
const BOARD_TO_MODEM_BYTES_PER_S = 40_000;
/** A line of the bar this long ago, during the transfer: the modem is thinking (a stall). */
const TRANSFER_QUIET_MS = 5 * SECOND_MS;

/** The budget for the whole `sqnsupgrade.run()` of a file of `bytes`. */
export function onBoardRunBudgetMs(bytes: number): number {
  return RUN_WAITS_MS + (bytes / BOARD_TO_MODEM_BYTES_PER_S) * SECOND_MS;
}

/** The board's updater stopped with a message (or a traceback): the board is back at its REPL. */
export class OnBoardUpdaterError extends ModemToolError {
  readonly code = 'on-board-failed';
  /** Where the board is: run() returned, so its REPL. */
  readonly boardState = 'repl';
  readonly updaterMessage?: UpdaterMessageId;
  /** The line that said it, as printed. */
  readonly updaterLine?: string;
  constructor(
    message: string,
    action: string,
    readonly lines: string[],
    options: { cause?: unknown; updaterMessage?: UpdaterMessageId; updaterLine?: string } = {},
  ) {
    super(message, action, options.cause !== undefined ? { cause: options.cause } : undefined);
    if (options.updaterMessage) this.updaterMessage = options.updaterMessage;
    if (options.updaterLine) this.updaterLine = options.updaterLine;
  }
}

/** The /flash method takes diff files only: a full image does not fit in /flash. */
export class FullImageToFlashError extends UsageError {
  constructor(name: string, size: number) {
    super(
      `${name} (${Math.round(size / 1024)} KiB) is a full firmware image: it does not fit in /flash, which takes diff files (upgdiff_<from>-to-<to>.dup) only.`,
      'Put the full image on the board’s SD card and use the SD card method, or send it over USB (the normal upgrade).',
    );
  }
}

/** Where the board and modem stand after an on-board run, in words (the result's hint). */
const ON_BOARD_STANDING = {
  untouched: 'Neither the board nor the modem was changed. You can run the upgrade again at any time.',
  atRepl: 'The modem was not changed; the board is at its REPL (no power-cycle needed). Fix the cause above and run the upgrade again.',
  stoppedBeforeTransfer:
    "The board's updater stopped before it sent any firmware; the board is back at its REPL (no power-cycle needed). Fix the cause above and run the upgrade again.",
  rejected:
    "The modem rejected the file and keeps running its old firmware; the board is back at its REPL. Power-cycle the board (unplug it, plug it back) before the next attempt.",
  stoppedAfterTransfer:
    "The board's updater stopped after sending firmware; the board is back at its REPL. Power-cycle the board (unplug it, plug it back), read the modem's info to see which build it runs, and run the upgrade again (a modem in upgrade mode resumes with the same full image).",
  cancelledBeforeTransfer:
    "Cancelled while the board's updater was preparing the modem; it had sent no firmware, but it may still be running on the board. Power-cycle the board (unplug it, plug it back), then run the upgrade again.",
  mayBeWriting:
    "The board's updater may still be sending the firmware, or the modem writing its flash. Do not unplug the board now: leave it powered at least 15 minutes (pauses that long are normal), then power-cycle it (unplug, plug back) and read the modem's info to see which build it runs.",
  done:
    'The board is back at its REPL and the modem runs the new firmware. Power-cycle the board (unplug it, plug it back) so the modem starts it cleanly: the modem has finished writing, so it is safe now.',
} as const;
type OnBoardStanding = keyof typeof ON_BOARD_STANDING;

/** The steps of the board's run, in the order they come; a line never takes the run back. */
const RUN_STEPS = ['prepare', 'transfer', 'await-upgrade', 'report'] as const satisfies readonly StepId[];
type RunStep = (typeof RUN_STEPS)[number];

interface RunWait {
  phase: WaitPhase;
  /** Since when (performance.now()). */
  sinceMs: number;
}

/**
 * Turns the lines of `sqnsupgrade.run()` into the run's steps, progress and waits, as the
 * host transfer emits them. A wait is reported when it starts and every interval while
 * the board prints nothing.
 */
class OnBoardRunTracker {
  private step: RunStep | undefined;
  private lastLineMs = performance.now();
  private wait: RunWait | undefined;
  private pacer: ProgressPacer;
  private percent = -1;
  readonly lines: string[] = [];
  private readonly reportLines: string[] = [];
  private hasTransferStarted = false;

  constructor(
    private readonly steps: StepRunner,
    private readonly emit: (event: UnstampedEvent) => void,
    private readonly file: { name: string; bytes: number },
    private readonly scale: number,
  ) {
    this.pacer = new ProgressPacer(file.bytes);
  }

  get currentStep(): RunStep | undefined {
    return this.step;
  }

  /** Firmware went to the modem (the bar moved): from here a failure may have changed it. */
  get sentFirmware(): boolean {
    return this.hasTransferStarted;
  }

  get isModemWriting(): boolean {
    return this.step === 'transfer' || this.step === 'await-upgrade';
  }

  start(call: string): void {
    this.enter('prepare', call);
  }

  line(text: string): void {
    this.lines.push(text);
    this.lastLineMs = performance.now();
    if (this.step === 'report') {
      this.reportLines.push(text);
      return;
    }
    const percent = parseProgressBar(text);
    if (percent !== undefined) {
      this.hasTransferStarted = true;
      this.enter('transfer');
      this.wait = undefined;
      this.progress(percent);
      if (percent >= 100) this.enter('await-upgrade', 'the modem writes its flash', WAIT_PHASES['post-transfer-wake']);
      return;
    }
    switch (onBoardPhaseOf(text)) {
      case 'transfer':
        this.enter('transfer');
        return;
      case 'prepare-wait':
        if (this.step === 'prepare') this.beginWait(WAIT_PHASES[/updater/i.test(text) && !/restart/i.test(text) ? 'updater-load' : 'reboot']);
        return;
      case 'write-wait':
        this.enter('await-upgrade', 'the modem writes its flash', WAIT_PHASES['post-transfer-wake']);
        return;
      case 'boot-wait':
        this.enter('await-upgrade');
        this.beginWait(WAIT_PHASES['new-firmware-boot']);
        return;
      case 'done':
        this.enter('report');
        return;
      default:
        return;
    }
  }

  /** Called every interval: a wait that lasts is reported again with its elapsed time. */
  tick(): void {
    const step = this.step;
    if (!step) return;
    if (step === 'transfer' && !this.wait && performance.now() - this.lastLineMs >= TRANSFER_QUIET_MS * Math.min(1, this.scale)) {
      this.beginWait(WAIT_PHASES['stp-silence'], this.lastLineMs);
      return;
    }
    if (this.wait) this.reportWait(step, this.wait);
  }

  /** The version block after the success line. */
  versionAfter(): ModemVersionReport | undefined {
    return parseUpdaterVersionBlock(this.reportLines);
  }

  /** Ends the last step as done. */
  finish(detail?: string): void {
    const step = this.step;
    if (!step) return;
    this.steps.event(step, 'done', detail);
    this.steps.current = undefined;
    this.step = undefined;
  }

  private enter(step: RunStep, detail?: string, wait?: WaitPhase): void {
    if (this.step === step) {
      if (wait) this.beginWait(wait);
      return;
    }
    const from = this.step ? RUN_STEPS.indexOf(this.step) : -1;
    if (RUN_STEPS.indexOf(step) < from) return;
    if (this.step) {
      const unreported = this.step === 'transfer' ? this.pacer.unreported() : undefined;
      if (unreported) this.emitProgress(this.percentToBytes(this.percent), unreported);
      this.steps.event(this.step, 'done');
    }
    // Steps between (a run that skipped the bar, e.g. a failure) are not shown as done.
    this.step = step;
    this.wait = undefined;
    this.steps.current = step;
    this.steps.event(step, 'start', detail);
    if (wait) this.beginWait(wait);
  }

  private beginWait(phase: WaitPhase, sinceMs = performance.now()): void {
    this.wait = { phase, sinceMs };
    if (this.step) this.reportWait(this.step, this.wait);
  }

  private reportWait(step: RunStep, wait: RunWait): void {
    const info: WaitInfo = {
      what: wait.phase.what,
      elapsedMs: Math.round(performance.now() - wait.sinceMs),
      normalMs: Math.round(wait.phase.normalMs * this.scale),
      budgetMs: Math.round(wait.phase.publishedMs * this.scale),
      isSafeToInterrupt: wait.phase.isSafeToInterrupt,
    };
    this.steps.event(step, 'waiting', info.what, info);
  }

  private percentToBytes(percent: number): number {
    return Math.min(this.file.bytes, Math.round((Math.max(0, percent) / 100) * this.file.bytes));
  }

  private progress(percent: number): void {
    if (percent === this.percent) return;
    this.percent = percent;
    const bytesDone = this.percentToBytes(percent);
    const figures = this.pacer.sample(bytesDone);
    if (figures) this.emitProgress(bytesDone, figures);
  }

  private emitProgress(bytesDone: number, figures: { bytesPerSecond: number; etaMs?: number }): void {
    this.emit({
      kind: 'progress',
      step: 'transfer',
      fileIndex: 1,
      fileName: this.file.name,
      bytesDone,
      bytesTotal: this.file.bytes,
      bytesPerSecond: figures.bytesPerSecond,
      ...(figures.etaMs !== undefined ? { etaMs: figures.etaMs } : {}),
    });
  }
}

/** The call the board runs, arguments as Pycom's `run()` names them. */
export function onBoardCall(firmwarePath: string, options: { updaterPath?: string; loadFff?: boolean; debug?: boolean } = {}): string {
  const args = [
    pyStr(firmwarePath),
    ...(options.updaterPath ? [pyStr(options.updaterPath)] : []),
    ...(options.loadFff === false ? ['load_fff=False'] : []),
    ...(options.debug ? ['debug=True'] : []),
  ];
  return `sqnsupgrade.run(${args.join(', ')})`;
}

/** The method the board's updater will choose (PROTOCOL.md §9): with mfile always ON_THE_FLY, else by size. */
function plannedPath(bytes: number, request: OnBoardUpgradeRequest, state: number | undefined): UpgradePath {
  if (state === 4) return 'resume';
  if (request.updaterPath) return state === 0 ? 'recovery' : 'on-the-fly';
  return request.loadFff === false || bytes > FFF_MAX_BYTES ? 'on-the-fly' : 'fff';
}

/** A local diff for the /flash method, read and judged before the port opens. */
async function readFlashDiff(localPath: string): Promise<{ name: string; bytes: Uint8Array }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(localPath));
  } catch (error) {
    throw new UsageError(`Cannot read ${localPath}: ${error instanceof Error ? error.message : String(error)}.`, 'Check the path of the diff file.');
  }
  const name = basename(localPath);
  const kind = classifyFirmwareFileName(name).kind;
  if (kind === 'full' || bytes.length > FFF_MAX_BYTES) throw new FullImageToFlashError(name, bytes.length);
  if (kind === 'updater') {
    throw new UsageError(`${name} is updater.elf, not firmware.`, 'Give the diff file (upgdiff_<from>-to-<to>.dup) to run from /flash.');
  }
  return { name, bytes };
}

/**
 * Runs the board's own updater on a file on the board (SD card or /flash) in one run:
 * one transcript, one diagnosis, one result on `events`.
 */
export async function runOnBoardUpgrade(
  request: OnBoardUpgradeRequest,
  { events, signal = new AbortController().signal }: { events: TypedEmitter<UpgradeEvent>; signal?: AbortSignal },
): Promise<UpgradeOutcome> {
  const timeouts = { ...DEFAULT_ON_BOARD_TIMEOUTS, ...request.timeouts };
  const run = new UpgradeRun(events, request.transcriptDir ? { transcriptDir: request.transcriptDir } : {});
  const { steps } = run;
  const emit = (event: UnstampedEvent) => run.emit(event);
  let standing: OnBoardStanding = 'untouched';
  let before: ModemVersionReport | undefined;
  let path: UpgradePath | undefined;
  try {
    // The /flash method's file is read and judged before the port opens.
    const local = request.firmware.kind === 'via-flash' ? await readFlashDiff(request.firmware.localPath) : undefined;
    const boardPath = request.firmware.kind === 'on-board' ? request.firmware.path : `${FLASH_ROOT}/${local!.name}`;
    if (request.firmware.kind === 'on-board' && !boardPath.startsWith('/')) {
      throw new UsageError(`${boardPath} is not a board path.`, 'Give the file as the board sees it: /sd/NAME.dup (SD card) or /flash/NAME.dup.');
    }
    beginBoardConnect(steps);
    return await request.port.run(
      async (port, turnSignal) => {
        const repl = await finishBoardConnect(steps, port, { signal: turnSignal, replyTimeoutMs: timeouts.replyMs, portPath: request.port.path });
        standing = 'atRepl';
        let pushed = false;
        try {
          const identity = await identifyBoardStep(steps, repl, { signal: turnSignal });
          const modemRead = await readModemStep(steps, repl, { signal: turnSignal, emit, debug: request.updaterDebug === true });
          before = modemRead?.info.report;

          const file = await steps.run(
            'on-board-file',
            () => findFiles(repl, boardPath, request, local, identity, turnSignal),
            { whenDone: (found) => found.detail },
          );
          await steps.run(
            'preflight',
            async () => {
              const results = [...file.checks, ...runPreflight(onBoardFacts(file, identity, modemRead, request))];
              emit({ kind: 'preflight', results, isReady: !results.some((result) => result.status === 'fail') });
              await passPreflightGate(results, request.confirm ? { confirm: request.confirm } : {});
              return results;
            },
            {
              whenDone: (results) => {
                const warnings = results.filter((result) => result.status === 'warn').length;
                return warnings ? `${warnings} warning${warnings === 1 ? '' : 's'} confirmed` : 'all checks passed';
              },
            },
          );
          path = plannedPath(file.firmwareBytes, request, modemRead?.info.state);
          emit({ kind: 'plan', path, files: [basename(boardPath)] });

          if (local) {
            await pushFirmwareStep(steps, repl, emit, local, boardPath, turnSignal);
            pushed = true;
          }
          standing = 'stoppedBeforeTransfer';
          const after = await runUpdater(repl, steps, emit, request, {
            boardPath,
            bytes: file.firmwareBytes,
            timeouts,
            signal: turnSignal,
            onStanding: (next) => (standing = next),
          });
          standing = 'done';
          if (after) emit({ kind: 'modemInfo', phase: 'after', report: after });
          if (pushed) await removeFirmwareStep(steps, repl, boardPath, request.keepOnFlash === true, turnSignal);
          await repl.exit({ replyTimeoutMs: timeouts.replyMs }).catch(() => undefined);
          run.finish({ outcome: 'success', message: successMessage(before, after), resumeHint: ON_BOARD_STANDING.done });
          return {
            outcome: 'success' as const,
            ...(path ? { path } : {}),
            ...(before ? { before } : {}),
            ...(after ? { after } : {}),
            resumeHint: ON_BOARD_STANDING.done,
            ...(run.transcriptPath ? { transcriptPath: run.transcriptPath } : {}),
          };
        } catch (error) {
          // The board is at its REPL unless its updater may still be running: then leave it alone.
          const isUpdaterRunning = (standing as OnBoardStanding) === 'mayBeWriting' || (standing as OnBoardStanding) === 'cancelledBeforeTransfer';
          if (!isUpdaterRunning && port.isOpen) {
            if (pushed) await removeFirmwareStep(steps, repl, boardPath, request.keepOnFlash === true, turnSignal, { isCleanup: true }).catch(() => undefined);
            await repl.exit({ replyTimeoutMs: timeouts.replyMs }).catch(() => undefined);
          }
          throw error;
        }
      },
      { settings: replLineFor(request.replBaudRate), signal },
    );
  } catch (error) {
    const isCancel = error instanceof OperationAbortedError || signal.aborted;
    const failedStep = steps.current ?? steps.failed;
    steps.fail(error);
    const left = standing as OnBoardStanding;
    const resumeHint = ON_BOARD_STANDING[left === 'done' ? 'atRepl' : left];
    const outcome: UpgradeOutcome = {
      outcome: isCancel ? 'cancelled' : 'failed',
      ...(path ? { path } : {}),
      ...(before ? { before } : {}),
      error: errorInfo(error, failedStep),
      resumeHint,
      ...(run.transcriptPath ? { transcriptPath: run.transcriptPath } : {}),
    };
    const diagnosis = run.diagnose(error, { portPath: request.port.path });
    if (diagnosis) outcome.diagnosis = diagnosis;
    run.finish({
      outcome: outcome.outcome,
      message: failureMessage(left, isCancel),
      ...(outcome.error ? { error: outcome.error } : {}),
      resumeHint,
    });
    return outcome;
  }
}

function successMessage(before: ModemVersionReport | undefined, after: ModemVersionReport | undefined): string {
  const from = before?.softwareBuild;
  const to = after?.softwareBuild;
  const builds = from !== undefined && to !== undefined ? ` (build ${from} → ${to})` : to !== undefined ? ` (build ${to})` : '';
  return `The board's updater upgraded the modem${builds}.`;
}

function failureMessage(standing: OnBoardStanding, isCancel: boolean): string {
  if (standing === 'mayBeWriting' || standing === 'cancelledBeforeTransfer') {
    return `${isCancel ? 'Cancelled' : 'Stopped waiting'} while the board's updater may still be working on the modem.`;
  }
  if (standing === 'untouched' || standing === 'atRepl' || standing === 'stoppedBeforeTransfer') {
    return isCancel ? 'Upgrade cancelled before the modem was changed.' : "The on-board upgrade stopped before the modem was changed.";
  }
  return "The board's updater did not upgrade the modem.";
}

interface FoundFiles {
  firmwareBytes: number;
  updaterBytes?: number;
  /** The file checks, shown first in the preflight. */
  checks: PreflightResult[];
  detail: string;
}

/** The firmware (and updater.elf) on the board, or for the /flash method the room to copy the diff. */
async function findFiles(
  repl: RawRepl,
  boardPath: string,
  request: OnBoardUpgradeRequest,
  local: { name: string; bytes: Uint8Array } | undefined,
  identity: BoardIdentity,
  signal: AbortSignal,
): Promise<FoundFiles> {
  const checks: PreflightResult[] = [];
  const check = (status: PreflightResult['status'], detail: string, action?: string) =>
    checks.push({ id: 'on-board-file', title: 'Firmware file on the board', status, detail, ...(action ? { action } : {}) });
  await checkSqnsupgrade(repl, { signal, release: identity.release });
  let firmwareBytes: number;
  if (local) {
    firmwareBytes = local.bytes.length;
    const space = await flashSpace(repl, FLASH_ROOT, { signal });
    const existing = await lookUpBoardFile(repl, boardPath, { signal });
    const reusable = existing.kind === 'found' ? existing.size : 0;
    if (space.freeBytes + reusable < firmwareBytes + FLASH_MARGIN_BYTES) {
      check(
        'fail',
        `${local.name} needs ${Math.ceil((firmwareBytes + FLASH_MARGIN_BYTES) / 1024)} KiB on /flash; it has ${Math.floor(space.freeBytes / 1024)} KiB free.`,
        'Delete files you no longer need from /flash, or put the file on the SD card and use the SD card method.',
      );
    } else {
      check('pass', `${local.name} (${Math.round(firmwareBytes / 1024)} KiB) fits on /flash (${Math.floor(space.freeBytes / 1024)} KiB free); it is copied there and verified first.`);
    }
  } else {
    const found = await lookUpBoardFile(repl, boardPath, { signal });
    firmwareBytes = found.kind === 'found' ? found.size : 0;
    describeLookup(found, check);
  }
  let updaterBytes: number | undefined;
  if (request.updaterPath) {
    const found = await lookUpBoardFile(repl, request.updaterPath, { signal });
    if (found.kind === 'found') updaterBytes = found.size;
    describeLookup(found, check);
  }
  const detail = checks.map((c) => c.detail).join('; ');
  return { firmwareBytes, ...(updaterBytes !== undefined ? { updaterBytes } : {}), checks, detail };
}

function describeLookup(found: Awaited<ReturnType<typeof lookUpBoardFile>>, check: (status: PreflightResult['status'], detail: string, action?: string) => void): void {
  switch (found.kind) {
    case 'found':
      check('pass', `${found.path} (${Math.round(found.size / 1024)} KiB) is on the board.`);
      return;
    case 'no-card':
      check(
        'fail',
        `No SD card: the board cannot mount /sd to read ${found.path}.`,
        'Insert the SD card (FAT-formatted) with the file on it, or copy a diff file to /flash, then run the upgrade again.',
      );
      return;
    case 'missing':
      check(
        'fail',
        `${found.path} is not on the board.`,
        `Check the exact file name (case matters); list the board's ${isSdCardPath(found.path) ? 'SD card' : '/flash'} to see what is there.`,
      );
      return;
  }
}

/** The checks' facts: the files by name and size (the bytes stay on the board), the board, the modem as its updater read it. */
function onBoardFacts(file: FoundFiles, identity: BoardIdentity, read: BoardModemRead | undefined, request: OnBoardUpgradeRequest): PreflightFacts {
  const firmwarePath = request.firmware.kind === 'on-board' ? request.firmware.path : request.firmware.localPath;
  const modem = read ? preflightModem(read.info.state, read.info.report) : {};
  const updaterOnFlash = request.updaterPath !== undefined && file.updaterBytes !== undefined;
  return {
    firmware: file.firmwareBytes > 0 ? [{ name: basename(firmwarePath), size: file.firmwareBytes }] : [],
    ...(request.updaterPath && file.updaterBytes !== undefined ? { updater: { name: basename(request.updaterPath), size: file.updaterBytes } } : {}),
    ...(request.loadFff === false ? { method: 'on-the-fly' as const } : {}),
    ...(Object.keys(modem).length ? { modem } : {}),
    board: {
      machine: identity.machine,
      release: identity.release,
      hasLteModem: identity.hasLteModem,
      hasSqnsupgrade: identity.hasSqnsupgrade,
      flashFreeBytes: identity.flashFreeBytes,
      // updater.elf is already on the board: nothing to copy.
      ...(updaterOnFlash ? { updaterOnFlashBytes: file.updaterBytes } : {}),
    },
    // The board's updater loads updater.elf into a modem in recovery itself.
    ...(request.updaterPath ? { boardRunsFfh: true } : {}),
  };
}

async function pushFirmwareStep(
  steps: StepRunner,
  repl: RawRepl,
  emit: (event: UnstampedEvent) => void,
  local: { name: string; bytes: Uint8Array },
  boardPath: string,
  signal: AbortSignal,
): Promise<void> {
  await steps.run(
    'push-firmware',
    async () => {
      let pacer: ProgressPacer | undefined;
      return pushFile(repl, {
        bytes: local.bytes,
        remotePath: boardPath,
        signal,
        onProgress: (bytesDone, bytesTotal) => {
          pacer ??= new ProgressPacer(bytesTotal);
          const figures = pacer.sample(bytesDone);
          if (!figures) return;
          emit({
            kind: 'progress',
            step: 'push-firmware',
            fileIndex: 1,
            fileName: local.name,
            bytesDone,
            bytesTotal,
            bytesPerSecond: figures.bytesPerSecond,
            ...(figures.etaMs !== undefined ? { etaMs: figures.etaMs } : {}),
          });
        },
      });
    },
    { whenDone: (result) => `${result.remotePath}${result.skipped ? ' (already on the board, same sha256)' : ', verified by sha256 on the board'}` },
  );
}

async function removeFirmwareStep(
  steps: StepRunner,
  repl: RawRepl,
  boardPath: string,
  keep: boolean,
  signal: AbortSignal,
  options: { isCleanup?: boolean } = {},
): Promise<void> {
  if (keep) {
    steps.event('remove-firmware', 'skip', `${boardPath} kept on /flash, as asked`);
    return;
  }
  if (options.isCleanup) {
    // After a failure: quietly, so the failure stays the run's last word.
    await removeFile(repl, boardPath, { signal });
    return;
  }
  await steps.run('remove-firmware', () => removeFile(repl, boardPath, { signal }), {
    whenDone: (removed) => (removed ? `${boardPath} removed` : `${boardPath} was already gone`),
  });
}

/**
 * `sqnsupgrade.run()` in the raw REPL: its lines as board output and as the run's steps,
 * until it returns. Resolves with the version block after success; throws the updater's
 * own reason otherwise.
 */
async function runUpdater(
  repl: RawRepl,
  steps: StepRunner,
  emit: (event: UnstampedEvent) => void,
  request: OnBoardUpgradeRequest,
  options: { boardPath: string; bytes: number; timeouts: OnBoardTimeouts; signal: AbortSignal; onStanding: (standing: OnBoardStanding) => void },
): Promise<ModemVersionReport | undefined> {
  const defaultBudgetMs = onBoardRunBudgetMs(options.bytes);
  const budgetMs = options.timeouts.runMs ?? defaultBudgetMs * (options.timeouts.runScale ?? 1);
  // The waits' figures scale with a scaled budget (a fast simulator), never above the published ones.
  const scale = Math.min(1, budgetMs / defaultBudgetMs);
  const call = onBoardCall(options.boardPath, {
    ...(request.updaterPath ? { updaterPath: request.updaterPath } : {}),
    ...(request.loadFff !== undefined ? { loadFff: request.loadFff } : {}),
    ...(request.updaterDebug ? { debug: true } : {}),
  });
  const tracker = new OnBoardRunTracker(steps, emit, { name: basename(options.boardPath), bytes: options.bytes }, scale);
  const assembler = new LineAssembler();
  const take = (line: string) => {
    // A bar line a percent: the progress events carry it; the transcript keeps it as a debug line.
    if (parseProgressBar(line) !== undefined) emit({ kind: 'log', level: 'debug', message: `board: ${line}` });
    else emit({ kind: 'boardOutput', line });
    tracker.line(line);
    if (tracker.isModemWriting) options.onStanding('mayBeWriting');
  };
  tracker.start(call);
  const timer = setInterval(() => tracker.tick(), Math.max(1, options.timeouts.waitReportIntervalMs));
  timer.unref?.();
  let stderr: string;
  try {
    ({ stderr } = await repl.exec(`import sqnsupgrade\n${call}`, {
      signal: options.signal,
      timeoutMs: budgetMs,
      onStdout: (text) => assembler.push(text).forEach(take),
    }));
    const tail = assembler.flush();
    if (tail !== undefined) take(tail);
  } catch (error) {
    if (error instanceof OperationAbortedError) {
      // A cancel stops the host, not the board: its updater goes on (and may be sending).
      options.onStanding(tracker.sentFirmware ? 'mayBeWriting' : 'cancelledBeforeTransfer');
    }
    if (error instanceof ReadTimeoutError && !(error instanceof OperationAbortedError)) {
      options.onStanding(tracker.sentFirmware ? 'mayBeWriting' : 'stoppedBeforeTransfer');
      throw new OnBoardUpdaterError(
        `The board's updater did not finish within ${Math.round(budgetMs / MINUTE_MS)} min${tracker.lines.length ? ` (last line: "${tracker.lines.at(-1)}")` : ''}.`,
        tracker.sentFirmware
          ? "The modem may still be writing its flash: do not unplug the board yet. Leave it powered at least 15 more minutes, then power-cycle it and read the modem's info."
          : 'Power-cycle the board (unplug it, plug it back), start it in safe boot, and run the upgrade again.',
        tracker.lines,
        { cause: error },
      );
    }
    throw error;
  } finally {
    clearInterval(timer);
  }
  // run() returned: the board is at its REPL again, whatever it said.
  const said = firstUpdaterFailure([...tracker.lines, ...stderr.split(/\r?\n/)]);
  const succeeded = tracker.lines.some((line) => recogniseUpdaterLine(line)?.id === 'upgrade-succeeded');
  if (succeeded && !said) {
    const after = tracker.versionAfter();
    tracker.finish(after?.softwareBuild !== undefined ? `the modem reports build ${after.softwareBuild}` : undefined);
    return after;
  }
  options.onStanding(
    !tracker.sentFirmware ? 'stoppedBeforeTransfer' : said?.message.id === 'modem-rejected-image' ? 'rejected' : 'stoppedAfterTransfer',
  );
  if (said) {
    throw new OnBoardUpdaterError(
      `The board's updater stopped: "${said.line.trim()}" (${said.message.title.replace(/^The /, 'the ')}).`,
      said.message.action,
      tracker.lines,
      { updaterMessage: said.message.id, updaterLine: said.line.trim() },
    );
  }
  if (stderr.trim() !== '') {
    const cause = BoardExecError.fromStderr(stderr, { context: 'sqnsupgrade.run() on the board' });
    throw new OnBoardUpdaterError(`The board's updater stopped: ${cause.message}.`, cause.action, tracker.lines, { cause });
  }
  throw new OnBoardUpdaterError(
    "The board's updater returned without saying that the modem was upgraded.",
    "Read the board's output above for the reason, then read the modem's info to see which build it runs.",
    tracker.lines,
  );
}
