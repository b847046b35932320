import type { RunCommandAction, ToolCommand, UserAction } from '../core/userActions';

/**
 * Core's actions as the CLI user types them: a flag, a command line. Core says "read the
 * modem's info"; this file says `pycom-modem info --port /dev/ttyUSB0`.
 */

/** What a run of the CLI knows that core's action may leave out (the port it was given). */
export interface CliActionDefaults {
  port?: string;
}

const COMMAND_WORDS: Record<ToolCommand, string> = {
  info: 'info',
  crashdump: 'crashdump',
  check: 'check',
  upgrade: 'upgrade',
  'board-upgrade': 'board upgrade',
  'board-push-module': 'board push-module',
  'board-ls': 'board ls',
};

/** Placeholders for the operands core did not know, as the command's help names them. */
const FILES_PLACEHOLDER: Partial<Record<ToolCommand, string>> = {
  check: 'FILE.dup',
  upgrade: 'FILE.dup',
  'board-upgrade': 'FILE.dup',
  'board-push-module': 'FOLDER',
};

/** A word for a POSIX shell: quoted only when it needs to be. */
export function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command line that does `action` (run-command), e.g. `pycom-modem info --port COM3 --via-board`. */
export function commandLine(action: RunCommandAction, defaults: CliActionDefaults = {}): string {
  const port = action.port ?? defaults.port;
  const files = action.files?.length ? action.files.map(shellWord) : FILES_PLACEHOLDER[action.command] ? [FILES_PLACEHOLDER[action.command]!] : [];
  return [
    'pycom-modem',
    COMMAND_WORDS[action.command],
    '--port',
    port !== undefined ? shellWord(port) : 'PORT',
    ...(action.viaBoard ? ['--via-board'] : []),
    ...(action.updater !== undefined ? ['--updater', shellWord(action.updater)] : []),
    ...files,
  ].join(' ');
}

/** One action as a short CLI sentence: "Add `--updater updater.elf`.", "Run `pycom-modem info --port P`." */
export function userActionCliText(action: UserAction, defaults: CliActionDefaults = {}): string {
  switch (action.kind) {
    case 'add-updater':
      return 'Add `--updater updater.elf`.';
    case 'run-command':
      return `Run \`${commandLine(action, defaults)}\`.`;
    case 'report-bug':
      return 'Run again with --verbose and report the output.';
  }
}

/** Core's plain-words `text` followed by the CLI spelling of its actions, if any. */
export function withCliActions(text: string, actions: readonly UserAction[] | undefined, defaults: CliActionDefaults = {}): string {
  if (!actions?.length) return text;
  // Two joined texts may name the same step: say it once.
  return [text, ...new Set(actions.map((action) => userActionCliText(action, defaults)))].join(' ');
}

/** Preflight results whose advice spells its actions for the CLI (core's renderPreflightText prints `action`). */
export function withCliPreflightActions<T extends { action?: string; actions?: UserAction[] }>(results: readonly T[], defaults: CliActionDefaults = {}): T[] {
  return results.map((result) => (result.actions?.length ? { ...result, action: withCliActions(result.action ?? '', result.actions, defaults).trim() } : result));
}

/** The defaults a command line gives: its --port, so advice names the port the user typed. */
export function cliActionDefaults(argv: readonly string[]): CliActionDefaults {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--port' && argv[i + 1] !== undefined) return { port: argv[i + 1]! };
    if (arg.startsWith('--port=')) return { port: arg.slice('--port='.length) };
  }
  return {};
}
