import type { PortOpener } from '../core/transport/byteTransport';
import type { SerialPortInfo } from '../core/transport/portList';

/** One `pycom-modem <name>` subcommand. Each lives in its own file under src/cli/commands/. */
export interface CliContext {
  /** Arguments after the command name. */
  argv: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** stdout is a terminal: progress bars allowed. */
  isTTY: boolean;
  /** stdin is a terminal: prompts allowed. */
  canPrompt: boolean;
  /** Where a prompt's answer is read from (only when canPrompt). */
  stdin?: NodeJS.ReadableStream;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** Opens ports by path; the real serial ports when absent. Tests pass a memory registry. */
  opener?: PortOpener;
  /** Lists the serial ports; the system's when absent. Tests list simulated boards. */
  listPorts?: () => Promise<SerialPortInfo[]>;
  /** `--verbose` was given (stripped from argv): more detail, stacks on errors. */
  verbose?: boolean;
}

export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Full usage text for `pycom-modem help <name>`. */
  usage: string;
  /** Returns the process exit code: 0 only on success. */
  run(context: CliContext): Promise<number>;
}
