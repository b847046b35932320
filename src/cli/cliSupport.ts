import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UpgradeEngine } from '../core/engine/upgradeEngine';
import { DEFAULT_UPGRADE_TIMEOUTS, scaleTimeouts, type UpgradeTimeouts } from '../core/engine/upgradeTimeouts';
import type { PortOpener } from '../core/transport/byteTransport';
import { SerialPortOpener } from '../core/transport/serialTransport';
import { numberOption, type OptionSpec, type ParsedArgs } from './args';
import type { CliContext } from './cliCommand';
import { writeJsonLine } from './renderJson';
import { TextRenderer } from './renderText';

export const JSON_OPTION: OptionSpec = { json: { type: 'boolean' } };
export const PORT_OPTION: OptionSpec = { port: { type: 'string', short: 'p' } };
export const TIMEOUT_SCALE_OPTION: OptionSpec = { 'timeout-scale': { type: 'string' } };

export function openerFor(context: CliContext): PortOpener {
  return context.opener ?? new SerialPortOpener();
}

/** `--timeout-scale F` multiplies every wait (a slow modem: 2; a fast simulator: 0.01). */
export function timeoutsFromArgs(args: ParsedArgs, command: string): Partial<UpgradeTimeouts> | undefined {
  const factor = numberOption(args, command, 'timeout-scale', { min: 0.0001, max: 100 });
  return factor === undefined ? undefined : scaleTimeouts({ ...DEFAULT_UPGRADE_TIMEOUTS }, factor);
}

/** Where session transcripts go unless --transcript-dir says otherwise. */
export function defaultTranscriptDir(env: NodeJS.ProcessEnv): string {
  return env.PYCOM_MODEM_TRANSCRIPT_DIR || join(tmpdir(), 'pycom-modem');
}

/** Shows the engine's events as JSON lines or text until the returned function is called. */
export function showEngineEvents(engine: UpgradeEngine, context: CliContext, options: { json: boolean }): () => void {
  if (options.json) return engine.events.on((event) => writeJsonLine(context.stdout, event));
  const renderer = new TextRenderer(context.stdout, { isTTY: context.isTTY, verbose: context.verbose ?? false });
  return engine.events.on((event) => renderer.render(event));
}
