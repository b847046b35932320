import { basename } from 'node:path';
import { OperationAbortedError, UsageError } from '../errors';
import type { TypedEmitter } from '../events/typedEmitter';
import type { UnstampedEvent } from '../engine/stepRunner';
import type { UpgradeOutcome } from '../engine/upgradeEngine';
import type { UpgradeEvent, UpgradePath } from '../engine/upgradeEvents';
import { UpgradeRun } from '../engine/upgradeRun';
import { FFF_MAX_BYTES } from '../parse/firmwareFile';
import type { ModemVersionReport } from '../parse/modemVersion';
import { runPreflight } from '../preflight/preflight';
import { passPreflightGate, type ConfirmWarnings } from '../preflight/preflightGate';
import { replLineFor } from '../repl/replTurn';
import type { PortAccess } from '../transport/portOwner';
import { FLASH_ROOT } from './onBoardFiles';
import { findFiles, onBoardFacts, pushFirmwareStep, readFlashDiff, removeFirmwareStep } from './onBoardFileSteps';
import { failureMessage, ON_BOARD_STANDING, successMessage, type OnBoardStanding } from './onBoardStanding';
import { runUpdater } from './onBoardUpdaterRun';
import { beginBoardConnect, finishBoardConnect } from './steps/connectBoard';
import { identifyBoardStep } from './steps/identifyBoardStep';
import { readModemStep } from './steps/readModemStep';

export { FullImageToFlashError } from './onBoardFileSteps';
export { onBoardCall, onBoardRunBudgetMs, OnBoardUpdaterError } from './onBoardUpdaterRun';

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
 *
 * This module is the run's order; its parts: the file (onBoardFileSteps.ts), run() and
 * its budget (onBoardUpdaterRun.ts), its lines as events (onBoardRunTracker.ts), and
 * where it leaves board and modem (onBoardStanding.ts).
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

/** The method the board's updater will choose (PROTOCOL.md §9): with mfile always ON_THE_FLY, else by size. */
function plannedPath(bytes: number, request: OnBoardUpgradeRequest, state: number | undefined): UpgradePath {
  if (state === 4) return 'resume';
  if (request.updaterPath) return state === 0 ? 'recovery' : 'on-the-fly';
  return request.loadFff === false || bytes > FFF_MAX_BYTES ? 'on-the-fly' : 'fff';
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
    const left = standing as OnBoardStanding;
    const outcome = run.failWith(error, {
      isCancel,
      message: failureMessage(left, isCancel),
      resumeHint: ON_BOARD_STANDING[left === 'done' ? 'atRepl' : left],
      portPath: request.port.path,
    });
    return { ...outcome, ...(path ? { path } : {}), ...(before ? { before } : {}) };
  }
}
