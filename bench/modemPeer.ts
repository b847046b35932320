// The simulated modem for the STP benchmark, in a process of its own so its CPU does not
// steal from the host side. Started by bench/stpTransfer.ts with an IPC channel:
//   node --import tsx bench/modemPeer.ts <devicePath> <paced: 1|0>
// A device path of `-` means the pty's master side is this process's stdin and stdout
// (bench/peerOnPty.ts).
// It serves a SimulatedModem (state 4: the updater, which takes ON_THE_FLY) on the pty and
// notes, per request, when its first bytes arrived, when its last byte had crossed the
// simulated line, and when the reply was handed to the OS.
import { SerialPortOpener } from '../src/core/transport/serialTransport';
import { LinePacer } from '../src/sim/modem/linePacer';
import { serveModemOnTransport, MIRROR_BAUD } from '../src/sim/modem/serveModem';
import { toMonotonicMs } from './monotonicClock';
import type { PeerMessage, PeerReport } from './peerMessages';
import { StdioLine } from './stdioLine';

async function main(): Promise<void> {
  const [devicePath, pacedFlag] = process.argv.slice(2);
  if (!devicePath || !process.send) throw new Error('usage: modemPeer.ts <devicePath> <1|0>, started with an IPC channel');
  const isPaced = pacedFlag === '1';
  const io = devicePath === '-' ? new StdioLine({ baudRate: MIRROR_BAUD }) : await new SerialPortOpener().open(devicePath, { baudRate: MIRROR_BAUD });

  // The same line clock ModemUart keeps: a chunk's bytes have crossed the line at
  // max(arrival, line free) + bytes / rate. Replaying it on the taps tells when the modem
  // could at the earliest have seen a request complete.
  const shadow = new LinePacer({ baudRate: () => MIRROR_BAUD, timeScale: 1, isEnabled: isPaced });
  const timeline = { requestStartMs: [] as number[], requestDoneMs: [] as number[], replyMs: [] as number[], replyBytes: [] as number[] };
  let requestStartMs: number | undefined;
  let requestDoneMs: number | undefined;
  let isMeasuring = false;
  io.onTap((tap) => {
    if (tap.direction === 'rx') {
      requestStartMs ??= tap.atMs;
      requestDoneMs = shadow.reserve(tap.bytes.length, tap.atMs);
      return;
    }
    if (isMeasuring && requestStartMs !== undefined && requestDoneMs !== undefined) {
      timeline.requestStartMs.push(toMonotonicMs(requestStartMs));
      timeline.requestDoneMs.push(toMonotonicMs(requestDoneMs));
      timeline.replyMs.push(toMonotonicMs(tap.atMs));
      timeline.replyBytes.push(tap.bytes.length);
    }
    requestStartMs = requestDoneMs = undefined;
  });

  const served = serveModemOnTransport(io, {
    state: 4,
    timeScale: 1,
    paceLine: isPaced,
    // The modem's own pauses (about 20 s at 8 % and 99 %) are real but are not what this
    // figure measures: the line and the two sides' turnaround.
    timings: { stallMs: 0, postTransferBusyMs: 0 },
  });

  process.on('message', (message: PeerMessage) => {
    if (message.kind === 'start') {
      for (const list of Object.values(timeline)) list.length = 0;
      isMeasuring = true;
      process.send!({ kind: 'started' } satisfies PeerMessage);
    } else if (message.kind === 'report') {
      isMeasuring = false;
      const report: PeerReport = { kind: 'report', ...timeline, storedBytes: served.modem.sessionBytes };
      process.send!(report);
    } else if (message.kind === 'stop') {
      void served.stop().then(() => process.exit(0));
    }
  });
  process.on('disconnect', () => void served.stop().then(() => process.exit(0)));
  process.send({ kind: 'ready' } satisfies PeerMessage);
}

main().catch((error: unknown) => {
  process.stderr.write(`modemPeer: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
