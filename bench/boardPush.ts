// Board push: pushFile() of a 300 KB file to the simulated GPy (real MicroPython in a
// worker, UART paced at 115200 in real time, flash writes at the simulator's assumed
// speed). The figure is the payload rate ÷ the line rate (11,520 bytes/s). Base64 alone
// caps it at 0.75; the rest is the round trip per chunk: the host's turnaround, and the
// board's (running the exec, writing flash).
import { randomBytes } from 'node:crypto';
import { pushFile, CHUNK_PAYLOAD_BYTES } from '../src/core/board/boardFiles';
import { RawRepl } from '../src/core/repl/rawRepl';
import { createSimulatedGpy } from '../src/sim/simulatedGpy';
import { DEFAULT_FLASH_BYTES_PER_SECOND } from '../src/sim/board/boardOptions';
import { goalMark, lineBytesPerSecond, ms, percent, type Figure } from './benchSupport';

export const BOARD_PUSH_BYTES = 300_000;
const REPL_BAUD = 115_200;
const LINE_BYTES_PER_SECOND = lineBytesPerSecond(REPL_BAUD);
export const BOARD_PUSH_GOAL = 0.7;

export async function boardPushFigure(payloadBytes = BOARD_PUSH_BYTES): Promise<Figure> {
  const gpy = await createSimulatedGpy({ timeScale: 1, board: { flashBytes: 4 * 1024 * 1024 } });
  try {
    const io = await gpy.registry.open(gpy.portPath, { baudRate: REPL_BAUD });
    const repl = await RawRepl.enter(io);
    const bytes = new Uint8Array(randomBytes(payloadBytes));

    let wireBytes = 0;
    let execs = 0;
    let hostTurnaroundMs = 0;
    let lastRxMs: number | undefined;
    // Host turnaround: from the chunk that completed the board's answer to the next code written.
    const untap = io.onTap((tap) => {
      wireBytes += tap.bytes.length;
      if (tap.direction === 'rx') {
        lastRxMs = tap.atMs;
        return;
      }
      execs++;
      if (lastRxMs !== undefined) hostTurnaroundMs += tap.atMs - lastRxMs;
      lastRxMs = undefined;
    });
    const startedMs = performance.now();
    const result = await pushFile(repl, { bytes, remotePath: '/flash/bench.bin' });
    const elapsedMs = performance.now() - startedMs;
    untap();
    await repl.exit().catch(() => undefined);
    await io.close();
    if (result.sha256 !== (await sha256(bytes)) || result.skipped) throw new Error('the push did not write the file it was given');

    const ratio = payloadBytes / (elapsedMs / 1000) / LINE_BYTES_PER_SECOND;
    const wireMs = (wireBytes / LINE_BYTES_PER_SECOND) * 1000;
    const lostMs = elapsedMs - wireMs;
    const chunks = Math.ceil(payloadBytes / CHUNK_PAYLOAD_BYTES);
    const flashMs = (payloadBytes / DEFAULT_FLASH_BYTES_PER_SECOND) * 1000;
    const boardMs = lostMs - hostTurnaroundMs;
    const base64Ceiling = payloadBytes / wireBytes;
    const isGoalMet = ratio >= BOARD_PUSH_GOAL;
    const share = (part: number) => (lostMs > 0 ? percent(part / lostMs) : 'n/a');
    return {
      id: 'board-push',
      isGoalMet,
      line:
        `Board push ${(payloadBytes / 1000).toFixed(0)} KB, paced 115200 simulated GPy: payload/line = ${ratio.toFixed(3)} ` +
        `(bytes on the wire alone allow ${base64Ceiling.toFixed(3)}; goal ≥ ${BOARD_PUSH_GOAL}: ${goalMark(isGoalMet)}); ` +
        `beyond the wire ${ms(lostMs)}: host turnaround ${share(hostTurnaroundMs)} (${(hostTurnaroundMs / execs).toFixed(2)} ms/exec), ` +
        `board ${share(boardMs)}, of which simulated flash writes ${share(flashMs)}; ` +
        `without the flash writes ${(payloadBytes / ((elapsedMs - flashMs) / 1000) / LINE_BYTES_PER_SECOND).toFixed(3)}`,
      details: [
        `elapsed ${ms(elapsedMs)}; ${wireBytes} bytes on the wire (${ms(wireMs)}); ${execs} execs, ${chunks} of them data chunks of ${CHUNK_PAYLOAD_BYTES} bytes`,
        `board time beyond the wire ${ms(boardMs)}: flash writes at ${DEFAULT_FLASH_BYTES_PER_SECOND / 1024} KB/s (the simulator's assumption) ${ms(flashMs)}, ` +
          `exec, hashing and the simulator's own work ${ms(boardMs - flashMs)}`,
      ],
    };
  } finally {
    await gpy.stop();
  }
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}
