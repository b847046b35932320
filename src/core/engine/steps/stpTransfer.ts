import { openFileSource } from '../../files/fileSource';
import type { StpNoReplyError } from '../../stp/stpErrors';
import { StpSession, type StpCloseResult, type StpFrameSummary } from '../../stp/stpSession';
import { bytesToLatin1 } from '../../transport/framers';
import type { ByteTransport } from '../../transport/byteTransport';
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
 * progress carries rate and ETA from progressFigures. A closing RESET without an intact
 * reply is not a failure here (the modem has left STP by then): it is logged, the
 * caller's confirmClosed checks the modem with AT, and it is returned.
 */
export async function sendFileOverStp(
  session: UpgradeSession,
  options: {
    step: StepId;
    path: string;
    fileIndex: number;
    /** Runs after a closing RESET without an intact reply; throws when the modem shows the transfer failed. */
    confirmClosed?: (unconfirmed: UnconfirmedClose) => Promise<void>;
  },
): Promise<StpCloseResult> {
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
    // From the closing RESET on: a modem that crashes on it may restart while the RESET is still being resent.
    const restart = watchForRestart(session.io);
    try {
      const closed = await stp.close(session.signal);
      if (closed.kind === 'closed-damaged-reply') {
        session.log('info', 'The reply to the closing STP RESET arrived damaged; it counts as closed (the modem has left STP).');
      } else if (closed.kind === 'unconfirmed') {
        session.log('warn', `Every block was acknowledged, but the modem did not confirm the end of the STP session (${closed.error.message}); checking it with AT.`);
        await options.confirmClosed?.({ error: closed.error, hasRestarted: () => restart.hasSeen });
      }
      return closed;
    } finally {
      restart.stop();
    }
  } finally {
    await source.close();
  }
}

export interface UnconfirmedClose {
  error: StpNoReplyError;
  /** The modem announced a restart (+SYSSTART) since the closing RESET went out. */
  hasRestarted(): boolean;
}

const SYSSTART = '+SYSSTART';

function watchForRestart(io: ByteTransport): { readonly hasSeen: boolean; stop(): void } {
  let tail = '';
  let hasSeen = false;
  const stop = io.onTap((tap) => {
    if (tap.direction !== 'rx' || hasSeen) return;
    // Keeps a tail so a marker split across two chunks is still found.
    tail = (tail + bytesToLatin1(tap.bytes)).slice(-4 * SYSSTART.length);
    hasSeen = tail.includes(SYSSTART);
  });
  return {
    get hasSeen() {
      return hasSeen;
    },
    stop,
  };
}
