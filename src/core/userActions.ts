/**
 * What the user should do next, as data. Core serves two front ends: the CLI shows a step
 * as a command line or a flag, VS Code as a button or a command's name. So core's texts
 * say the step in plain words and carry it here too; each front end renders the value its
 * own way (src/cli/userActionText.ts, src/glue/userActionWords.ts).
 */
export type UserAction =
  /** Give updater.elf from the same firmware package too (the recovery method). */
  | { kind: 'add-updater' }
  /** Run one of the tool's commands, with what is known of its arguments. */
  | {
      kind: 'run-command';
      command: ToolCommand;
      /** Let the tool put the board in mirror mode (or ask its updater) first. */
      viaBoard?: boolean;
      /** The port, when core knows it; a front end fills in its own otherwise. */
      port?: string;
      /** The files the command takes (firmware paths, a folder), in order. */
      files?: string[];
      /** updater.elf for an upgrade, when one is needed. */
      updater?: string;
    }
  /** A bug in the tool: report it with the full detail of the run. */
  | { kind: 'report-bug' };

/** The tool's commands that core's advice names. */
export type ToolCommand = 'info' | 'crashdump' | 'check' | 'upgrade' | 'board-upgrade' | 'board-push-module' | 'board-ls';

export type UserActionKind = UserAction['kind'];

export type RunCommandAction = Extract<UserAction, { kind: 'run-command' }>;

/** Shorthands for the actions core's texts use most. */
export const ADD_UPDATER: UserAction = { kind: 'add-updater' };
export const READ_INFO: UserAction = { kind: 'run-command', command: 'info' };
export const READ_CRASH_DUMP: UserAction = { kind: 'run-command', command: 'crashdump' };
export const REPORT_BUG: UserAction = { kind: 'report-bug' };

/** `actions` without repeats (two texts joined may name the same step), in first-seen order. */
export function uniqueActions(actions: readonly UserAction[]): UserAction[] {
  const seen = new Set<string>();
  return actions.filter((action) => {
    const key = JSON.stringify(action);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
