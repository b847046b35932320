import { openFileSource } from '../../files/fileSource';
import { StpSession, type StpFrameSummary } from '../../stp/stpSession';
import { stpOpName } from '../../stp/stpFrame';
import { progressFigures, type ProgressSample } from '../progressFigures';
import type { StepId } from '../upgradeEvents';
import type { UpgradeSession } from '../upgradeSession';

export function summarizeStpFrame(frame: StpFrameSummary): string {
  return `${stpOpName(frame.op)} sid=${frame.sid} tid=${frame.tid} plen=${frame.plen}${frame.note ? ` (${frame.note})` : ''}`;
}

/**
 * Sends one file over STP on a line the modem has already switched to STP (after
 * AT+SMSTPU or AT+STP): open, blocks, close. Every frame goes to the event stream;
 * progress carries rate and ETA from progressFigures.
 */
export async function sendFileOverStp(
  session: UpgradeSession,
  options: { step: StepId; path: string; fileIndex: number },
): Promise<void> {
  // Bytes may wait on the line right after the OK (PROTOCOL.md §8): the STP reader
  // finds replies by magic, but stale bytes are dropped here so nothing old is mistaken.
  session.io.drain();
  const source = await openFileSource(options.path);
  try {
    const stp = new StpSession(session.io, {
      requestTimeoutMs: session.timeouts.stpRequestMs,
      onFrame: (frame) => session.emit({ kind: 'stp', direction: frame.direction, summary: summarizeStpFrame(frame) }),
    });
    const info = await stp.open(session.signal);
    session.log('info', `STP session open: version ${info.version}, max transfer ${info.maxTransfer} bytes.`);
    const samples: ProgressSample[] = [];
    const report = (bytesDone: number, bytesTotal: number) => {
      samples.push({ atMs: performance.now(), bytesDone });
      const figures = progressFigures(samples, bytesTotal);
      session.emit({
        kind: 'progress',
        step: options.step,
        fileIndex: options.fileIndex,
        fileName: source.name,
        bytesDone,
        bytesTotal,
        bytesPerSecond: figures.bytesPerSecond,
        ...(figures.etaMs !== undefined ? { etaMs: figures.etaMs } : {}),
      });
    };
    report(0, source.size);
    await stp.sendFile(source, { signal: session.signal, onProgress: report });
    await stp.close(session.signal);
  } finally {
    await source.close();
  }
}
