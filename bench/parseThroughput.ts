// Parser throughput: the crash dump (parseCrashDump over a dump built like the 33080
// capture, 12 KB) and an AT reply (atReplyFramer + parseShowver over the showver reply,
// fed as a UART delivers it: in 64-byte chunks, the framer called after each). Both are
// far from the line rate (0.09 MB/s at 921600); the figure says by how much.
import { atReplyFramer } from '../src/core/at/atReplyFramer';
import { parseCrashDump } from '../src/core/parse/crashDump';
import { parseShowver } from '../src/core/parse/modemVersion';
import { latin1ToBytes } from '../src/core/transport/framers';
import { CAPTURE_33080_SPEC, buildCrashDumpImage } from '../src/sim/modem/crashDumpImage';
import { lineBytesPerSecond, type Figure } from './benchSupport';
import { SHOWVER_LINES } from '../test/fixtures/showverSample';

/** Long enough that timer resolution and one GC do not matter, short enough for the bench. */
const MEASURE_MS = 400;
const UART_CHUNK_BYTES = 64;
const LINE_MBPS = lineBytesPerSecond(921_600) / 1e6;

const SHOWVER_REPLY = ['', ...SHOWVER_LINES, '', 'OK', ''].join('\r\n');

/** Runs `job` until MEASURE_MS have passed (after a warm-up); MB/s of `bytesPerRun`. */
function throughputMBps(bytesPerRun: number, job: () => void): number {
  const warmUntil = performance.now() + MEASURE_MS / 4;
  while (performance.now() < warmUntil) job();
  let runs = 0;
  const startedMs = performance.now();
  let elapsedMs = 0;
  do {
    for (let i = 0; i < 16; i++) job();
    runs += 16;
    elapsedMs = performance.now() - startedMs;
  } while (elapsedMs < MEASURE_MS);
  return (bytesPerRun * runs) / 1e6 / (elapsedMs / 1000);
}

export function parseThroughputFigure(): Figure {
  const dumpBody = buildCrashDumpImage(CAPTURE_33080_SPEC);
  const dump = new Uint8Array(dumpBody.length + 2);
  dump.set([0x0d, 0x0a], 0);
  dump.set(dumpBody, 2);
  const sanity = parseCrashDump(dump);
  if (sanity.isTruncated || sanity.records.length < 3) throw new Error('the crash dump the bench parses did not parse whole');
  let sink = 0;
  const crashMBps = throughputMBps(dump.length, () => {
    sink += parseCrashDump(dump).records.length;
  });

  const reply = latin1ToBytes(SHOWVER_REPLY);
  const command = 'AT!="showver"';
  const parseReply = (chunkBytes: number) => {
    const framer = atReplyFramer(command);
    for (let end = Math.min(chunkBytes, reply.length); ; end = Math.min(end + chunkBytes, reply.length)) {
      const framed = framer.frame(reply.subarray(0, end));
      if (framed) return parseShowver(framed.value.lines.join('\n'));
      if (end === reply.length) throw new Error('the showver reply did not frame');
    }
  };
  if (parseReply(reply.length).bootloaders.length !== 3) throw new Error('the showver reply did not parse');
  const chunkedMBps = throughputMBps(reply.length, () => {
    sink += parseReply(UART_CHUNK_BYTES).bootloaders.length;
  });
  const wholeMBps = throughputMBps(reply.length, () => {
    sink += parseReply(reply.length).bootloaders.length;
  });
  if (sink === 0) throw new Error('unreachable: keeps the parsers from being optimised away');

  return {
    id: 'parse',
    line:
      `Parse: crash dump ${crashMBps.toFixed(0)} MB/s (${dump.length}-byte dump, ${(crashMBps / LINE_MBPS).toFixed(0)} × the 921600 line); ` +
      `AT reply (showver, framed + parsed) ${chunkedMBps.toFixed(1)} MB/s fed in ${UART_CHUNK_BYTES}-byte chunks, ` +
      `${wholeMBps.toFixed(1)} MB/s whole (${(chunkedMBps / LINE_MBPS).toFixed(0)} × the line)`,
    details: [`showver reply ${reply.length} bytes; each run ${MEASURE_MS} ms after a warm-up`],
  };
}
