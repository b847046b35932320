import type { LineSettings } from '../transport/byteTransport';
import type { PortAccess } from '../transport/portOwner';
import { REPL_LINE } from '../transport/pycomLines';
import { RawRepl, type ReplWaitOptions } from './rawRepl';

export { REPL_LINE } from '../transport/pycomLines';

/** The REPL line at another speed, for firmware built for one; Pycom's runs at 115200. */
export function replLineFor(baudRate: number | undefined): LineSettings {
  return baudRate === undefined || baudRate === REPL_LINE.baudRate ? REPL_LINE : { ...REPL_LINE, baudRate };
}

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
