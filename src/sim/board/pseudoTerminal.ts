import { realpathSync } from 'node:fs';

/**
 * Whether `path` names a pseudo-terminal (what socat's `link=` points at), as opposed
 * to a serial line. A pty has no line speed: setting one only makes the OS flush the
 * pty's queues (serialport's update() calls tcflush(TCIOFLUSH)), and on a pty that
 * also discards what this end wrote and the peer has not read yet.
 */
export function isPseudoTerminal(path: string): boolean {
  if (process.platform === 'win32') return false;
  let target: string;
  try {
    target = realpathSync(path);
  } catch {
    return false; // not a file system path (a MemoryLink name such as 'sim:GPy')
  }
  // Linux and the BSDs: /dev/pts/N; macOS: /dev/ttysNNN (its serial ports are /dev/tty.* and /dev/cu.*).
  return /^\/dev\/pts\/\d+$/.test(target) || /^\/dev\/ttys\d+$/.test(target);
}
