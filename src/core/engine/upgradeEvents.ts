import type { CrashDump } from '../parse/crashDump';
import type { ModemState, ModemVersionReport } from '../parse/modemVersion';
import type { UserAction } from '../userActions';

/**
 * The steps of a whole upgrade, board half then host half, with the words a person
 * sees. One list so the panel, the CLI and the log view name steps alike.
 */
export const STEP_TITLES = {
  'board-connect': 'Connect to the board',
  'board-identify': 'Identify the board',
  'board-modem-read': 'Read the modem through the board',
  'choose-files': 'Choose the files from the package',
  'preflight': 'Check the files against board and modem',
  'push-files': 'Copy updater files to /flash',
  'trigger': 'Start the updater on the board',
  'mirror-handover': 'Switch the port to mirror mode',
  'detect': 'Wake the modem and read its state',
  'prepare': 'Prepare the modem for upgrade',
  'recovery-boot': 'Reboot the modem into its updater',
  'load-updater': 'Load updater.elf into the modem',
  'transfer': 'Send the firmware',
  'apply': 'Apply the staged firmware',
  'await-upgrade': 'Wait for the modem to finish upgrading',
  'boot-check': 'Check the modem boot mode',
  'boot-app': 'Boot the new firmware',
  'report': 'Read the modem version',
  'crash-dump': 'Read the modem crash dump',
  // The on-board methods (SD card, /flash): the board's own updater sends the file.
  'on-board-file': 'Find the firmware file on the board',
  'push-firmware': 'Copy the diff file to /flash',
  'remove-firmware': 'Remove the diff file from /flash',
} as const;

export type StepId = keyof typeof STEP_TITLES;

export type StepPhase = 'start' | 'waiting' | 'done' | 'fail' | 'skip';

export type UpgradePath = 'on-the-fly' | 'fff' | 'recovery' | 'resume';

export interface Diagnosis {
  /** Stable id of the rule that matched, e.g. 'modem-silent-after-mirror'. */
  cause: string;
  /** One line: what went wrong. */
  title: string;
  /** What the user should do next, in plain words. */
  action: string;
  /** The steps `action` names that a front end spells out (a command line, a button). */
  actions?: UserAction[];
  /** The facts that made the rule match, for the report. */
  evidence: string[];
}

export interface UpgradeErrorInfo {
  code: string;
  message: string;
  action: string;
  /** The error's structured actions (ModemToolError.actions). */
  actions?: UserAction[];
  step?: StepId;
}

/** One preflight check's verdict (src/core/preflight), as front ends show it. */
export interface PreflightCheckInfo {
  id: string;
  title: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  detail: string;
  action?: string;
  /** The steps `action` names, for a front end to spell out. */
  actions?: UserAction[];
}

/**
 * A long wait as it goes on: carried by a step event with phase 'waiting', emitted when
 * the wait starts and again every few seconds while it lasts (the board prints nothing,
 * the modem answers nothing), so a front end can say "Waiting for the modem to finish
 * writing its flash: 2 min 10 s (up to 10 min is normal) — do not unplug".
 */
export interface WaitInfo {
  /** What is being waited for, as a sentence start: 'Waiting for the modem to finish writing its flash'. */
  what: string;
  /** Since the wait began (or, during a transfer, since the modem last sent a byte). */
  elapsedMs: number;
  /** Up to this long is a normal pause of a real modem: beyond it is unusual, not yet a failure. */
  normalMs: number;
  /** When the tool gives up and reports a failure. */
  budgetMs: number;
  /** False while the modem may be writing its flash: unplugging or cancelling then can brick it. */
  isSafeToInterrupt: boolean;
}

export type UpgradeEvent =
  | { kind: 'step'; step: StepId; title: string; phase: StepPhase; detail?: string; wait?: WaitInfo; atMs: number }
  | {
      kind: 'progress';
      step: StepId;
      /** Which file of the session (1-based) and its name. */
      fileIndex: number;
      fileName: string;
      bytesDone: number;
      bytesTotal: number;
      /** Average payload rate so far, bytes per second. */
      bytesPerSecond: number;
      /** Estimated time to finish this file, ms (undefined until a rate is known). */
      etaMs?: number;
      atMs: number;
    }
  | { kind: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string; atMs: number }
  | { kind: 'at'; command: string; reply: string; final: string; durationMs: number; atMs: number }
  | { kind: 'unsolicited'; line: string; atMs: number }
  | { kind: 'stp'; direction: 'tx' | 'rx'; summary: string; atMs: number }
  | { kind: 'boardOutput'; line: string; atMs: number }
  | { kind: 'plan'; path: UpgradePath; files: string[]; estimatedMs?: number; atMs: number }
  | { kind: 'modemState'; state: ModemState; atMs: number }
  | { kind: 'modemInfo'; phase: 'before' | 'after'; report: ModemVersionReport; atMs: number }
  | { kind: 'crashDump'; dump: CrashDump; atMs: number }
  | { kind: 'diagnosis'; diagnosis: Diagnosis; atMs: number }
  /** The checks run before anything irreversible; `isReady` false means the upgrade was refused. */
  | { kind: 'preflight'; results: PreflightCheckInfo[]; isReady: boolean; atMs: number }
  | {
      kind: 'result';
      outcome: 'success' | 'failed' | 'cancelled';
      message: string;
      error?: UpgradeErrorInfo;
      /** Where the board and modem stand now, in words, and how to continue. */
      resumeHint?: string;
      transcriptPath?: string;
      atMs: number;
    };

export type UpgradeEventKind = UpgradeEvent['kind'];
