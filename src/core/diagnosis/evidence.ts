import { recogniseUpdaterLine } from '../parse/updaterMessages';
import { isModemToolError, type PortOpenFailure } from '../errors';
import type { StepId, UpgradeEvent, UpgradePath } from '../engine/upgradeEvents';
import type { CrashDump } from '../parse/crashDump';
import type { FirmwareFileKind } from '../parse/firmwareFile';
import type { ModemState, ModemVersionReport } from '../parse/modemVersion';
import type { UserAction } from '../userActions';

/**
 * Everything a failure left behind that can say why it happened: the error, the last
 * AT exchange, the modem's state and builds, the crash dump, how far the transfer got.
 * Every field is optional: a rule matches only on what is known. Plain data, so the
 * engine, the CLI and tests build it alike (from an error, from the event stream, by hand).
 */
export interface DiagnosisEvidence {
  failedStep?: StepId;
  /** `ModemToolError.code`: 'timeout', 'port-open', 'garbled', 'stp-no-reply', 'aborted', … ('internal' for other errors). */
  errorCode?: string;
  errorMessage?: string;
  /** The error's own advice, used when no rule knows better. */
  errorAction?: string;
  /** The steps errorAction names (ModemToolError.actions). */
  errorActions?: UserAction[];
  /**
   * Where the engine left the modem and how to continue (the result's resume hint): after
   * a cancel it is the one story the toast, the panel and the diagnosis all tell.
   */
  resumeHint?: string;
  portPath?: string;
  portOpenFailure?: PortOpenFailure;
  /** The port disappeared (unplug, board reset) rather than being closed by us. */
  portVanished?: boolean;
  /** Operating system, for advice in its words (`fuser` vs Device Manager). */
  platform?: string;
  lastAt?: LastAtExchange;
  /** Bytes a text protocol never sends arrived (high-bit bytes): the signature of a baud mismatch. */
  garbageSeen?: boolean;
  crashDump?: CrashDump;
  /** AT+SMOD? at detection, before anything changed. */
  modemStateBefore?: ModemState;
  /** AT+SMOD? read after the failure (a later detection or `info`). */
  modemStateAfter?: ModemState;
  /** The modem's Software build (showver [NNNNN] / ATI1 -NNNNN). */
  modemBuild?: number;
  bootloader0Build?: number;
  /** The +SMUPGRADE: result, e.g. "failure[diffUpgrade,239] Patch didn't apply!". */
  upgradeResultText?: string;
  transferProgress?: { bytesDone: number; bytesTotal: number };
  /**
   * How long the modem had been silent when the tool gave up or the user cancelled,
   * ms: tells a normal pause (the modem works internally for minutes) from a dead modem.
   */
  modemSilentMs?: number;
  path?: UpgradePath;
  files?: EvidenceFile[];
  /** 'GPy', 'FiPy', 'G01', 'LoPy4', … */
  boardMachine?: string;
  /** Pycom firmware release, e.g. '1.18.2.r7'. */
  boardRelease?: string;
  /** Board hardware revision when the user or the board said it, e.g. '1.0'. */
  boardRevision?: string;
  hasSqnsupgrade?: boolean;
  flash?: { neededBytes: number; freeBytes: number };
  /** The board's updater said why it stopped (an id of src/core/board/updaterMessages.ts). */
  updaterMessageId?: string;
  /** The line it printed. */
  updaterLine?: string;
  /** Where the board was left by its updater: back at its REPL, in mirror mode, or not known. */
  boardStateAfter?: 'repl' | 'mirror' | 'unknown';
  /** LTE bands the user asked about (the seed user wanted band 8 on a GPy v1.0). */
  wantedBands?: number[];
}

export interface LastAtExchange {
  command: string;
  /** Final result code, or '(no reply: …)'. */
  final: string;
  lines: string[];
}

export interface EvidenceFile {
  name: string;
  size?: number;
  kind?: FirmwareFileKind;
  fromBuild?: number;
  toBuild?: number;
}

/** Facts the caller knows besides the error itself; they win over nothing, and lose to the error's own. */
export type EvidenceContext = Omit<DiagnosisEvidence, 'errorCode' | 'errorMessage' | 'errorAction' | 'errorActions'> & {
  modemBefore?: ModemVersionReport;
};

/**
 * A byte an AT/REPL text exchange never carries. Framing errors at a wrong baud rate
 * read mostly as high-bit bytes; NUL and other controls also appear. CR, LF, TAB and
 * the REPL's own control bytes (Ctrl-A…Ctrl-E) are text here.
 */
export function isGarbageByte(byte: number): boolean {
  if (byte >= 0x80) return true;
  if (byte >= 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) return false;
  return !(byte >= 0x01 && byte <= 0x05);
}

/** At least a few garbage bytes, and a real share of them: one stray byte after a power glitch is not a baud mismatch. */
export function looksLikeWrongBaud(bytes: Uint8Array): boolean {
  let garbage = 0;
  for (const byte of bytes) if (isGarbageByte(byte)) garbage += 1;
  return garbage >= 3 && garbage * 4 >= bytes.length;
}

function numberProp(error: object, name: string): number | undefined {
  const value = (error as Record<string, unknown>)[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function stringProp(error: object, name: string): string | undefined {
  const value = (error as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function bytesProp(error: object, name: string): Uint8Array | undefined {
  const value = (error as Record<string, unknown>)[name];
  return value instanceof Uint8Array ? value : undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

/**
 * Evidence from a thrown error plus what the caller knows. Errors are read by their
 * `code` and public fields rather than by class, so this module depends on no layer
 * above the parsers (the engine and the board code import it, not the other way).
 */
export function evidenceFromError(error: unknown, context: EvidenceContext = {}): DiagnosisEvidence {
  const { modemBefore, ...known } = context;
  const evidence: DiagnosisEvidence = { ...known };
  if (modemBefore) {
    evidence.modemBuild ??= modemBefore.softwareBuild;
    evidence.bootloader0Build ??= modemBefore.bootloaders.find((b) => b.slot === 0)?.build;
  }
  if (!isModemToolError(error)) {
    evidence.errorCode = 'internal';
    evidence.errorMessage = error instanceof Error ? error.message : String(error);
    return withoutUndefined(evidence);
  }
  evidence.errorCode = error.code;
  evidence.errorMessage = error.message;
  evidence.errorAction = error.action;
  if (error.actions?.length) evidence.errorActions = error.actions;
  if (error.step && !evidence.failedStep) evidence.failedStep = error.step as StepId;

  const lastBytes = bytesProp(error, 'lastBytes');
  if (lastBytes && looksLikeWrongBaud(lastBytes)) evidence.garbageSeen = true;

  switch (error.code) {
    case 'port-open': {
      evidence.portPath ??= stringProp(error, 'portPath');
      const failure = stringProp(error, 'failure');
      if (failure === 'busy' || failure === 'missing' || failure === 'permission' || failure === 'other') {
        evidence.portOpenFailure = failure;
      }
      break;
    }
    case 'board-at-repl':
      evidence.portPath ??= stringProp(error, 'portPath');
      break;
    case 'trigger-failed':
    case 'on-board-failed': {
      evidence.updaterMessageId ??= stringProp(error, 'updaterMessage');
      evidence.updaterLine ??= stringProp(error, 'updaterLine');
      const state = stringProp(error, 'boardState');
      if (state === 'repl' || state === 'mirror' || state === 'unknown') evidence.boardStateAfter ??= state;
      break;
    }
    case 'port-closed':
      evidence.portPath ??= stringProp(error, 'portPath');
      evidence.portVanished = stringProp(error, 'reason') === 'vanished';
      break;
    case 'garbled':
      evidence.garbageSeen = true;
      evidence.lastAt ??= { command: stringProp(error, 'command') ?? '', final: '(garbled)', lines: [] };
      break;
    case 'modem-silent':
      if ((error as { sawGarbage?: unknown }).sawGarbage === true) evidence.garbageSeen = true;
      evidence.modemSilentMs ??= numberProp(error, 'waitedMs');
      break;
    case 'timeout':
      evidence.modemSilentMs ??= numberProp(error, 'waitedMs');
      break;
    case 'stp-no-reply': {
      // Each attempt waited the full request timeout in silence (or with damaged replies).
      const attempts = numberProp(error, 'attempts');
      const perAttemptMs = numberProp(error, 'requestTimeoutMs');
      if (attempts !== undefined && perAttemptMs !== undefined) evidence.modemSilentMs ??= attempts * perAttemptMs;
      break;
    }
    case 'upgrade-failed':
      evidence.upgradeResultText ??= stringProp(error, 'resultText');
      break;
    case 'modem-refused': {
      const command = stringProp(error, 'command');
      const replyText = stringProp(error, 'replyText') ?? '';
      if (command) {
        const parts = replyText.split(' | ').filter(Boolean);
        evidence.lastAt ??= { command, final: parts.pop() ?? '', lines: parts };
      }
      break;
    }
    case 'flash-full': {
      const neededBytes = numberProp(error, 'neededBytes');
      const freeBytes = numberProp(error, 'freeBytes');
      if (neededBytes !== undefined && freeBytes !== undefined) evidence.flash ??= { neededBytes, freeBytes };
      break;
    }
    case 'no-lte-modem': {
      const identity = (error as { identity?: { machine?: unknown; release?: unknown } }).identity;
      if (typeof identity?.machine === 'string') evidence.boardMachine ??= identity.machine;
      if (typeof identity?.release === 'string') evidence.boardRelease ??= identity.release;
      break;
    }
    case 'sqnsupgrade-missing':
      evidence.hasSqnsupgrade = false;
      evidence.boardRelease ??= stringProp(error, 'release');
      break;
  }
  return withoutUndefined(evidence);
}

/**
 * Evidence from an upgrade's event stream (what the engine emitted, or a session the
 * extension recorded): the failed step, the result's error, the last AT exchange, the
 * modem's state and builds, the crash dump, the last progress, and how long the modem
 * had been silent when the run ended.
 */
export function evidenceFromEvents(events: readonly UpgradeEvent[]): DiagnosisEvidence {
  const evidence: DiagnosisEvidence = {};
  let failedAtMs: number | undefined;
  let lastHeardAtMs: number | undefined;
  let endedAtMs: number | undefined;
  // The updater's messages count while it runs as the trigger: what info() prints about a
  // modem in recovery describes the modem, it is not why the updater stopped.
  let isTriggerRunning = false;
  for (const event of events) {
    switch (event.kind) {
      case 'step':
        if (event.step === 'trigger') isTriggerRunning = event.phase === 'start' || event.phase === 'waiting';
        // The first failure is the cause; later steps (crash-dump read) fail as its consequence.
        if (event.phase === 'fail' && failedAtMs === undefined && event.step !== 'crash-dump') {
          evidence.failedStep = event.step;
          failedAtMs = event.atMs;
        }
        break;
      case 'at':
        evidence.lastAt = { command: event.command, final: event.final, lines: event.reply ? event.reply.split('\n') : [] };
        if (event.reply || !event.final.startsWith('(no reply')) lastHeardAtMs = event.atMs;
        break;
      case 'unsolicited':
        lastHeardAtMs = event.atMs;
        break;
      case 'stp':
        if (event.direction === 'rx') lastHeardAtMs = event.atMs;
        break;
      case 'progress':
        evidence.transferProgress = { bytesDone: event.bytesDone, bytesTotal: event.bytesTotal };
        break;
      case 'plan':
        evidence.path = event.path;
        evidence.files ??= event.files.map((name) => ({ name }));
        break;
      case 'modemState':
        if (failedAtMs === undefined && evidence.modemStateBefore === undefined) evidence.modemStateBefore = event.state;
        else if (failedAtMs !== undefined) evidence.modemStateAfter = event.state;
        break;
      case 'modemInfo':
        if (event.phase === 'before') {
          evidence.modemBuild ??= event.report.softwareBuild;
          evidence.bootloader0Build ??= event.report.bootloaders.find((b) => b.slot === 0)?.build;
        }
        break;
      case 'crashDump':
        evidence.crashDump = event.dump;
        break;
      case 'boardOutput': {
        // The first line that says why the board's updater stopped; informational lines do not count.
        const said = isTriggerRunning && evidence.updaterMessageId === undefined ? recogniseUpdaterLine(event.line) : undefined;
        if (said?.severity === 'failure') {
          evidence.updaterMessageId = said.id;
          evidence.updaterLine = event.line.trim();
        }
        break;
      }
      case 'result':
        endedAtMs = event.atMs;
        if (event.outcome === 'cancelled') evidence.errorCode = event.error?.code ?? 'aborted';
        if (event.resumeHint) evidence.resumeHint = event.resumeHint;
        if (event.error) {
          evidence.errorCode = event.error.code;
          evidence.errorMessage = event.error.message;
          evidence.errorAction = event.error.action;
          if (event.error.actions?.length) evidence.errorActions = event.error.actions;
          else delete evidence.errorActions;
          if (event.error.step && !evidence.failedStep) evidence.failedStep = event.error.step;
          if (event.error.code === 'upgrade-failed') {
            const text = /upgrade failed:\s*(.*)$/i.exec(event.error.message)?.[1];
            if (text) evidence.upgradeResultText ??= text;
          }
        }
        break;
    }
  }
  const endMs = failedAtMs ?? endedAtMs;
  if (endMs !== undefined && lastHeardAtMs !== undefined && endMs >= lastHeardAtMs) {
    evidence.modemSilentMs = endMs - lastHeardAtMs;
  }
  return withoutUndefined(evidence);
}

/** Later parts fill what earlier ones left unknown (e.g. the error's evidence, then the event stream's). */
export function mergeEvidence(...parts: readonly DiagnosisEvidence[]): DiagnosisEvidence {
  const merged: DiagnosisEvidence = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part) as [keyof DiagnosisEvidence, unknown][]) {
      if (value !== undefined && merged[key] === undefined) (merged as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}
