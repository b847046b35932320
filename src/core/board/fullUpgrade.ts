import { OperationAbortedError, UsageError } from '../errors';
import { STANDING, type BoardStanding } from '../engine/upgradeErrors';
import { ADD_UPDATER } from '../userActions';
import type { TypedEmitter } from '../events/typedEmitter';
import type { UnstampedEvent } from '../engine/stepRunner';
import type { UpgradeEvent } from '../engine/upgradeEvents';
import type { UpgradeOutcome, UpgradeRequest } from '../engine/upgradeEngine';
import { UpgradeRun } from '../engine/upgradeRun';
import type { UpgradeTimeouts } from '../engine/upgradeTimeouts';
import type { RawRepl } from '../repl/rawRepl';
import { replLineFor } from '../repl/replTurn';
import { onSameHandle, type PortAccess } from '../transport/portOwner';
import type { BoardModemRead } from './boardModemRead';
import { inspectUpgradeFiles, type TransferMethodChoice, type UpgradeFiles } from '../engine/upgradePlan';
import { runPreflight, type PreflightFacts } from '../preflight/preflight';
import { passPreflightGate, type ConfirmWarnings } from '../preflight/preflightGate';
import { factsFromUpgradeFiles } from '../preflight/upgradeFilesFacts';
import { boardHalfFacts } from './boardHalfFacts';
import type { BoardIdentity } from './boardIdentity';
import { TRIGGER_FFH_TIMEOUT_MS, TRIGGER_TIMEOUT_MS, TriggerFailedError } from './boardUpgradeTrigger';
import { beginBoardConnect, finishBoardConnect } from './steps/connectBoard';
import { identifyBoardStep } from './steps/identifyBoardStep';
import { pushFilesStep } from './steps/pushFilesStep';
import { readModemStep } from './steps/readModemStep';
import { choosePackageStep } from './steps/choosePackageStep';
import { openFirmwarePackage, type FirmwarePackage } from '../package/firmwarePackage';
import type { PreflightResult } from '../preflight/preflightFacts';
import { handOverStep, triggerStep } from './steps/startMirrorMode';
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
  /** .dup files in order (empty when `packageSource` is given). */
  files: string[];
  /**
   * A firmware package instead of `files`: a Pycom .zip or the folder it was extracted
   * to. It is opened before the port opens; its files are chosen right after the board
   * read the modem, before the checks (core/package). `updaterPath`, when given too,
   * joins the package's candidates.
   */
  packageSource?: string;
  /** With a package: the names of its files to send instead of the tool's choice (checked all the same). */
  packagePick?: string[];
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

export { NoLteModemError } from './boardErrors';


export async function runFullUpgrade(
  request: FullUpgradeRequest,
  { engine, signal = new AbortController().signal }: { engine: UpgradeEngineLike; signal?: AbortSignal },
): Promise<UpgradeOutcome> {
  const boardTimeouts = { ...DEFAULT_BOARD_TIMEOUTS, ...request.boardTimeouts };
  // One run for both halves: one transcript (open before the first board step, so a
  // board-half failure leaves its record on disk), one diagnosis, one result.
  const run = new UpgradeRun(engine.events, request.transcriptDir ? { transcriptDir: request.transcriptDir } : {});
  const { steps } = run;
  const emit = (event: UnstampedEvent) => run.emit(event);
  let standing: BoardStanding = 'boardUntouched';
  let boardRepl: RawRepl | undefined;
  // Warnings confirmed before the board changed are not asked again by the host half.
  const confirmed = new Set<string>();
  // What goes to the modem: the files given, or those chosen from the package once the modem is read.
  const chosen: { files: string[]; updaterPath?: string } = { files: request.files, ...(request.updaterPath ? { updaterPath: request.updaterPath } : {}) };
  let pkg: FirmwarePackage | undefined;
  try {
    let ffh = request.packageSource ? false : resolveFfh(request);
    // Every file is checked before the port opens: nothing invalid reaches the board or its updater.
    // A package is opened (a zip extracted) before the port opens too; its files are checked once chosen.
    if (request.packageSource) pkg = await openFirmwarePackage(request.packageSource);
    let files: UpgradeFiles = pkg ? { firmware: [], warnings: [] } : await inspectUpgradeFiles(request.files, request.updaterPath, request.method ? { method: request.method } : {});
    for (const warning of files.warnings) run.log('warn', warning);
    beginBoardConnect(steps);
    return await request.port.run(
      async (port, signal, turn) => {
        standing = 'noRepl';
        try {
          const repl = await finishBoardConnect(steps, port, { signal, replyTimeoutMs: boardTimeouts.replyMs, portPath: request.port.path });
          boardRepl = repl;
          standing = 'atRepl';
          const identity = await identifyBoardStep(steps, repl, { signal, willCopySqnsupgrade: request.sqnsupgradeFolder !== undefined });
          const modemRead = identity.hasSqnsupgrade ? await readModemStep(steps, repl, { signal, emit, debug: request.updaterDebug === true }) : undefined;
          if (!identity.hasSqnsupgrade) steps.event('board-modem-read', 'skip', 'sqnsupgrade is copied to /flash first; the modem is read after the switch to mirror mode');
          const choiceResults: PreflightResult[] = [];
          if (pkg) {
            const picked = await choosePackageStep(steps, pkg, modemRead, {
              emit,
              ...(request.method ? { method: request.method } : {}),
              ...(request.updaterPath ? { extraUpdaterPath: request.updaterPath } : {}),
              ...(request.packagePick?.length ? { pick: request.packagePick } : {}),
            });
            chosen.files = picked.firmwarePaths;
            if (picked.updaterPath) chosen.updaterPath = picked.updaterPath;
            else delete chosen.updaterPath;
            files = picked.files;
            ffh = resolveFfh({ ...request, updaterPath: chosen.updaterPath });
            choiceResults.push(picked.result);
          }

          await steps.run(
            'preflight',
            async () => {
              const results = [...choiceResults, ...runPreflight({ ...boardPreflightFacts(files, identity, modemRead, request), boardRunsFfh: ffh })];
              emit({ kind: 'preflight', results, isReady: !results.some((result) => result.status === 'fail') });
              await passPreflightGate(results, { ...(request.confirm ? { confirm: request.confirm } : {}), confirmed });
              return results;
            },
            {
              whenDone: (results) => {
                const warnings = results.filter((result) => result.status === 'warn').length;
                return warnings ? `${warnings} warning${warnings === 1 ? '' : 's'} confirmed` : 'all checks passed';
              },
            },
          );

          await pushFilesStep(steps, repl, {
            signal,
            emit,
            ...(ffh && chosen.updaterPath ? { updaterPath: chosen.updaterPath } : {}),
            ...(request.sqnsupgradeFolder ? { sqnsupgradeFolder: request.sqnsupgradeFolder } : {}),
          });

          standing = 'inMirror';
          const trigger = await triggerStep(steps, port, repl, {
            ffh,
            debug: request.updaterDebug === true,
            signal,
            timeoutMs: ffh ? boardTimeouts.triggerFfhMs : boardTimeouts.triggerMs,
            emit,
          });
          if (trigger.ffhIgnored) {
            run.log('warn', 'The board says the recovery method is not necessary (the modem bootrom is already new): the normal method runs, updater.elf is not needed.');
          }
          await handOverStep(steps, port, turn);

          const { boardTimeouts: _board, ffh: _ffh, sqnsupgradeFolder: _folder, updaterDebug: _debug, port: _port, replBaudRate: _repl, packageSource: _package, packagePick: _pick, ...engineRequest } = request;
          // The host half runs inside this run: it finishes it with the one diagnosis and result.
          return await engine.upgrade(
            {
              ...engineRequest,
              files: chosen.files,
              updaterPath: chosen.updaterPath,
              ...(trigger.ffhIgnored ? { updaterPath: undefined } : {}),
              run,
              // The engine's "run again at any time" does not hold here: the board stays in
              // mirror mode, and the next run needs its REPL back.
              untouchedHint: STANDING.inMirror,
              confirmedWarnings: confirmed,
              port: onSameHandle(port, turn),
            } as UpgradeRequest,
            signal,
          );
        } catch (error) {
          // Still our turn: a board left at its REPL goes back to its friendly prompt, as the user left it.
          const isCancel = error instanceof OperationAbortedError || signal.aborted;
          if ((steps.current ?? steps.failed) === 'trigger') standing = standingAfterTrigger(error, isCancel, chosen.updaterPath !== undefined && resolveFfhQuietly({ ...request, updaterPath: chosen.updaterPath }));
          if ((standing === 'atRepl' || standing === 'updaterBack') && boardRepl && port.isOpen) {
            await boardRepl.exit({ replyTimeoutMs: boardTimeouts.replyMs }).catch(() => undefined);
          }
          throw error;
        }
      },
      { settings: replLineFor(request.replBaudRate), signal },
    );
  } catch (error) {
    const isCancel = error instanceof OperationAbortedError || signal.aborted;
    // Set inside the port's turn, which the compiler cannot follow.
    const left = standing as BoardStanding;
    return run.failWith(error, {
      isCancel,
      message:
        left === 'updaterBusy'
          ? `${isCancel ? 'Upgrade cancelled' : 'The board half of the upgrade stopped'} while the board's updater may have been working on the modem.`
          : isCancel
            ? 'Upgrade cancelled before the modem was touched.'
            : 'The board half of the upgrade failed; the modem was not touched.',
      resumeHint: STANDING[left],
      portPath: request.port.path,
    });
  } finally {
    // A zip's extracted files go once the run is over, whatever its end.
    await pkg?.dispose().catch(() => undefined);
  }
}

/**
 * The board's word on where it is, when its updater stopped: back at the REPL, in mirror
 * mode, or not known — then, with updater.elf, it may be writing the modem's bootrom.
 */
function standingAfterTrigger(error: unknown, isCancel: boolean, isFfh: boolean): BoardStanding {
  const boardState = error instanceof TriggerFailedError ? error.boardState : 'unknown';
  if (!isCancel && boardState === 'repl') return 'updaterBack';
  if (!isCancel && boardState === 'mirror') return 'inMirror';
  return isFfh ? 'updaterBusy' : 'updaterProbing';
}

function resolveFfhQuietly(request: FullUpgradeRequest): boolean {
  try {
    return resolveFfh(request);
  } catch {
    return false;
  }
}

/** The checks' facts from what the board half knows: the files, the board, the modem as its updater read it. */
function boardPreflightFacts(
  files: UpgradeFiles,
  identity: BoardIdentity,
  read: BoardModemRead | undefined,
  request: FullUpgradeRequest,
): PreflightFacts {
  return {
    ...factsFromUpgradeFiles(files, request.method),
    ...boardHalfFacts(identity, read),
    ...(request.sqnsupgradeFolder ? { hasSqnsupgradeFiles: true } : {}),
  };
}

function resolveFfh(request: FullUpgradeRequest): boolean {
  const ffh = request.ffh ?? 'auto';
  if (ffh === 'auto') return Boolean(request.updaterPath);
  if (ffh && !request.updaterPath) {
    throw new UsageError('The recovery (FFH) method needs updater.elf.', 'Add updater.elf from the same firmware package as the .dup file.', { actions: [ADD_UPDATER] });
  }
  return ffh;
}
