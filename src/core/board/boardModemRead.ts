import { parseUpdaterInfo, type UpdaterInfo } from '../parse/updaterInfo';
import { firstUpdaterFailure } from '../parse/updaterMessages';
import type { RawRepl } from '../repl/rawRepl';
import { BoardExecError, LineAssembler } from '../repl/replOutput';

/**
 * The board's updater probes the modem with AT at two speeds and gives each probe up to
 * about 20 s (PROTOCOL.md §9); a silent modem costs it a few minutes before it prints
 * "Cannot determine modem state!". Nothing is at risk while it reads: the wait is long.
 */
export const BOARD_MODEM_READ_TIMEOUT_MS = 300_000;

export interface BoardModemRead {
  /** What the lines say; state undefined when the updater could not tell. */
  info: UpdaterInfo;
  lines: string[];
  /** Why the read gave nothing: a traceback or a message of the updater. */
  failure?: string;
}

/**
 * Reads the modem through the firmware's own `sqnsupgrade.info()`, which talks to the
 * modem over the board's UART and returns to the REPL: no mirror mode, so no power-cycle
 * afterwards. A firmware whose info() takes no `verbose` gets the plain call.
 */
export async function readModemOnBoard(
  repl: RawRepl,
  options: { signal?: AbortSignal; timeoutMs?: number; debug?: boolean; onLine?: (line: string) => void } = {},
): Promise<BoardModemRead> {
  const lines: string[] = [];
  const run = async (call: string) => {
    const assembler = new LineAssembler();
    const { stderr } = await repl.exec(`import sqnsupgrade\n${call}`, {
      ...(options.signal ? { signal: options.signal } : {}),
      timeoutMs: options.timeoutMs ?? BOARD_MODEM_READ_TIMEOUT_MS,
      onStdout: (text) => {
        for (const line of assembler.push(text)) {
          lines.push(line);
          options.onLine?.(line);
        }
      },
    });
    const tail = assembler.flush();
    if (tail !== undefined) {
      lines.push(tail);
      options.onLine?.(tail);
    }
    return stderr;
  };
  const debug = options.debug ? ', debug=True' : '';
  let stderr = await run(`sqnsupgrade.info(verbose=True${debug})`);
  if (/TypeError/.test(stderr) && lines.length === 0) stderr = await run(`sqnsupgrade.info(${debug.slice(2)})`);
  const info = parseUpdaterInfo(lines);
  const read: BoardModemRead = { info, lines };
  const said = firstUpdaterFailure([...lines, ...stderr.split(/\r?\n/)]);
  if (stderr.trim() !== '') read.failure = said ? said.line.trim() : BoardExecError.fromStderr(stderr, { context: 'sqnsupgrade.info()' }).message;
  else if (info.state === undefined) read.failure = said?.line.trim() ?? (lines.find((line) => /cannot determine/i.test(line))?.trim() || 'the updater did not report a modem state');
  return read;
}
