import { version as PACKAGE_VERSION } from '../../package.json';
import type { PortOpener } from '../core/transport/byteTransport';
import type { SerialPortInfo } from '../core/transport/portList';
import type { CliCommand, CliContext } from './cliCommand';
import { cliCommands } from './commands/index';
import { errorAsJson, renderError } from './renderError';
import { writeJsonLine } from './renderJson';
import { cliActionDefaults } from './userActionText';

export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  isTTY: boolean;
  canPrompt: boolean;
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  opener?: PortOpener;
  listPorts?: () => Promise<SerialPortInfo[]>;
}

function helpText(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  return [
    'pycom-modem: upgrade the Sequans LTE modem of Pycom GPy / FiPy / G01 boards.',
    '',
    'Usage: pycom-modem <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  Show this list, or a command's usage: pycom-modem help <command>`,
    '',
    'Global options: --verbose (add stack traces to errors), --version (print the version).',
    'Exit status: 0 only on success.',
    '',
  ].join('\n');
}

/**
 * Runs one command line against the given streams and returns the exit code. Kept apart
 * from the process so tests call it in-process with their own streams and signal.
 */
export async function runCli(
  argv: string[],
  streams: CliStreams,
  commands: readonly CliCommand[] = cliCommands,
): Promise<number> {
  const verbose = argv.includes('--verbose');
  const args = argv.filter((a) => a !== '--verbose');
  const [name, ...rest] = args;
  if (name === '--version' || name === '-V' || name === 'version') {
    streams.stdout.write(`${PACKAGE_VERSION}\n`);
    return 0;
  }
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic ? commands.find((c) => c.name === topic) : undefined;
    if (topic && !command) {
      streams.stderr.write(`pycom-modem: no command named "${topic}".\n\n${helpText(commands)}`);
      return 2;
    }
    streams.stdout.write(command ? `${command.usage.trimEnd()}\n` : helpText(commands));
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    streams.stderr.write(`pycom-modem: unknown command "${name}".\n\n${helpText(commands)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    streams.stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  const context: CliContext = { argv: rest, ...streams, verbose };
  try {
    return await command.run(context);
  } catch (error) {
    streams.stderr.write(renderError(error, { verbose, defaults: cliActionDefaults(rest) }));
    // A program reading --json output gets the failure as a line too, not only as text on stderr.
    if (rest.includes('--json')) writeJsonLine(streams.stdout, { kind: 'error', error: errorAsJson(error) });
    return (error as { code?: string } | undefined)?.code === 'usage' ? 2 : 1;
  }
}

function runAsProcess(): void {
  const controller = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts === 1) {
      process.stderr.write('\nCancelling... (press Ctrl-C again to quit at once)\n');
      controller.abort(new Error('interrupted by Ctrl-C'));
    } else {
      process.exit(130);
    }
  });
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stdout.isTTY),
    canPrompt: Boolean(process.stdin.isTTY),
    stdin: process.stdin,
    env: process.env,
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
      // Let stdout flush (a pipe may be slow); pending handles are closed by the commands.
      process.stdout.write('', () => process.exit(code));
    },
    (error) => {
      process.stderr.write(renderError(error, { verbose: true }));
      process.exit(1);
    },
  );
}

if (require.main === module) runAsProcess();
