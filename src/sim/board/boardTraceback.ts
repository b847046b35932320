/**
 * Turns a traceback from the 1.27 interpreter into what Pycom 1.20 (MicroPython 1.11)
 * prints: without the simulator's own frames, with `[Errno N] NAME` for OSError
 * numbers (this wasm build lacks most errno names), with `\r\n` line ends.
 */
const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  5: 'EIO',
  9: 'EBADF',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  17: 'EEXIST',
  19: 'ENODEV',
  20: 'ENOTDIR',
  21: 'EISDIR',
  22: 'EINVAL',
  28: 'ENOSPC',
  110: 'ETIMEDOUT',
};

/** Where the simulator keeps its Python (never shown to the host). */
const SIMULATOR_FRAME = /^ {2}File "\/_sim\/[^"]*", line \d+, in \S+$/;
/** Frozen modules show by file name on a real board. */
const FROZEN_FILE = /^( {2}File ")\/frozen\/([^"]+)(".*)$/;

export function boardTraceback(traceback: string, options: { isWrapped?: boolean } = {}): string {
  const lines = traceback.replace(/\r\n/g, '\n').split('\n');
  const out: string[] = [];
  let isFirstFrame = true;
  for (const line of lines) {
    if (line.startsWith('  File "')) {
      // A wrapped run's first frame is the one-line wrapper in __main__.
      if (isFirstFrame && options.isWrapped) {
        isFirstFrame = false;
        continue;
      }
      isFirstFrame = false;
      if (SIMULATOR_FRAME.test(line)) continue;
      const frozen = FROZEN_FILE.exec(line);
      out.push(frozen ? `${frozen[1]}${frozen[2]}${frozen[3]}` : line);
      continue;
    }
    const errno = /^OSError: (\d+)$/.exec(line);
    const name = errno ? ERRNO_NAMES[Number(errno[1])] : undefined;
    out.push(name ? `OSError: [Errno ${errno![1]}] ${name}` : line);
  }
  return cookNewlines(out.join('\n'));
}

/** Output `\n` becomes `\r\n`, as the board's stdout does for every byte it prints. */
export function cookNewlines(text: string): string {
  return text.replace(/\n/g, '\r\n');
}

export function cookBytes(bytes: Uint8Array): Uint8Array {
  let newlines = 0;
  for (const b of bytes) if (b === 0x0a) newlines++;
  if (newlines === 0) return bytes;
  const out = new Uint8Array(bytes.length + newlines);
  let at = 0;
  for (const b of bytes) {
    if (b === 0x0a) out[at++] = 0x0d;
    out[at++] = b;
  }
  return out;
}
