import { RawRepl } from '../../repl/rawRepl';
import type { StepRunner } from '../../engine/stepRunner';
import type { ByteTransport } from '../../transport/byteTransport';

/** Step "board-connect" starts before the port's turn: opening the port is part of it, so a busy port fails it. */
export function beginBoardConnect(steps: StepRunner): void {
  steps.current = 'board-connect';
  steps.event('board-connect', 'start');
}

/** Inside the turn: the board's raw REPL answers, and the step is done. */
export async function finishBoardConnect(
  steps: StepRunner,
  port: ByteTransport,
  options: { signal: AbortSignal; replyTimeoutMs: number; portPath: string },
): Promise<RawRepl> {
  const repl = await RawRepl.enter(port, { signal: options.signal, replyTimeoutMs: options.replyTimeoutMs });
  steps.event('board-connect', 'done', `${options.portPath} at ${port.settings.baudRate} baud, raw REPL`);
  steps.current = undefined;
  return repl;
}
