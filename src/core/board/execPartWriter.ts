import type { ExecOptions, RawRepl } from '../repl/rawRepl';
import { pyStr } from '../repl/pythonQuote';

/**
 * The proven way to fill a `.part` file: one raw-REPL exec per chunk, each carrying
 * EXEC_CHUNK_PAYLOAD_BYTES of base64 to a write function the first exec defined
 * (`_pm_w('...')`). The `\x04>` that ends each exec is the acknowledgement the board's
 * small UART buffer needs, so nothing is ever sent while board code runs; the price is
 * that every flash write adds its whole time to the transfer. Kept for boards on which
 * the streamed receive loop cannot start (see streamedPartWriter.ts).
 */

/** Payload per exec: a multiple of 3 so each chunk's base64 has no padding; 8192 base64 characters on the wire, a few KB of heap on the board. */
export const EXEC_CHUNK_PAYLOAD_BYTES = 6144;
/** Board work per chunk beyond the line time: base64 decode and a flash write (which may wait for a sector erase). */
export const CHUNK_WORK_TIMEOUT_MS = 10_000;
/** The board global holding the open `.part` file, left open for the verification to close. */
export const PART_HANDLE = '_pm_f';

export type ExecOptionsFor = (extra?: ExecOptions & { context?: string }) => ExecOptions & { context?: string };

/** Board code that closes a handle an earlier, interrupted push left open and opens `part` afresh. */
export function openPartCode(part: string): string {
  return ['try:', `    ${PART_HANDLE}.close()`, 'except Exception:', '    pass', `${PART_HANDLE} = open(${pyStr(part)}, 'wb')`].join('\n');
}

export async function writePartByExecs(
  repl: RawRepl,
  part: string,
  bytes: Uint8Array,
  execOptions: ExecOptionsFor,
  onProgress: ((bytesDone: number, bytesTotal: number) => void) | undefined,
): Promise<void> {
  await repl.execOrThrow(
    [openPartCode(part), 'import ubinascii', '_pm_a = ubinascii.a2b_base64', 'def _pm_w(s):', `    ${PART_HANDLE}.write(_pm_a(s))`].join('\n'),
    execOptions({ context: `creating ${part}` }),
  );
  onProgress?.(0, bytes.length);
  for (let offset = 0; offset < bytes.length; offset += EXEC_CHUNK_PAYLOAD_BYTES) {
    const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + EXEC_CHUNK_PAYLOAD_BYTES));
    const base64 = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('base64');
    await repl.execOrThrow(`_pm_w('${base64}')`, execOptions({ timeoutMs: CHUNK_WORK_TIMEOUT_MS, context: `writing ${part}` }));
    onProgress?.(offset + chunk.length, bytes.length);
  }
}
