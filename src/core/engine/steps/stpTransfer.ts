import type { BlockSource } from '../../files/blockSource';
import { openFileSource } from '../../files/fileSource';
import type { StpNoReplyError } from '../../stp/stpErrors';
import { stpBlockLimit } from '../../stp/stpFrame';
import { StpSession, type StpCloseResult } from '../../stp/stpSession';
import { STP_DIGEST_INTERVAL_MS, StpTrafficLog } from '../../stp/stpTrafficLog';
import { bytesToLatin1 } from '../../transport/framers';
import type { ByteTransport } from '../../transport/byteTransport';
import { ProgressPacer, type PacedProgress } from '../progressFigures';
import type { StepId } from '../upgradeEvents';
import type { UpgradeSession } from '../upgradeSession';

/**
 * Sends one file over STP on a line the modem has already switched to STP (after
 * AT+SMSTPU or AT+STP): open, blocks, close. Frames go to the event stream through
 * StpTrafficLog (routine block frames as a digest), progress through ProgressPacer (a
 * few events a second, with rate and ETA, always the last). A closing RESET without an intact
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
    const traffic = new StpTrafficLog((line) => session.emit({ kind: 'stp', ...line }));
    const stp = new StpSession(session.io, {
      requestTimeoutMs: session.timeouts.stpRequestMs,
      silenceBudgetMs: session.timeouts.stpSilenceMs,
      onFrame: (frame) => traffic.frame(frame),
    });
    const info = await stp.open(session.signal);
    session.log('info', `STP session open: version ${info.version}, max transfer ${info.maxTransfer} bytes.`);
    await sendDataPhase(session, stp, traffic, source, { step: options.step, fileIndex: options.fileIndex, blockLimit: stpBlockLimit(info.maxTransfer) });
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

/**
 * The blocks of one file, between a line that opens the data phase and one that closes
 * it with the count of blocks and bytes, also when it fails: with routine frames only in
 * digests, these two lines are where the transcript tells how far the transfer got.
 */
async function sendDataPhase(
  session: UpgradeSession,
  stp: StpSession,
  traffic: StpTrafficLog,
  source: BlockSource,
  options: { step: StepId; fileIndex: number; blockLimit: number },
): Promise<void> {
  session.log(
    'info',
    `STP data phase: ${source.name}, ${source.size} bytes in blocks of up to ${options.blockLimit} bytes ` +
      `(routine block frames are summarized at most once per ${STP_DIGEST_INTERVAL_MS / 1000} s).`,
  );
  const startedMs = performance.now();
  const pacer = new ProgressPacer(source.size);
  let blocks = 0;
  let bytesDone = 0;
  // A pause of the modem (7–10 %, 99 %, minutes on NB-IoT) shows as a wait with its length,
  // not as a frozen bar; a modem answering block after block shows nothing here.
  let lastHeardMs = performance.now();
  const stopListening = session.io.onTap((tap) => {
    if (tap.direction === 'rx') lastHeardMs = performance.now();
  });
  const stopReporting = session.reportWait(options.step, 'stp-silence', {
    detail: 'the modem is not answering: it pauses while it writes (normal around 7–10 % and at 99 %)',
    elapsedMs: () => performance.now() - lastHeardMs,
    isQuietUntilMs: session.timeouts.waitReportIntervalMs,
  });
  const emitProgress = (figures: PacedProgress) =>
    session.emit({
      kind: 'progress',
      step: options.step,
      fileIndex: options.fileIndex,
      fileName: source.name,
      bytesDone: figures.bytesDone,
      bytesTotal: figures.bytesTotal,
      bytesPerSecond: figures.bytesPerSecond,
      ...(figures.etaMs !== undefined ? { etaMs: figures.etaMs } : {}),
    });
  const onProgress = (done: number) => {
    if (done > bytesDone) blocks += 1;
    bytesDone = done;
    const figures = pacer.sample(done);
    if (figures) emitProgress(figures);
  };
  try {
    await stp.sendFile(source, { signal: session.signal, onProgress });
  } catch (error) {
    // The block frames counted since the last digest are the ones nearest the failure.
    traffic.flush();
    // The diagnosis reads how far the transfer got from the last progress event.
    const unreported = pacer.unreported();
    if (unreported) emitProgress(unreported);
    session.log('info', `STP data phase stopped after ${blocks} blocks (${bytesDone} of ${source.size} bytes acknowledged).`);
    throw error;
  } finally {
    stopReporting();
    stopListening();
  }
  traffic.flush();
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  session.log('info', `STP data phase done: ${blocks} blocks, ${bytesDone} bytes acknowledged in ${seconds} s.`);
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
