import { OperationAbortedError, PortClosedError, UsageError } from '../errors';
import { TypedEmitter } from '../events/typedEmitter';
import type { CrashDump } from '../parse/crashDump';
import { buildModemVersionReport, type ModemState, type ModemVersionReport } from '../parse/modemVersion';
import { Deadline } from '../time/deadline';
import type { PortAccess } from '../transport/portOwner';
import { applyStagedFirmware } from './steps/apply';
import { awaitUpgradeResult } from './steps/awaitUpgrade';
import { bootNewApplication, notifyUpgradeSuccess } from './steps/bootApp';
import { checkBootMode } from './steps/bootCheck';
import { readCrashDump, readCrashDumpAfterFailure } from './steps/crashDump';
import { readModemStateAfterFailure } from './steps/stateAfterFailure';
import { detectModem, readModemState, wakeAtEitherBaud } from './steps/detect';
import { loadUpdater } from './steps/loadUpdater';
import { prepareModem } from './steps/prepare';
import { rebootIntoUpdater } from './steps/recoveryBoot';
import { readVersionReport, reportVersion, warnOnUnexpectedBuild } from './steps/report';
import { transferFirmware } from './steps/transfer';
import { wakeModem } from './steps/wakeModem';
import { MIRROR_BAUD, MIRROR_LINE } from '../transport/pycomLines';
import { BoardAtReplError, cancelledHint, ModemNotAnsweringError, STANDING } from './upgradeErrors';
import type { Diagnosis, UpgradeErrorInfo, UpgradeEvent, UpgradePath } from './upgradeEvents';
import {
  checkFilesAgainstModem,
  chooseUpgradePath,
  expectedFinalBuild,
  inspectUpgradeFiles,
  modemRuleFacts,
  type UpgradeFiles,
} from './upgradePlan';
import type { TransferMethodOption } from '../preflight/transferMethod';
import { hasFailure, runPreflight } from '../preflight/preflight';
import { factsFromUpgradeFiles, preflightModem } from '../preflight/upgradeFilesFacts';
import { passPreflightGate, type ConfirmWarnings } from '../preflight/preflightGate';
import { UpgradeSession } from './upgradeSession';
import { resolveTimeouts, type UpgradeTimeouts } from './upgradeTimeouts';
import { errorInfo, UpgradeRun } from './upgradeRun';
import { streamSink } from './stepRunner';

export type { UpgradeTimeouts } from './upgradeTimeouts';

export interface PortRequest {
  /**
   * The port, one turn at a time: its owner (PortOwner) or, inside a turn that already
   * holds it (the board half), the same handle (onSameHandle). The engine opens nothing.
   */
  port: PortAccess;
  timeouts?: Partial<UpgradeTimeouts>;
}

export interface UpgradeRequest extends PortRequest {
  /** .dup files in order (two-stage: -1 then -2). */
  files: string[];
  /** updater.elf (recovery path). */
  updaterPath?: string;
  /**
   * 'auto' (default) follows Pycom's documented choice per file (size, stage 1,
   * updater.elf); 'on-the-fly' or 'fff' forces that method for every file.
   */
  method?: TransferMethodOption;
  /**
   * Asked with the firmware rules' warnings once the modem is read (a network switch, a
   * release step not checkable): false stops before anything changes. Without it the
   * warnings are only logged.
   */
  confirm?: ConfirmWarnings;
  /** Warnings already confirmed in this run (the board half's preflight): not asked again. */
  confirmedWarnings?: Set<string>;
  transcriptDir?: string;
  /**
   * The run already under way (the board half opened it): the host half runs inside it
   * (same transcript, same record) and finishes it with the one diagnosis and result.
   */
  run?: UpgradeRun;
  /**
   * The resume hint when a failure left the modem unchanged, instead of "run again at
   * any time": the board half says its board stays in mirror mode until power-cycled.
   */
  untouchedHint?: string;
}

export interface UpgradeOutcome {
  outcome: 'success' | 'failed' | 'cancelled';
  path?: UpgradePath;
  before?: ModemVersionReport;
  after?: ModemVersionReport;
  error?: UpgradeErrorInfo;
  crashDump?: CrashDump;
  /** Why it failed and what to do, from the diagnosis rules (failed or cancelled only). */
  diagnosis?: Diagnosis;
  transcriptPath?: string;
  resumeHint?: string;
}

export interface ModemInfo {
  state: ModemState;
  report: ModemVersionReport;
  baudRate: number;
}


/** A rough line rate for the plan's estimate: 8N1 moves baud/10 bytes per second, STP keeps most of it. */
const STP_LINE_EFFICIENCY = 0.9;

function resultMessage(outcome: UpgradeOutcome): string {
  if (outcome.outcome === 'success') return `Upgrade finished${outcome.after?.softwareBuild ? `: the modem runs build ${outcome.after.softwareBuild}` : ''}.`;
  if (outcome.outcome === 'cancelled') return 'Upgrade cancelled.';
  return `Upgrade failed: ${outcome.error?.message ?? 'unknown error'}`;
}

function isCancel(error: unknown, signal: AbortSignal): boolean {
  return error instanceof OperationAbortedError || (signal.aborted && (error as Error)?.name === 'AbortError');
}

/**
 * The host half of a modem upgrade (PROTOCOL.md §2 and §8): detects the modem, picks
 * the path from its state and the files, refuses what cannot work before changing
 * anything, runs the steps, and always says where the modem stands at the end.
 */
export class UpgradeEngine {
  readonly events = new TypedEmitter<UpgradeEvent>();

  async upgrade(request: UpgradeRequest, signal: AbortSignal = new AbortController().signal): Promise<UpgradeOutcome> {
    const run = request.run ?? new UpgradeRun(this.events, request.transcriptDir ? { transcriptDir: request.transcriptDir } : {});
    const outcome: UpgradeOutcome = { outcome: 'failed', ...(run.transcriptPath ? { transcriptPath: run.transcriptPath } : {}) };
    let session: UpgradeSession | undefined;
    try {
      this.emitLog('info', `Upgrade on ${request.port.path}: ${request.files.join(', ')}${request.updaterPath ? ` with ${request.updaterPath}` : ''}.`);
      const files = await inspectUpgradeFiles(request.files, request.updaterPath, request.method ? { method: request.method } : {});
      for (const warning of files.warnings) this.emitLog('warn', warning);
      await request.port.run(
        async (io, turnSignal) => {
          const started = new UpgradeSession(io, resolveTimeouts(request.timeouts), turnSignal, run);
          session = started;
          try {
            await this.runUpgrade(started, files, outcome, request);
          } catch (error) {
            // While the port is still ours: where the modem stands, and its crash dump.
            await this.readAfterFailure(error, started, turnSignal, outcome);
            throw error;
          }
        },
        { settings: MIRROR_LINE, signal },
      );
      outcome.outcome = 'success';
    } catch (error) {
      outcome.outcome = isCancel(error, signal) ? 'cancelled' : 'failed';
      outcome.error = errorInfo(error);
      const started = session as UpgradeSession | undefined;
      outcome.resumeHint = started
        ? error instanceof BoardAtReplError
          ? `Neither the board nor the modem was changed: the board is still at its REPL. ${error.action}`
          : started.standing === 'untouched' && request.untouchedHint
            ? request.untouchedHint
            : outcome.outcome === 'cancelled'
              ? cancelledHint(started.standing)
              : STANDING[started.standing]
        : // Nothing was sent yet: refused files, a busy port, a cancel before the port opened.
          (request.untouchedHint ?? STANDING.untouched);
      const diagnosis = run.diagnose(error, {
        portPath: request.port.path,
        ...(outcome.before ? { modemBefore: outcome.before } : {}),
        // A cancel's diagnosis tells the same story as the result's hint.
        ...(outcome.resumeHint ? { resumeHint: outcome.resumeHint } : {}),
      });
      if (diagnosis) outcome.diagnosis = diagnosis;
    }
    run.finish({
      outcome: outcome.outcome,
      message: resultMessage(outcome),
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.outcome === 'success' ? { resumeHint: STANDING.done } : outcome.resumeHint ? { resumeHint: outcome.resumeHint } : {}),
    });
    return outcome;
  }

  /** A crash dump is worth a try when the modem answered before; not after a refusal, a cancel, an unplug or a silent modem. */
  private async readAfterFailure(error: unknown, session: UpgradeSession, signal: AbortSignal, outcome: UpgradeOutcome): Promise<void> {
    const modemMayAnswer =
      !isCancel(error, signal) &&
      !(error instanceof UsageError) &&
      !(error instanceof PortClosedError) &&
      !(error instanceof ModemNotAnsweringError && session.standing === 'untouched') &&
      // A REPL is left as found: it gets no more commands.
      !(error instanceof BoardAtReplError);
    if (!modemMayAnswer || !session.io.isOpen) return;
    // The state first: it wakes the modem (it may be rebooting after a crash), and a
    // modem that stays silent is not asked for its crash dump too.
    const isAnswering = await readModemStateAfterFailure(session);
    if (!isAnswering) return;
    const dump = await readCrashDumpAfterFailure(session);
    if (dump) outcome.crashDump = dump;
  }

  private async runUpgrade(session: UpgradeSession, files: UpgradeFiles, outcome: UpgradeOutcome, request: Pick<UpgradeRequest, 'confirm' | 'confirmedWarnings' | 'method'>): Promise<void> {
    const detected = await detectModem(session);
    if (detected.before) outcome.before = detected.before;
    if (detected.baudRate !== MIRROR_BAUD) {
      session.log('warn', `The modem answers at ${detected.baudRate} baud, not ${MIRROR_BAUD}: the transfer will be slower.`);
    }

    // Every refusal that needs the modem's state or build happens here, before anything
    // changes it: the same rule functions preflight shows (src/core/preflight/firmwareRules.ts).
    // The same checks as `check` and the board half, now that the modem has said what it
    // runs: a failure refuses, a warning goes on only when confirmed (once per run).
    const results = runPreflight({
      ...factsFromUpgradeFiles(files, request.method),
      modem: preflightModem(detected.state, detected.before),
      baudRate: session.io.settings.baudRate,
    });
    session.emit({ kind: 'preflight', results, isReady: !hasFailure(results) });
    await passPreflightGate(results, {
      ...(request.confirm ? { confirm: request.confirm } : {}),
      ...(request.confirmedWarnings ? { confirmed: request.confirmedWarnings } : {}),
    });
    const plan = chooseUpgradePath(detected.state, files);
    const modemFacts = modemRuleFacts(detected.state, detected.before);
    const warnings = [...plan.warnings, ...checkFilesAgainstModem(files, modemFacts)];
    for (const warning of warnings) session.log('warn', warning);
    const path = plan.path;
    outcome.path = path;
    const totalBytes = files.firmware.reduce((sum, f) => sum + f.size, 0) + (path === 'recovery' ? files.updater!.size : 0);
    session.emit({
      kind: 'plan',
      path,
      files: [...(path === 'recovery' ? [files.updater!.name] : []), ...files.firmware.map((f) => f.name)],
      estimatedMs: (totalBytes / ((session.io.settings.baudRate / 10) * STP_LINE_EFFICIENCY)) * 1000,
    });
    for (const file of files.firmware) {
      session.log('info', `${file.name} goes ${file.method === 'on-the-fly' ? 'ON_THE_FLY' : 'FFF'}${file.methodReason ? `: ${file.methodReason}` : ''}.`);
    }

    if (path === 'recovery') {
      session.standing = 'recoveryBootrom';
      await loadUpdater(session, files.updater!);
    } else if (path === 'resume') {
      session.isInUpdater = true;
      session.standing = 'inUpdater';
    }

    let skipRecoveryBoot = plan.skipRecoveryBoot;
    for (const [index, file] of files.firmware.entries()) {
      if (index > 0) {
        // The previous stage rebooted the modem: ask again where it stands, and what it
        // runs now (after stage 1 of CATM1-5.2-48829 it reports LR5.1.1.0-39529).
        await wakeModem(session, { deadline: Deadline.in(session.timeouts.rebootMs, 'modem before the next stage') });
        const state = await readModemState(session);
        session.isInUpdater = state === 4;
        skipRecoveryBoot = state === 1;
        const between = state === 2 ? await reportVersion(session) : undefined;
        const remaining = { ...files, firmware: files.firmware.slice(index) };
        // Stage 2 only onto what stage 1 left, a diff only onto its from-build: the same rules again.
        for (const warning of checkFilesAgainstModem(remaining, modemRuleFacts(state, between))) session.log('warn', warning);
      }
      if (!session.isInUpdater) {
        await prepareModem(session);
        // mTools (state 1): the published updater sends no AT+SMSWBOOT=3,1 from there.
        if (file.method === 'on-the-fly' && !skipRecoveryBoot) await rebootIntoUpdater(session);
      }
      await transferFirmware(session, file, index + 1);
      if (file.method === 'fff') await applyStagedFirmware(session);
      await awaitUpgradeResult(session);
      await checkBootMode(session);
      if (file.method === 'on-the-fly') {
        await bootNewApplication(session);
        await notifyUpgradeSuccess(session, 'boot-app');
      } else {
        await notifyUpgradeSuccess(session, 'boot-check');
      }
      session.isInUpdater = false;
    }
    outcome.after = await reportVersion(session);
    warnOnUnexpectedBuild(session, expectedFinalBuild(files.firmware), outcome.after.softwareBuild);
  }

  /** Wakes the modem (921600, then 115200), reads its state and version. Changes nothing. */
  async info(request: PortRequest, signal: AbortSignal = new AbortController().signal): Promise<ModemInfo> {
    return this.withSession(request, signal, async (session) => {
      const { baudRate } = await session.step('detect', () => wakeAtEitherBaud(session));
      const state = await readModemState(session);
      // The recovery bootrom knows only AT, AT+SMOD?, AT+IPR and AT+STP.
      const report = state === 0 ? buildModemVersionReport({}) : await session.step('report', () => readVersionReport(session));
      session.emit({ kind: 'modemInfo', phase: 'before', report });
      return { state, report, baudRate };
    });
  }

  /** Reads /fs/crashdump; undefined when the modem has none. Changes nothing. */
  async readCrashDump(request: PortRequest, signal: AbortSignal = new AbortController().signal): Promise<CrashDump | undefined> {
    return this.withSession(request, signal, async (session) => {
      await session.step('detect', () => wakeAtEitherBaud(session));
      return session.step('crash-dump', () => readCrashDump(session, session.timeouts.crashDumpMs));
    });
  }

  private withSession<T>(request: PortRequest, signal: AbortSignal, job: (session: UpgradeSession) => Promise<T>): Promise<T> {
    return request.port.run((io, turnSignal) => job(new UpgradeSession(io, resolveTimeouts(request.timeouts), turnSignal, streamSink(this.events))), {
      settings: MIRROR_LINE,
      signal,
    });
  }

  private emitLog(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.events.emit({ kind: 'log', level, message, atMs: Date.now() });
  }

}
