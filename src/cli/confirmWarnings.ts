import type { ConfirmWarnings } from '../core/preflight/preflightGate';
import type { OptionSpec, ParsedArgs } from './args';
import { flagOption } from './args';
import type { CliContext } from './cliCommand';
import { askYesNo } from './prompt';

export const YES_OPTION: OptionSpec = { yes: { type: 'boolean', short: 'y' } };

export const YES_USAGE = `  --yes, -y                go on past the checks' warnings (a network switch, an unknown
                           file name, an unusual size) without asking; failures still refuse`;

/**
 * The CLI's answer to the checks' warnings: --yes goes on; on a terminal the user is
 * asked; in a script or a pipe the run stops and says which flag goes on.
 */
export function confirmWarningsFor(context: CliContext, args: ParsedArgs, options: { json: boolean }): ConfirmWarnings {
  const isYes = flagOption(args, 'yes');
  return async (warnings) => {
    if (isYes) return true;
    const lines = warnings.map((warning) => `  [warn] ${warning.title}: ${warning.detail}${warning.action ? `\n         → ${warning.action}` : ''}`);
    if (!options.json && context.canPrompt) {
      context.stdout.write(`${lines.join('\n')}\n`);
      if (await askYesNo(context, 'Go on despite these warnings?')) return true;
    }
    context.stderr.write(`${options.json || !context.canPrompt ? `${lines.join('\n')}\n` : ''}Nothing was changed. To go on anyway, run the same command with --yes.\n`);
    return false;
  };
}
