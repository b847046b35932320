import { spawn, spawnSync } from 'node:child_process';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Deadline } from '../../src/core/time/deadline';

export interface PtyPair {
  /** The end the code under test opens, as it would open /dev/ttyUSB0. */
  hostPath: string;
  /** The other end: the "board". */
  devicePath: string;
  /** Kills socat and waits for it to exit; to the open ends this is an unplug. */
  close(): Promise<void>;
}

/** Why pty tests cannot run here, or undefined when socat is available. */
export function ptySkipReason(): string | undefined {
  if (process.platform === 'win32') return 'pseudo-terminals need a Unix system';
  const probe = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return 'socat is not installed (apt-get install socat / brew install socat)';
  return undefined;
}

// socat prints this once both ptys exist and their links are made.
const READY_TEXT = 'starting data transfer loop';

/**
 * Two linked pseudo-terminals made by socat: bytes written to one end come out of the
 * other, raw, with no echo. Waits on socat's own "ready" message, not on a sleep.
 */
export async function openPtyPair(readyWithinMs = 5000): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'ptypair-'));
  const hostPath = join(dir, 'host');
  const devicePath = join(dir, 'dev');
  const child = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devicePath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stderrText = '';
  const deadline = Deadline.in(readyWithinMs, 'socat ready');
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`socat did not report ready within ${readyWithinMs} ms; stderr: ${stderrText}`)),
        deadline.remainingMs(),
      );
      const done = (error?: Error) => {
        clearTimeout(timer);
        child.stderr.off('data', onData);
        if (error) reject(error);
        else resolve();
      };
      const onData = (chunk: Buffer) => {
        stderrText += chunk.toString('latin1');
        if (stderrText.includes(READY_TEXT)) done();
      };
      child.stderr.on('data', onData);
      child.once('error', (error) => done(error));
      child.once('exit', (code, signal) => done(new Error(`socat exited (${code ?? signal}) before ready: ${stderrText}`)));
    });
    await Promise.all([lstat(hostPath), lstat(devicePath)]);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  // Keep reading stderr so socat never blocks on a full pipe.
  child.stderr.resume();

  let closing: Promise<void> | undefined;
  return {
    hostPath,
    devicePath,
    close() {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
