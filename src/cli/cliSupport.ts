import { homedir } from 'node:os';
import { join, win32 } from 'node:path';
import { DEFAULT_BOARD_TIMEOUTS, type BoardTimeouts } from '../core/board/fullUpgrade';
import type { UpgradeEngine, UpgradeOutcome } from '../core/engine/upgradeEngine';
import { DEFAULT_UPGRADE_TIMEOUTS, scaleTimeouts, type UpgradeTimeouts } from '../core/engine/upgradeTimeouts';
import type { PortOpener } from '../core/transport/byteTransport';
import { SerialPortOpener } from '../core/transport/serialTransport';
import { PortOwner } from '../core/transport/portOwner';
import { numberOption, type OptionSpec, type ParsedArgs } from './args';
import type { CliContext } from './cliCommand';
import { writeJsonLine } from './renderJson';
import { TextRenderer } from './renderText';
import { cliActionDefaults } from './userActionText';

export const JSON_OPTION: OptionSpec = { json: { type: 'boolean' } };
export const PORT_OPTION: OptionSpec = { port: { type: 'string', short: 'p' } };
export const TIMEOUT_SCALE_OPTION: OptionSpec = { 'timeout-scale': { type: 'string' } };

/** An upgrade's exit status: 0 success, 2 refused before anything changed (a usage error), 1 failed or cancelled. */
export function upgradeExitCode(outcome: Pick<UpgradeOutcome, 'outcome' | 'error'>): number {
  if (outcome.outcome === 'success') return 0;
  return outcome.error?.code === 'usage' ? 2 : 1;
}

export function openerFor(context: CliContext): PortOpener {
  return context.opener ?? new SerialPortOpener();
}

/** The one owner of a port for this command: every job on it is a turn, the port opens once. */
export function portFor(context: CliContext, portPath: string): PortOwner {
  return new PortOwner(openerFor(context), portPath);
}

function timeoutScale(args: ParsedArgs, command: string): number | undefined {
  return numberOption(args, command, 'timeout-scale', { min: 0.0001, max: 100 });
}

/** `--timeout-scale F` multiplies every wait (a slow modem: 2; a fast simulator: 0.01). */
export function timeoutsFromArgs(args: ParsedArgs, command: string): Partial<UpgradeTimeouts> | undefined {
  const factor = timeoutScale(args, command);
  return factor === undefined ? undefined : scaleTimeouts({ ...DEFAULT_UPGRADE_TIMEOUTS }, factor);
}

/** The board half's waits under the same `--timeout-scale F`: the trigger may last as long as the modem's. */
export function boardTimeoutsFromArgs(args: ParsedArgs, command: string): Partial<BoardTimeouts> | undefined {
  const factor = timeoutScale(args, command);
  if (factor === undefined) return undefined;
  // The REPL's Ctrl-A answer is the board's, not the modem's: it is not scaled.
  return { triggerMs: DEFAULT_BOARD_TIMEOUTS.triggerMs * factor, triggerFfhMs: DEFAULT_BOARD_TIMEOUTS.triggerFfhMs * factor };
}

/**
 * Where session transcripts and last-attempt.json go unless --transcript-dir says otherwise:
 * the user's state folder, not the temp folder, which the OS empties on reboot or by age
 * (systemd-tmpfiles, macOS's periodic cleaning) and with it the record that lets an
 * interrupted upgrade resume. PYCOM_MODEM_TRANSCRIPT_DIR overrides it.
 */
export function defaultTranscriptDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  home: string = env.HOME || env.USERPROFILE || homedir(),
): string {
  if (env.PYCOM_MODEM_TRANSCRIPT_DIR) return env.PYCOM_MODEM_TRANSCRIPT_DIR;
  if (platform === 'win32') return win32.join(env.LOCALAPPDATA || win32.join(home, 'AppData', 'Local'), 'pycom-modem');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'pycom-modem');
  // XDG Base Directory: a relative XDG_STATE_HOME is invalid and must be ignored.
  const stateHome = env.XDG_STATE_HOME?.startsWith('/') ? env.XDG_STATE_HOME : join(home, '.local', 'state');
  return join(stateHome, 'pycom-modem');
}

/** Shows the engine's events as JSON lines or text until the returned function is called. */
export function showEngineEvents(engine: UpgradeEngine, context: CliContext, options: { json: boolean }): () => void {
  if (options.json) return engine.events.on((event) => writeJsonLine(context.stdout, event));
  const renderer = new TextRenderer(context.stdout, { isTTY: context.isTTY, verbose: context.verbose ?? false, actionDefaults: cliActionDefaults(context.argv) });
  return engine.events.on((event) => renderer.render(event));
}
