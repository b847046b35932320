import type { LineSettings } from '../transport/byteTransport';
import type { PortAccess } from '../transport/portOwner';
import { RawRepl, type ReplWaitOptions } from './rawRepl';

/** The board's REPL line: 115200 8N1, no flow control (PROTOCOL.md section 7). */
export const REPL_LINE: LineSettings = { baudRate: 115_200, rtscts: false };

/**
 * One turn on the board's REPL: the raw REPL for the job, then the friendly `>>>` prompt
 * again, as the user left the board. Every board job (identify, push, list) goes through here.
 */
export function withRawRepl<T>(
  port: PortAccess,
  job: (repl: RawRepl, signal: AbortSignal) => Promise<T>,
  options: { signal?: AbortSignal; settings?: LineSettings; replyTimeoutMs?: number } = {},
): Promise<T> {
  return port.run(
    async (io, signal) => {
      const wait: ReplWaitOptions = { signal, ...(options.replyTimeoutMs ? { replyTimeoutMs: options.replyTimeoutMs } : {}) };
      const repl = await RawRepl.enter(io, wait);
      const value = await job(repl, signal);
      await repl.exit(wait).catch(() => undefined);
      return value;
    },
    { settings: options.settings ?? REPL_LINE, ...(options.signal ? { signal: options.signal } : {}) },
  );
}
