import { OperationAbortedError } from '../../errors';
import type { StepRunner, UnstampedEvent } from '../../engine/stepRunner';
import type { RawRepl } from '../../repl/rawRepl';
import { readModemOnBoard, type BoardModemRead } from '../boardModemRead';

/**
 * Step "board-modem-read": the firmware's own `sqnsupgrade.info()` reads state, build,
 * network and IMEI while the board stays at its REPL. A read that says nothing is a
 * skip, not a failure: the modem is read again after the switch to mirror mode.
 */
export async function readModemStep(
  steps: StepRunner,
  repl: RawRepl,
  options: { signal: AbortSignal; emit: (event: UnstampedEvent) => void; debug: boolean; isFailureFatal?: boolean },
): Promise<BoardModemRead | undefined> {
  steps.current = 'board-modem-read';
  steps.event('board-modem-read', 'start');
  try {
    const read = await readModemOnBoard(repl, {
      signal: options.signal,
      debug: options.debug,
      onLine: (line) => options.emit({ kind: 'boardOutput', line }),
    });
    if (read.info.state !== undefined) options.emit({ kind: 'modemState', state: read.info.state });
    if (read.info.report.softwareBuild !== undefined || read.info.report.imei) options.emit({ kind: 'modemInfo', phase: 'before', report: read.info.report });
    steps.event('board-modem-read', read.failure ? 'skip' : 'done', read.failure ? `not read: ${read.failure}` : describeBoardRead(read));
    steps.current = undefined;
    return read;
  } catch (error) {
    if (options.isFailureFatal || error instanceof OperationAbortedError || options.signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    steps.event('board-modem-read', 'skip', `not read (${message}); the modem is read after the switch to mirror mode`);
    steps.current = undefined;
    return undefined;
  }
}

function describeBoardRead(read: BoardModemRead): string {
  const { state, report } = read.info;
  const words = state === 2 ? 'application' : state === 4 ? 'upgrade mode' : state === 0 ? 'recovery bootrom' : state === 1 ? 'mTools' : 'state unknown';
  return [`${words} (state ${state ?? '?'})`, report.lrVersion, report.imei ? `IMEI ${report.imei}` : undefined].filter(Boolean).join(', ');
}
