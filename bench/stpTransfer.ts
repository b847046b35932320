// STP transfer of a full image to the simulated modem over a real pty pair, through
// `serialport` on both ends, the modem in a process of its own (bench/modemPeer.ts).
// Paced: the modem's UART moves 92,160 bytes/s each way, like a 921600-baud line; the
// figure is the payload rate ÷ that line rate. Unpaced: the same transfer as fast as the
// two programs go, to show how far the protocol code is from being the bottleneck.
//
// Each request/reply cycle is cut into five spans on the machine-wide monotonic clock:
//   host turnaround   last reply chunk in → next request handed to the transport (host process)
//   to modem          request handed over → its first bytes in the modem process (pty)
//   line              first bytes in → last byte across the simulated line (paced: the wire)
//   modem turnaround  last byte across the line → reply handed to the OS (modem process),
//                     less the reply's own line time (paced, the modem sends it once it crossed)
//   to host           reply handed over → its last chunk in the host process (pty)
// The modem process owns the pty's master side (bench/peerOnPty.ts): no relay between the
// two, as none sits between a host and its USB-serial adapter.
import { join } from 'node:path';
import { StpSession } from '../src/core/stp/stpSession';
import { openFileSource } from '../src/core/files/fileSource';
import { SerialPortOpener } from '../src/core/transport/serialTransport';
import type { ByteTransport } from '../src/core/transport/byteTransport';
import { untilBytes, latin1ToBytes } from '../src/core/transport/framers';
import { Deadline } from '../src/core/time/deadline';
import { writeSyntheticFirmware } from '../src/sim/firmwareImage';
import { goalMark, lineBytesPerSecond, mb, ms, percent, withTempDir, type Figure } from './benchSupport';
import { nextMessage } from './childProcesses';
import { openPeerLine } from './peerOnPty';
import { toMonotonicMs } from './monotonicClock';
import type { PeerMessage, PeerReport } from './peerMessages';
import type { RoundTrips } from './ptyRoundTrip';

export const STP_BENCH_IMAGE_BYTES = 5_200_000;
const BAUD = 921_600;
const LINE_BYTES_PER_SECOND = lineBytesPerSecond(BAUD);
/** Data bytes per block when the modem offers max_transfer 8192 (PROTOCOL.md §3). */
const BLOCK_BYTES = 2016;
/** Per block: CMD request 16+2, its reply 16, the block 16+2016, its reply 16+2. */
const WIRE_BYTES_PER_BLOCK = 18 + 16 + 16 + BLOCK_BYTES + 18;
export const STOP_AND_WAIT_CEILING = BLOCK_BYTES / WIRE_BYTES_PER_BLOCK;
export const PACED_GOAL = 0.93;

/** Sums of the five spans over all request/reply cycles (ms). */
export interface CycleSpans {
  hostTurnaroundMs: number;
  toModemMs: number;
  lineMs: number;
  modemTurnaroundMs: number;
  /** Paced: the replies' own line time. */
  replyLineMs: number;
  toHostMs: number;
}

export interface StpRun {
  payloadBytes: number;
  elapsedMs: number;
  /** Bytes the host wrote and read during sendFile(). */
  wireBytes: number;
  cycles: number;
  spans: CycleSpans;
  maxModemTurnaroundMs: number;
}

/** One sendFile() of `imageBytes` over a fresh pty pair and a fresh modem process. */
export async function runStpTransfer(imageBytes: number, isPaced: boolean): Promise<StpRun> {
  return withTempDir('bench-stp-', async (dir) => {
    const imagePath = join(dir, 'CATM1-41065.dup');
    await writeSyntheticFirmware(imagePath, { kind: 'full', network: 'CAT-M1', build: 41065, size: imageBytes });
    const line = await openPeerLine(dir, 'direct', 'modemPeer.ts', [isPaced ? '1' : '0']);
    const { peer } = line;
    const source = await openFileSource(imagePath);
    let io: ByteTransport | undefined;
    try {
      await nextMessage(peer, 'ready', 30_000);
      io = await new SerialPortOpener().open(line.hostPath, { baudRate: BAUD });
      // The updater (state 4) runs with echo off and takes ON_THE_FLY.
      await io.write(latin1ToBytes('AT+SMSTPU="ON_THE_FLY"\r\n'));
      await io.read(untilBytes('OK\r\n'), { deadline: Deadline.in(5_000, 'OK to AT+SMSTPU') });
      io.drain();
      const session = new StpSession(io, { requestTimeoutMs: 10_000 });
      await session.open();

      peer.send({ kind: 'start' } satisfies PeerMessage);
      // The peer starts its timeline on the first request it sees after 'start': wait for the
      // message to land so both sides count the same cycles.
      await nextMessage(peer, 'started', 5_000);
      let wireBytes = 0;
      const txMs: number[] = [];
      const rxEndMs: number[] = [];
      let lastRxMs: number | undefined;
      const untap = io.onTap((tap) => {
        wireBytes += tap.bytes.length;
        if (tap.direction === 'rx') {
          lastRxMs = tap.atMs;
          return;
        }
        if (txMs.length > 0 && lastRxMs !== undefined) rxEndMs.push(toMonotonicMs(lastRxMs));
        lastRxMs = undefined;
        txMs.push(toMonotonicMs(tap.atMs));
      });
      const startedMs = performance.now();
      await session.sendFile(source);
      const elapsedMs = performance.now() - startedMs;
      untap();
      if (lastRxMs !== undefined) rxEndMs.push(toMonotonicMs(lastRxMs));
      peer.send({ kind: 'report' } satisfies PeerMessage);
      const modem = await nextMessage<PeerReport>(peer, 'report', 10_000);
      await session.close();
      const { spans, cycles, maxModemTurnaroundMs } = cycleSpans(txMs, rxEndMs, modem, isPaced);
      return { payloadBytes: source.size, elapsedMs, wireBytes, cycles, spans, maxModemTurnaroundMs };
    } finally {
      await source.close();
      await io?.close();
      if (peer.connected) peer.send({ kind: 'stop' } satisfies PeerMessage);
      await line.close();
    }
  });
}

function cycleSpans(txMs: number[], rxEndMs: number[], modem: PeerReport, isPaced: boolean): { spans: CycleSpans; cycles: number; maxModemTurnaroundMs: number } {
  const cycles = Math.min(txMs.length, rxEndMs.length, modem.replyMs.length);
  if (cycles !== txMs.length || cycles !== modem.replyMs.length) {
    // A resend or a reply split oddly would shift the pairing: say so rather than mislead.
    throw new Error(`cycles do not pair up: host sent ${txMs.length}, modem answered ${modem.replyMs.length}, host saw ${rxEndMs.length} replies`);
  }
  const spans: CycleSpans = { hostTurnaroundMs: 0, toModemMs: 0, lineMs: 0, modemTurnaroundMs: 0, replyLineMs: 0, toHostMs: 0 };
  let maxModemTurnaroundMs = 0;
  for (let i = 0; i < cycles; i++) {
    if (i > 0) spans.hostTurnaroundMs += txMs[i]! - rxEndMs[i - 1]!;
    spans.toModemMs += modem.requestStartMs[i]! - txMs[i]!;
    spans.lineMs += modem.requestDoneMs[i]! - modem.requestStartMs[i]!;
    const replyLineMs = isPaced ? (modem.replyBytes[i]! * 1000) / LINE_BYTES_PER_SECOND : 0;
    spans.replyLineMs += replyLineMs;
    const turnaroundMs = modem.replyMs[i]! - modem.requestDoneMs[i]! - replyLineMs;
    spans.modemTurnaroundMs += turnaroundMs;
    maxModemTurnaroundMs = Math.max(maxModemTurnaroundMs, turnaroundMs);
    spans.toHostMs += rxEndMs[i]! - modem.replyMs[i]!;
  }
  return { spans, cycles, maxModemTurnaroundMs };
}

export async function stpPacedFigure(floor: RoundTrips, relayFloor: RoundTrips, imageBytes = STP_BENCH_IMAGE_BYTES): Promise<Figure> {
  const run = await runStpTransfer(imageBytes, true);
  const ratio = run.payloadBytes / (run.elapsedMs / 1000) / LINE_BYTES_PER_SECOND;
  const wireMs = (run.wireBytes / LINE_BYTES_PER_SECOND) * 1000;
  const { hostTurnaroundMs, modemTurnaroundMs, toModemMs, toHostMs, lineMs, replyLineMs } = run.spans;
  const transitMs = toModemMs + toHostMs;
  // Requests and replies both cost their line time (the simulator paces both ways).
  const beyondWireMs = run.elapsedMs - lineMs - replyLineMs;
  const share = (part: number) => percent(part / beyondWireMs);
  const perCycle = (part: number) => `${(part / run.cycles).toFixed(2)} ms/cycle`;
  const isGoalMet = ratio >= PACED_GOAL;
  const ratioWithoutTransit = run.payloadBytes / ((run.elapsedMs - transitMs) / 1000) / LINE_BYTES_PER_SECOND;
  // What the figure would be if every cycle cost only the wire and the bare pty round trip.
  const floorRatio = (trips: RoundTrips) => run.payloadBytes / ((wireMs + run.cycles * trips.meanMs) / 1000) / LINE_BYTES_PER_SECOND;
  return {
    id: 'stp-paced',
    isGoalMet,
    line:
      `STP ${mb(run.payloadBytes)} over pty, paced 921600: payload/line = ${ratio.toFixed(3)} ` +
      `(stop-and-wait ceiling ${STOP_AND_WAIT_CEILING.toFixed(3)}, goal ≥ ${PACED_GOAL}: ${goalMark(isGoalMet)}); ` +
      `${ms(beyondWireMs)} beyond the wire time of requests and replies: host turnaround ${share(hostTurnaroundMs)} (${perCycle(hostTurnaroundMs)}), ` +
      `modem turnaround ${share(modemTurnaroundMs)} (${perCycle(modemTurnaroundMs)}), ` +
      `pty transit ${share(transitMs)} (${perCycle(transitMs)}); without the transit ${ratioWithoutTransit.toFixed(3)}; ` +
      `a bare pty round trip after ${floor.gapMs} ms idle takes ${floor.meanMs.toFixed(2)} ms mean here, alone a cap of ${floorRatio(floor).toFixed(3)}`,
    details: [
      `elapsed ${ms(run.elapsedMs)}; wire time of the ${run.wireBytes} bytes at 92160 B/s ${ms(wireMs)}; ${run.cycles} request/reply cycles`,
      `spans summed over the cycles: host turnaround ${ms(hostTurnaroundMs)}, to modem ${ms(toModemMs)}, ` +
        `request on the line ${ms(lineMs)}, modem turnaround ${ms(modemTurnaroundMs)} (max ${ms(run.maxModemTurnaroundMs)}), ` +
        `reply on the line ${ms(replyLineMs)}, to host ${ms(toHostMs)}`,
      ...[floor, relayFloor].map(
        (trips) =>
          `bare pty round trip, ${trips.path === 'direct' ? 'the path measured (serialport → pty → peer process)' : 'through a socat pty pair (serialport both ends), for comparison'} ` +
          `(16 bytes, ${trips.count} pings, ${trips.gapMs} ms idle before each): ` +
          `mean ${trips.meanMs.toFixed(2)} ms, median ${trips.medianMs.toFixed(2)} ms, p95 ${trips.p95Ms.toFixed(2)} ms; alone a cap of ${floorRatio(trips).toFixed(3)}`,
      ),
    ],
  };
}

export async function stpUnpacedFigure(imageBytes = STP_BENCH_IMAGE_BYTES): Promise<Figure> {
  const run = await runStpTransfer(imageBytes, false);
  const rate = run.payloadBytes / 1e6 / (run.elapsedMs / 1000);
  const lineMBps = LINE_BYTES_PER_SECOND / 1e6;
  const { hostTurnaroundMs, modemTurnaroundMs, toModemMs, toHostMs, lineMs } = run.spans;
  const share = (part: number) => percent(part / run.elapsedMs);
  return {
    id: 'stp-unpaced',
    line:
      `STP ${mb(run.payloadBytes)} over pty, unpaced: ${rate.toFixed(2)} MB/s payload = ${(rate / lineMBps).toFixed(1)} × a 921600 line; ` +
      `${(run.elapsedMs / run.cycles).toFixed(2)} ms per cycle: host turnaround ${share(hostTurnaroundMs)}, ` +
      `modem turnaround ${share(modemTurnaroundMs)}, pty transit ${share(toModemMs + toHostMs + lineMs)}`,
    details: [
      `elapsed ${ms(run.elapsedMs)}; ${run.cycles} request/reply cycles`,
      `spans summed: host turnaround ${ms(hostTurnaroundMs)}, to modem ${ms(toModemMs)}, rest of the request ${ms(lineMs)}, ` +
        `modem turnaround ${ms(modemTurnaroundMs)} (max ${ms(run.maxModemTurnaroundMs)}), to host ${ms(toHostMs)}`,
    ],
  };
}
