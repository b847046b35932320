// A bench peer that holds the far end of a single pty itself: socat makes the pty and, with
// `nofork`, execs the peer with the pty's master side as its stdin and stdout (no relay
// process, no second pty). The host opens the pty's slave through `serialport` as it would
// open /dev/ttyUSB0. Against a socat pty pair (pty → socat → pty, serialport on both
// ends, test/support/ptyPair.ts) this removes two process wake-ups and two thread-pool
// hops from every round trip: harness latency a real USB-serial line does not have.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { openPtyPair } from '../test/support/ptyPair';
import { benchScript, exited, forkBenchScript } from './childProcesses';

/** `direct`: the peer owns the pty (startPeerOnPty); `relay`: a socat pty pair, serialport on both ends. */
export type PeerPath = 'direct' | 'relay';

export interface PeerOnPty {
  /** The pty slave the host opens. */
  hostPath: string;
  /** The peer process (socat became it), with its IPC channel. */
  peer: ChildProcess;
  close(): Promise<void>;
}

/** socat's address syntax gives these characters meanings; the paths used here never need them. */
const SOCAT_SPECIAL = /[\s,:!"'\\]/;

/** Starts `script` (a bench peer run with `-` as its device path) on a fresh pty in `dir`. */
export function startPeerOnPty(dir: string, script: string, args: string[]): PeerOnPty {
  const probe = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new Error('the pty benchmarks need socat (apt-get install socat)');
  const hostPath = join(dir, 'host');
  const { scriptPath, execArgv } = benchScript(script);
  const command = [process.execPath, ...execArgv, scriptPath, '-', ...args];
  const special = [hostPath, ...command].find((part) => SOCAT_SPECIAL.test(part));
  if (special) throw new Error(`cannot pass "${special}" through socat's address syntax`);
  // The IPC channel is fd 3 with NODE_CHANNEL_FD in the environment; socat keeps both
  // across its exec, so the peer's process.send() reaches this process.
  const peer = spawn('socat', [`PTY,raw,echo=0,link=${hostPath}`, `EXEC:${command.join(' ')},nofork`], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return {
    hostPath,
    peer,
    close: async () => {
      if (peer.connected) peer.disconnect();
      await exited(peer, 5_000);
    },
  };
}

/** A bench peer on the far end of a pty the host opens at `hostPath`, by either path. */
export async function openPeerLine(dir: string, path: PeerPath, script: string, args: string[]): Promise<PeerOnPty> {
  if (path === 'direct') return startPeerOnPty(dir, script, args);
  const ptys = await openPtyPair();
  const peer = forkBenchScript(script, [ptys.devicePath, ...args]);
  return {
    hostPath: ptys.hostPath,
    peer,
    close: async () => {
      if (peer.connected) peer.disconnect();
      await exited(peer, 5_000);
      await ptys.close();
    },
  };
}
