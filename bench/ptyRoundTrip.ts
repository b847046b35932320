// The floor under every STP exchange on this machine: a 16-byte ping through the same
// path (serialport → pty → the peer process, bench/peerOnPty.ts) and back, with no
// protocol code on either end. Measured in the same run, it tells how much of the STP
// figure's "transit" is the environment (scheduling, serialport's thread-pool reads and
// writes, the pty) rather than our code. The `relay` path (a socat pty pair) is measured
// too, to show what a relay process adds.
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { loadSerialPort } from '../src/core/transport/serialBinding';
import { withTempDir } from './benchSupport';
import { nextMessage } from './childProcesses';
import { openPeerLine, type PeerPath } from './peerOnPty';

export interface RoundTrips {
  path: PeerPath;
  count: number;
  /** Idle time before each ping. */
  gapMs: number;
  meanMs: number;
  medianMs: number;
  p95Ms: number;
}

const PING_BYTES = 16;
const PING_TIMEOUT_MS = 2_000;

/**
 * `gapMs` of idle line before each ping: a process that slept for a while wakes more slowly
 * on a loaded machine than one kept busy, and the paced STP transfer idles about 11 ms
 * (half a block's line time, on average) before each reply it waits for.
 */
export function measurePtyRoundTrips(count = 500, gapMs = 0, path: PeerPath = 'direct'): Promise<RoundTrips> {
  return withTempDir('bench-rtt-', (dir) => measureOn(dir, count, gapMs, path));
}

async function measureOn(dir: string, count: number, gapMs: number, path: PeerPath): Promise<RoundTrips> {
  const line = await openPeerLine(dir, path, 'echoPeer.ts', []);
  const { peer } = line;
  const { SerialPort } = await loadSerialPort();
  const port = new SerialPort({ path: line.hostPath, baudRate: 921_600, lock: true, autoOpen: false });
  try {
    await nextMessage(peer, 'ready', 30_000);
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    let received = 0;
    let onEnough: (() => void) | undefined;
    port.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= PING_BYTES) onEnough?.();
    });
    const tripsMs: number[] = [];
    for (let i = 0; i < count; i++) {
      // The idle time is what is being modelled here, not a wait for something to happen.
      if (gapMs > 0) await delay(gapMs);
      received = 0;
      const startedMs = performance.now();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no echo within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
        onEnough = () => {
          clearTimeout(timer);
          onEnough = undefined;
          resolve();
        };
        port.write(randomBytes(PING_BYTES));
      });
      tripsMs.push(performance.now() - startedMs);
    }
    const sorted = [...tripsMs].sort((a, b) => a - b);
    return {
      path,
      count,
      gapMs,
      meanMs: tripsMs.reduce((a, b) => a + b, 0) / count,
      medianMs: sorted[Math.floor(count / 2)]!,
      p95Ms: sorted[Math.min(count - 1, Math.floor(count * 0.95))]!,
    };
  } finally {
    if (port.isOpen) await new Promise((resolve) => port.close(resolve));
    await line.close();
  }
}
