import type { CliCommand } from '../cliCommand';
import { boardCommand } from './board';
import { checkCommand } from './check';
import { crashdumpCommand } from './crashdump';
import { demoCommand } from './demo';
import { infoCommand } from './info';
import { portsCommand } from './ports';
import { replCommand } from './repl';
import { simCommand } from './sim';
import { upgradeCommand } from './upgrade';

/**
 * Every `pycom-modem` subcommand, in the order `help` lists them. To add one: write
 * `commands/<name>.ts` exporting a CliCommand, import it here and append it below.
 */
export const cliCommands: readonly CliCommand[] = [
  portsCommand,
  infoCommand,
  upgradeCommand,
  crashdumpCommand,
  checkCommand,
  simCommand,
  // Board commands (repl, board, demo) are appended below this line.
  replCommand,
  boardCommand,
  demoCommand,
];
