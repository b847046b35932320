import { PortClosedError } from '../../core/errors';
import { anyBytes } from '../../core/transport/framers';
import { Deadline } from '../../core/time/deadline';
import { numberOption, parseCommandArgs, requirePort } from '../args';
import type { CliCommand, CliContext } from '../cliCommand';
import { PORT_OPTION, portFor } from '../cliSupport';
import { REPL_LINE } from '../../core/repl/replTurn';
import type { ByteTransport } from '../../core/transport/byteTransport';

/** Ctrl-] quits, as in telnet and miniterm. */
const QUIT_BYTE = 0x1d;
/** Ctrl-F reboots a Pycom board into safe boot (skipping boot.py/main.py): never sent by accident. */
const CTRL_F = 0x06;
/** After piped input ends, wait this long without board output before quitting. */
const DEFAULT_LINGER_MS = 1_000;

/** stdin is not part of CliContext; tests pass their own stream through this field. */
type ReplStdin = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
type ReplContext = CliContext & { stdin?: ReplStdin };

export const replCommand: CliCommand = {
  name: 'repl',
  summary: "Open the board's REPL in this terminal, like a plain serial terminal (Ctrl-] quits).",
  usage: `Usage: pycom-modem repl --port <path> [--linger-ms N]

Connects this terminal to the board's REPL at 115200 8N1: keys go to the board as
typed (raw mode), the board's output comes back as it is. Ctrl-] quits.
Ctrl-F is not passed on: on Pycom firmware it reboots into safe boot.
Input may be piped (e.g. printf 'print(1)\\r' | pycom-modem repl --port P); after the
input ends the command waits until the board has been quiet for --linger-ms
(default ${DEFAULT_LINGER_MS}) and quits.

Options:
  --port, -p <path>   serial port of the board (see \`pycom-modem ports\`)
  --linger-ms <N>     quiet time before quitting after piped input ends`,
  async run(baseContext) {
    const context = baseContext as ReplContext;
    const args = parseCommandArgs('repl', context.argv, { ...PORT_OPTION, 'linger-ms': { type: 'string' } });
    const portPath = requirePort(args, 'repl');
    const lingerMs = numberOption(args, 'repl', 'linger-ms', { min: 0, max: 600_000 }) ?? DEFAULT_LINGER_MS;
    const stdin = context.stdin ?? process.stdin;
    // The terminal session is one turn on the port; the owner releases it when the turn ends.
    return portFor(context, portPath).run((io) => replSession(context, io, { portPath, lingerMs, stdin }), { settings: REPL_LINE, signal: context.signal });
  },
};

/** The terminal's turn on the port: keys out, board output in, until Ctrl-], the input's end or an unplug. */
async function replSession(context: ReplContext, io: ByteTransport, { portPath, lingerMs, stdin }: { portPath: string; lingerMs: number; stdin: ReplStdin }): Promise<number> {
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  context.signal.addEventListener('abort', onOuterAbort, { once: true });
  const isTerminal = Boolean(stdin.isTTY && stdin.setRawMode);
  if (isTerminal) {
    stdin.setRawMode!(true);
    context.stderr.write(`Connected to ${portPath} at 115200. Ctrl-] quits.\r\n`);
  }
  let inputEnded = false;
  let lastOutputMs = performance.now();
  let exitCode = 0;
  let warnedCtrlF = false;

  const onData = (data: Buffer | string) => {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const quitAt = bytes.indexOf(QUIT_BYTE);
    const forward = Uint8Array.from(quitAt === -1 ? bytes : bytes.subarray(0, quitAt)).filter((b) => b !== CTRL_F);
    if (forward.length !== (quitAt === -1 ? bytes.length : quitAt) && !warnedCtrlF) {
      warnedCtrlF = true;
      context.stderr.write('\r\n[Ctrl-F not sent: it would reboot the board into safe boot]\r\n');
    }
    if (forward.length) void io.write(forward).catch(() => stop.abort());
    if (quitAt !== -1) stop.abort();
  };
  const onEnd = () => {
    inputEnded = true;
    lastOutputMs = performance.now();
  };
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  stdin.resume();
  try {
    for (;;) {
      // Output is read under a rolling deadline only so piped input can end the session.
      const deadline = inputEnded ? Deadline.in(Math.max(0, lingerMs - (performance.now() - lastOutputMs)), 'quiet board') : Deadline.in(60_000, 'board output');
      try {
        const chunk = await io.read(anyBytes, { deadline, signal: stop.signal });
        lastOutputMs = performance.now();
        context.stdout.write(Buffer.from(chunk));
      } catch (error) {
        if (stop.signal.aborted) break;
        if (error instanceof PortClosedError) {
          context.stderr.write(`\r\n${error.message} ${error.action}\r\n`);
          exitCode = 1;
          break;
        }
        if (inputEnded && performance.now() - lastOutputMs >= lingerMs) break;
      }
    }
  } finally {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
    if (isTerminal) stdin.setRawMode!(false);
    context.signal.removeEventListener('abort', onOuterAbort);
  }
  if (isTerminal) context.stderr.write('\r\nDisconnected.\r\n');
  return exitCode;
}
