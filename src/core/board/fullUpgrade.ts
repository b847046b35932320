import { basename } from 'node:path';
import { diagnoseFailure } from '../diagnosis/diagnose';
import { isModemToolError, ModemToolError, OperationAbortedError, UsageError } from '../errors';
import type { TypedEmitter } from '../events/typedEmitter';
import { ProgressPacer } from '../engine/progressFigures';
import { STEP_TITLES, type Diagnosis, type StepId, type UpgradeErrorInfo, type UpgradeEvent } from '../engine/upgradeEvents';
import type { UpgradeOutcome, UpgradeRequest } from '../engine/upgradeEngine';
import type { UpgradeTimeouts } from '../engine/upgradeTimeouts';
import { RawRepl } from '../repl/rawRepl';
import { replLineFor } from '../repl/replTurn';
import { TranscriptWriter } from '../transcript/transcriptWriter';
import { onSameHandle, type PortAccess } from '../transport/portOwner';
import { pushFile } from './boardFiles';
import { readModemOnBoard, type BoardModemRead } from './boardModemRead';
import { inspectUpgradeFiles, type TransferMethodChoice, type UpgradeFiles } from '../engine/upgradePlan';
import { runPreflight, type PreflightFacts } from '../preflight/preflight';
import { passPreflightGate, type ConfirmWarnings } from '../preflight/preflightGate';
import { factsFromUpgradeFiles, preflightModem } from '../preflight/upgradeFilesFacts';
import { identifyBoard, type BoardIdentity } from './boardIdentity';
import { BoardSteps, stampedEmitter, type UnstampedEvent } from './boardSteps';
import {
  DEFAULT_UPDATER_REMOTE_PATH,
  pushModuleFolder,
  SqnsupgradeMissingError,
  TriggerFailedError,
  triggerMirrorMode,
  TRIGGER_FFH_TIMEOUT_MS,
  TRIGGER_TIMEOUT_MS,
} from './boardUpgradeTrigger';

/**
 * The whole upgrade on one open port: board half (REPL, push, trigger, mirror) then
 * the host half (the engine), without ever closing the port in between. Board steps
 * are emitted on the engine's event stream so every front end shows one sequence.
 */

export { REPL_LINE } from '../repl/replTurn';

export interface BoardTimeouts {
  /** The board answers Ctrl-A / Ctrl-C. */
  replyMs: number;
  /** The updater reaches mirror mode (normal method). */
  triggerMs: number;
  /** The same with the recovery (FFH) method: a bootrom write and updater.elf load come first. */
  triggerFfhMs: number;
}

export const DEFAULT_BOARD_TIMEOUTS: Readonly<BoardTimeouts> = Object.freeze({
  replyMs: 1_500,
  triggerMs: TRIGGER_TIMEOUT_MS,
  triggerFfhMs: TRIGGER_FFH_TIMEOUT_MS,
});

export interface FullUpgradeRequest {
  /** The board's port, one turn at a time: the whole upgrade is one turn on one handle. */
  port: PortAccess;
  /** The board's REPL speed when its firmware was built for another than 115200. */
  replBaudRate?: number;
  /** .dup files in order. */
  files: string[];
  /** updater.elf: pushed to /flash and used by the recovery method. */
  updaterPath?: string;
  transcriptDir?: string;
  timeouts?: Partial<UpgradeTimeouts>;
  boardTimeouts?: Partial<BoardTimeouts>;
  /** Recovery (FFH) method on the board: 'auto' (default) = when updaterPath is given. */
  ffh?: 'auto' | boolean;
  /** For firmware before 1.20: a folder with the sqnsupgrade .py files to copy to /flash first. */
  sqnsupgradeFolder?: string;
  /**
   * Asked when the checks raise warnings (a network switch, an unknown file name); without
   * it a warning refuses the run. The host half asks again only about new warnings.
   */
  confirm?: ConfirmWarnings;
  /** Transfer method: 'auto' (Pycom's rules) unless an expert overrides it. */
  method?: TransferMethodChoice;
  /** The board's updater runs with `debug=True`; its lines go into the transcript. */
  updaterDebug?: boolean;
}

/** What runFullUpgrade needs of the engine (UpgradeEngine satisfies it). */
export interface UpgradeEngineLike {
  readonly events: TypedEmitter<UpgradeEvent>;
  upgrade(request: UpgradeRequest, signal?: AbortSignal): Promise<UpgradeOutcome>;
}

/** The board has no LTE modem: nothing to upgrade. */
export class NoLteModemError extends ModemToolError {
  readonly code = 'no-lte-modem';
  constructor(readonly identity: BoardIdentity) {
    super(
      `The board on this port is a ${identity.machine} (${identity.uname.machine}), which has no LTE modem.`,
      'Connect a GPy, FiPy or G01 and pick its port.',
    );
  }
}

/**
 * Where things stand after the board half failed, for the result's resumeHint. Only
 * mirror mode needs a power-cycle to leave; a board whose updater printed an error and
 * returned is at its REPL, and one whose updater went quiet may still be working.
 */
const BOARD_STANDING = {
  untouched: 'Neither the board nor the modem was changed. You can run the upgrade again at any time.',
  // The port opened but no REPL answered: most often a board still in mirror mode from an
  // earlier attempt (its bytes go to the modem), which only a power cycle ends.
  noRepl:
    'Neither the board nor the modem was changed, but the board did not answer at its REPL. If an earlier attempt left it in mirror mode, power-cycle it (unplug it, plug it back) first, then run the upgrade again.',
  repl: 'The modem was not changed; the board is at its REPL. Fix the cause above and run the upgrade again.',
  mirror:
    'The board is in mirror mode (it has no way back): power-cycle it (unplug, plug back), then run the upgrade again. The modem was not changed.',
  updaterBack: "The board's updater stopped and the board is back at its REPL (no power-cycle needed). Fix the cause above and run the upgrade again.",
  // With updater.elf the board's updater may be rewriting the modem's bootrom or loading
  // updater.elf into it: a power cut then can brick the modem (PROTOCOL.md §9).
  updaterBusy:
    "The board's updater may still be working on the modem (with updater.elf it may be rewriting the bootrom or loading the updater, which takes minutes). " +
    'Do not unplug the board now: leave it powered for 15 minutes, then power-cycle it (unplug, plug back) and run the upgrade again.',
  updaterProbing:
    "The board's updater was still probing the modem; nothing was written to it. Power-cycle the board (unplug, plug back), then run the upgrade again.",
} as const;

export async function runFullUpgrade(
  request: FullUpgradeRequest,
  { engine, signal = new AbortController().signal }: { engine: UpgradeEngineLike; signal?: AbortSignal },
): Promise<UpgradeOutcome> {
  const boardTimeouts = { ...DEFAULT_BOARD_TIMEOUTS, ...request.boardTimeouts };
  const emit = stampedEmitter(engine.events);
  const steps = new BoardSteps(emit);
  let standing: keyof typeof BOARD_STANDING = 'untouched';
  // One transcript for both halves, open before the first board step: a board-half
  // failure leaves its record on disk, and the engine appends the host half to it.
  const transcript = openTranscript(request.transcriptDir, emit);
  let isEngineWriting = false;
  const stopTranscript = transcript ? engine.events.on((event) => !isEngineWriting && transcript.event(event)) : undefined;

  // The diagnosis rules read the board half's events (identity, pushed files, board output).
  const seen: UpgradeEvent[] = [];
  const stopRecording = engine.events.on((event) => seen.push(event));
  let boardRepl: RawRepl | undefined;
  // Warnings confirmed before the board changed are not asked again by the host half.
  const confirmed = new Set<string>();
  try {
    const ffh = resolveFfh(request);
    // Every file is checked before the port opens: nothing invalid reaches the board or its updater.
    const files = await inspectUpgradeFiles(request.files, request.updaterPath, request.method ? { method: request.method } : {});
    for (const warning of files.warnings) emit({ kind: 'log', level: 'warn', message: warning });
    // The board-connect step covers opening the port: a busy port fails it.
    steps.current = 'board-connect';
    steps.event('board-connect', 'start');
    const hostOutcome = await request.port.run(
      async (port, signal, turn) => {
        standing = 'noRepl';
        try {
          const repl = await RawRepl.enter(port, { signal, replyTimeoutMs: boardTimeouts.replyMs });
          steps.event('board-connect', 'done', `${request.port.path} at ${port.settings.baudRate} baud, raw REPL`);
          steps.current = undefined;
          boardRepl = repl;
          standing = 'repl';

          const identity = await steps.run('board-identify', async () => {
            const found = await identifyBoard(repl, { signal });
            if (!found.hasLteModem) throw new NoLteModemError(found);
            if (!found.hasSqnsupgrade && !request.sqnsupgradeFolder) throw new SqnsupgradeMissingError(found.release);
            return found;
          }, (id) =>
            `${id.machine}, firmware ${id.release}, /flash ${Math.round(id.flashFreeBytes / 1024)} of ${Math.round(id.flashTotalBytes / 1024)} KiB free` +
            (id.hasSqnsupgrade ? '' : ', no sqnsupgrade module'),
          );

          const modemRead = identity.hasSqnsupgrade ? await readModemBeforeMirror(steps, repl, { signal, emit, debug: request.updaterDebug === true }) : undefined;
          if (!identity.hasSqnsupgrade) steps.event('board-modem-read', 'skip', 'sqnsupgrade is copied to /flash first; the modem is read after the switch to mirror mode');

          await steps.run('preflight', async () => {
            const results = runPreflight({ ...boardPreflightFacts(files, identity, modemRead, request), boardRunsFfh: ffh });
            emit({ kind: 'preflight', results, isReady: !results.some((result) => result.status === 'fail') });
            await passPreflightGate(results, { ...(request.confirm ? { confirm: request.confirm } : {}), confirmed });
            return results;
          }, (results) => {
            const warnings = results.filter((result) => result.status === 'warn').length;
            return warnings ? `${warnings} warning${warnings === 1 ? '' : 's'} confirmed` : 'all checks passed';
          });

          if (ffh || request.sqnsupgradeFolder) {
            await steps.run('push-files', async () => {
              const files: string[] = [];
              if (request.sqnsupgradeFolder) {
                const results = await pushModuleFolder(repl, request.sqnsupgradeFolder, { signal });
                files.push(...results.map((r) => basename(r.remotePath)));
              }
              if (ffh && request.updaterPath) {
                const fileName = basename(request.updaterPath);
                let pacer: ProgressPacer | undefined;
                const result = await pushFile(repl, {
                  localPath: request.updaterPath,
                  remotePath: DEFAULT_UPDATER_REMOTE_PATH,
                  signal,
                  onProgress: (bytesDone, bytesTotal) => {
                    pacer ??= new ProgressPacer(bytesTotal);
                    const figures = pacer.sample(bytesDone);
                    if (!figures) return;
                    emit({
                      kind: 'progress',
                      step: 'push-files',
                      fileIndex: 1,
                      fileName,
                      bytesDone,
                      bytesTotal,
                      bytesPerSecond: figures.bytesPerSecond,
                      ...(figures.etaMs !== undefined ? { etaMs: figures.etaMs } : {}),
                    });
                  },
                });
                files.push(`${fileName}${result.skipped ? ' (already on the board)' : ''}`);
              }
              return files;
            }, (files) => files.join(', '));
          } else {
            steps.event('push-files', 'skip', 'nothing to copy: the normal method needs no file on the board');
          }

          const trigger = await steps.run('trigger', async () => {
            standing = 'mirror';
            return triggerMirrorMode(port, repl, {
              ffh,
              debug: request.updaterDebug === true,
              signal,
              timeoutMs: ffh ? boardTimeouts.triggerFfhMs : boardTimeouts.triggerMs,
              onWaiting: (wait) => emit({ kind: 'step', step: 'trigger', title: STEP_TITLES.trigger, phase: 'waiting', detail: wait.what, wait }),
              onLine: (line) => emit({ kind: 'boardOutput', line }),
            });
          }, (result) => (result.updaterVersion ? `board updater ${result.updaterVersion}` : undefined));
          if (trigger.ffhIgnored) {
            emit({
              kind: 'log',
              level: 'warn',
              message: 'The board says the recovery method is not necessary (the modem bootrom is already new): the normal method runs, updater.elf is not needed.',
            });
          }
          // Mirror mode has no exit: whatever runs next on this handle must know.
          turn.leave({ isBoardInMirrorMode: true });
          await steps.run('mirror-handover', async () => undefined, () =>
            `same port, now ${port.settings.baudRate} baud, no flow control; the board bridges it to the modem`,
          );

          const { boardTimeouts: _board, ffh: _ffh, sqnsupgradeFolder: _folder, updaterDebug: _debug, port: _port, replBaudRate: _repl, ...engineRequest } = request;
          // The host half diagnoses its own failures.
          stopRecording();
          isEngineWriting = true;
          let hostOutcome: UpgradeOutcome;
          try {
            hostOutcome = await engine.upgrade(
              {
                ...engineRequest,
                ...(trigger.ffhIgnored ? { updaterPath: undefined } : {}),
                ...(transcript ? { transcript } : {}),
                // The engine's "run again at any time" does not hold here: the board stays in
                // mirror mode, and the next run needs its REPL back.
                untouchedHint: BOARD_STANDING.mirror,
                confirmedWarnings: confirmed,
                port: onSameHandle(port, turn),
              } as UpgradeRequest,
              signal,
            );
          } finally {
            isEngineWriting = false;
          }
            return hostOutcome;
        } catch (error) {
          // Still our turn: a board left at its REPL goes back to its friendly prompt, as the user left it.
          const isCancel = error instanceof OperationAbortedError || signal.aborted;
          if (steps.current === 'trigger') standing = standingAfterTrigger(error, isCancel, request.updaterPath !== undefined && resolveFfhQuietly(request));
          if ((standing === 'repl' || standing === 'updaterBack') && boardRepl && port.isOpen) {
            await boardRepl.exit({ replyTimeoutMs: boardTimeouts.replyMs }).catch(() => undefined);
          }
          throw error;
        }
      },
      { settings: replLineFor(request.replBaudRate), signal },
    );
    return hostOutcome;
  } catch (error) {
    const isCancel = error instanceof OperationAbortedError || signal.aborted;
    const failedStep = steps.current;
    steps.fail(error);
    // Set inside the port's turn, which the compiler cannot follow.
    const left = standing as keyof typeof BOARD_STANDING;
    const outcome: UpgradeOutcome = {
      outcome: isCancel ? 'cancelled' : 'failed',
      error: errorInfo(error, failedStep),
      resumeHint: BOARD_STANDING[left],
      ...(transcript ? { transcriptPath: transcript.path } : {}),
    };
    const diagnosis = diagnoseBoardHalf(error, seen, request.port.path, emit);
    if (diagnosis) outcome.diagnosis = diagnosis;
    emit({
      kind: 'result',
      outcome: outcome.outcome,
      message:
        left === 'updaterBusy'
          ? `${isCancel ? 'Upgrade cancelled' : 'The board half of the upgrade stopped'} while the board's updater may have been working on the modem.`
          : isCancel
            ? 'Upgrade cancelled before the modem was touched.'
            : 'The board half of the upgrade failed; the modem was not touched.',
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.resumeHint ? { resumeHint: outcome.resumeHint } : {}),
      ...(outcome.transcriptPath ? { transcriptPath: outcome.transcriptPath } : {}),
    });
    return outcome;
  } finally {
    stopRecording();
    stopTranscript?.();
    transcript?.close();
  }
}

/**
 * The board half's failures (no LTE modem, no sqnsupgrade, /flash full, a silent board,
 * a busy port) get the same diagnosis event as the engine's, before the result: every
 * front end shows it without rules of its own. A rule's bug never hides the failure.
 */
function diagnoseBoardHalf(
  error: unknown,
  seen: readonly UpgradeEvent[],
  portPath: string,
  emit: (event: UnstampedEvent) => void,
): Diagnosis | undefined {
  try {
    const { diagnosis } = diagnoseFailure(error, { events: seen, context: { portPath, platform: process.platform } });
    emit({ kind: 'diagnosis', diagnosis });
    return diagnosis;
  } catch (diagnosisError) {
    emit({ kind: 'log', level: 'warn', message: `No diagnosis: ${diagnosisError instanceof Error ? diagnosisError.message : String(diagnosisError)}` });
    return undefined;
  }
}

/** A transcript that cannot be written must not stop the upgrade: it is reported and skipped. */
function openTranscript(dir: string | undefined, emit: (event: UnstampedEvent) => void): TranscriptWriter | undefined {
  if (!dir) return undefined;
  try {
    return TranscriptWriter.create(dir);
  } catch (error) {
    emit({ kind: 'log', level: 'warn', message: `No transcript: cannot write to ${dir} (${error instanceof Error ? error.message : String(error)}).` });
    return undefined;
  }
}

/**
 * The board's word on where it is, when its updater stopped: back at the REPL, in mirror
 * mode, or not known — then, with updater.elf, it may be writing the modem's bootrom.
 */
function standingAfterTrigger(error: unknown, isCancel: boolean, isFfh: boolean): keyof typeof BOARD_STANDING {
  const boardState = error instanceof TriggerFailedError ? error.boardState : 'unknown';
  if (!isCancel && boardState === 'repl') return 'updaterBack';
  if (!isCancel && boardState === 'mirror') return 'mirror';
  return isFfh ? 'updaterBusy' : 'updaterProbing';
}

function resolveFfhQuietly(request: FullUpgradeRequest): boolean {
  try {
    return resolveFfh(request);
  } catch {
    return false;
  }
}

/**
 * The firmware's own `sqnsupgrade.info()`: state, build, network and IMEI before anything
 * is chosen, and the board stays at its REPL. A read that fails is a warning, not a stop:
 * the modem is read again after the switch to mirror mode.
 */
async function readModemBeforeMirror(
  steps: BoardSteps,
  repl: RawRepl,
  options: { signal: AbortSignal; emit: (event: UnstampedEvent) => void; debug: boolean },
): Promise<BoardModemRead | undefined> {
  steps.current = 'board-modem-read';
  steps.event('board-modem-read', 'start');
  try {
    const read = await readModemOnBoard(repl, {
      signal: options.signal,
      debug: options.debug,
      onLine: (line) => options.emit({ kind: 'boardOutput', line }),
    });
    if (read.info.state !== undefined) options.emit({ kind: 'modemState', state: read.info.state });
    if (read.info.report.softwareBuild !== undefined || read.info.report.imei) options.emit({ kind: 'modemInfo', phase: 'before', report: read.info.report });
    steps.event('board-modem-read', read.failure ? 'skip' : 'done', read.failure ? `not read: ${read.failure}` : describeBoardRead(read));
    return read;
  } catch (error) {
    if (error instanceof OperationAbortedError || options.signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    steps.event('board-modem-read', 'skip', `not read (${message}); the modem is read after the switch to mirror mode`);
    return undefined;
  } finally {
    steps.current = undefined;
  }
}

function describeBoardRead(read: BoardModemRead): string {
  const { state, report } = read.info;
  const words = state === 2 ? 'application' : state === 4 ? 'upgrade mode' : state === 0 ? 'recovery bootrom' : state === 1 ? 'mTools' : 'state unknown';
  return [`${words} (state ${state ?? '?'})`, report.lrVersion, report.imei ? `IMEI ${report.imei}` : undefined].filter(Boolean).join(', ');
}

/** The checks' facts from what the board half knows: the files, the board, the modem as its updater read it. */
function boardPreflightFacts(
  files: UpgradeFiles,
  identity: BoardIdentity,
  read: BoardModemRead | undefined,
  request: FullUpgradeRequest,
): PreflightFacts {
  const modem = read ? preflightModem(read.info.state, read.info.report) : {};
  return {
    ...factsFromUpgradeFiles(files, request.method),
    ...(Object.keys(modem).length ? { modem } : {}),
    board: {
      machine: identity.machine,
      release: identity.release,
      hasLteModem: identity.hasLteModem,
      hasSqnsupgrade: identity.hasSqnsupgrade,
      flashFreeBytes: identity.flashFreeBytes,
    },
    ...(request.sqnsupgradeFolder ? { hasSqnsupgradeFiles: true } : {}),
  };
}

function resolveFfh(request: FullUpgradeRequest): boolean {
  const ffh = request.ffh ?? 'auto';
  if (ffh === 'auto') return Boolean(request.updaterPath);
  if (ffh && !request.updaterPath) {
    throw new UsageError('The recovery (FFH) method needs updater.elf.', 'Pass --updater updater.elf (from the same firmware package as the .dup file).');
  }
  return ffh;
}

function errorInfo(error: unknown, step: StepId | undefined): UpgradeErrorInfo {
  if (isModemToolError(error)) {
    return { code: error.code, message: error.message, action: error.action, ...(step ? { step } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message, action: 'This is a bug in the tool: run again with --verbose and report it.', ...(step ? { step } : {}) };
}

