// Board push: pushFile() of a 300 KB file to the simulated GPy (real MicroPython in a
// worker, UART paced at 115200 in real time, flash writes at the simulator's assumed
// speed). The figure is the payload rate ÷ the line rate (11,520 bytes/s). Base64 alone
// caps it at 0.75; the rest is time the host→board line stands idle: the execs around
// the data (survey, start of the receive loop, verification, rename) and any stall of
// the stream waiting for the board's acknowledgements.
import { randomBytes } from 'node:crypto';
import { pushFile, STREAM_CHUNK_PAYLOAD_BYTES, STREAM_WINDOW_BYTES } from '../src/core/board/boardFiles';
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

    // A model of the host→board line: when it goes free, and how long it then stands idle before the next write.
    const idle = { beforeData: 0, stalls: 0, afterData: 0 };
    let stallCount = 0;
    let txBytes = 0;
    let rxBytes = 0;
    let dataWrites = 0;
    let lineFreeAtMs = 0;
    const untap = io.onTap((tap) => {
      if (tap.direction === 'rx') {
        rxBytes += tap.bytes.length;
        return;
      }
      txBytes += tap.bytes.length;
      // Code goes out with its Ctrl-D in one write; the stream's data never holds one.
      const isData = tap.bytes.at(-1) !== 0x04;
      const idleMs = lineFreeAtMs > 0 ? Math.max(0, tap.atMs - lineFreeAtMs) : 0;
      if (isData && dataWrites > 0) {
        idle.stalls += idleMs;
        if (idleMs > 0) stallCount++;
      } else if (dataWrites === 0) idle.beforeData += idleMs;
      else idle.afterData += idleMs;
      if (isData) dataWrites++;
      lineFreeAtMs = Math.max(lineFreeAtMs, tap.atMs) + (tap.bytes.length / LINE_BYTES_PER_SECOND) * 1000;
    });
    const startedMs = performance.now();
    lineFreeAtMs = startedMs;
    const result = await pushFile(repl, { bytes, remotePath: '/flash/bench.bin' });
    const endedMs = performance.now();
    const elapsedMs = endedMs - startedMs;
    idle.afterData += Math.max(0, endedMs - lineFreeAtMs);
    untap();
    await repl.exit().catch(() => undefined);
    await io.close();
    if (result.sha256 !== (await sha256(bytes)) || result.skipped) throw new Error('the push did not write the file it was given');

    const ratio = payloadBytes / (elapsedMs / 1000) / LINE_BYTES_PER_SECOND;
    const txMs = (txBytes / LINE_BYTES_PER_SECOND) * 1000;
    const idleMs = idle.beforeData + idle.stalls + idle.afterData;
    const chunks = Math.ceil(payloadBytes / STREAM_CHUNK_PAYLOAD_BYTES);
    const flashMs = (payloadBytes / DEFAULT_FLASH_BYTES_PER_SECOND) * 1000;
    const txCeiling = payloadBytes / txBytes;
    const isGoalMet = ratio >= BOARD_PUSH_GOAL;
    const share = (part: number) => (idleMs > 0 ? percent(part / idleMs) : 'n/a');
    return {
      id: 'board-push',
      isGoalMet,
      line:
        `Board push ${(payloadBytes / 1000).toFixed(0)} KB, paced 115200 simulated GPy (${result.scheme}): payload/line = ${ratio.toFixed(3)} ` +
        `(the host's bytes on the wire alone allow ${txCeiling.toFixed(3)}; goal ≥ ${BOARD_PUSH_GOAL}: ${goalMark(isGoalMet)}); ` +
        `line idle ${ms(idleMs)}: execs before the data ${share(idle.beforeData)}, stalls waiting for acknowledgements ${share(idle.stalls)}, ` +
        `after the data (last flash write, verification, rename) ${share(idle.afterData)}`,
      details: [
        `elapsed ${ms(elapsedMs)}; host→board ${txBytes} bytes (${ms(txMs)} of line time), board→host ${rxBytes} bytes; ` +
          `${chunks} chunks of ${STREAM_CHUNK_PAYLOAD_BYTES} bytes under a ${STREAM_WINDOW_BYTES}-byte window, ${dataWrites} data writes`,
        `stalls: ${stallCount} of the ${dataWrites} data writes found the line idle, ${ms(idle.stalls)} in all; the simulated flash writes ` +
          `(${DEFAULT_FLASH_BYTES_PER_SECOND / 1024} KB/s, the simulator's assumption) take ${ms(flashMs)}, hidden behind the line but for the stalls and the last chunk`,
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
