import { OperationAbortedError, PortClosedError } from '../../errors';
import { abortableDelay } from '../../time/abortableDelay';
import type { Deadline } from '../../time/deadline';
import { recogniseBoardRepl } from '../../at/replRecogniser';
import { BoardAtReplError, ModemNotAnsweringError } from '../upgradeErrors';
import type { StepId } from '../upgradeEvents';
import type { UpgradeSession } from '../upgradeSession';
import type { WaitPhaseId } from '../upgradeTimeouts';
import { ADD_UPDATER, READ_CRASH_DUMP, type UserAction } from '../../userActions';

export { FALLBACK_BAUD, MIRROR_BAUD } from '../../transport/pycomLines';

/**
 * Probes at one rate without a clean answer (silent or garbled) before trying the other.
 * Garbage alone does not prove the rate wrong: one damaged reply at the right rate,
 * followed by a switch, makes the modem (echo on) echo what it got at the wrong rate,
 * which reads as garbage again back at the right rate, and detection bounces between
 * the rates until its deadline. So a garbled reply is asked again at the same rate first.
 */
const UNANSWERED_PROBES_PER_BAUD = 3;

/** Bytes a wrong baud rate produces: framing errors read as high-bit bytes; AT text is 7-bit. */
export function looksGarbled(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte >= 0x80) return true;
  return false;
}

export interface WakeResult {
  baudRate: number;
  probes: number;
}

/**
 * Sends `AT` until the modem answers OK, under `deadline` (PROTOCOL.md §2 step 1). With
 * several baud rates it switches on garbage or after a few silent probes (§6: "garbage
 * bytes → retry detection at 921600 and 115200"). Probes are spaced by the clock, not counted.
 */
export async function wakeModem(session: UpgradeSession, options: WakeOptions): Promise<WakeResult> {
  // Probing at several rates is the first contact (detect, info, crash dump): report it as such.
  const wait = options.wait ?? (options.baudRates && options.baudRates.length > 1 ? { step: 'detect' as const, phase: 'first-wake' as const } : undefined);
  if (!wait) return probeUntilOk(session, options);
  return session.whileWaiting(wait.step, wait.phase, () => probeUntilOk(session, options), {
    budgetMs: options.deadline.budgetMs,
    // A modem that answers at once shows no wait; one that takes its time is shown waiting.
    ...(wait.phase === 'first-wake' ? { isQuietUntilMs: session.timeouts.waitReportIntervalMs } : {}),
  });
}

export interface WakeOptions {
  deadline: Deadline;
  baudRates?: readonly number[];
  /** Report the wake-up as this long wait (periodic waiting events); multi-rate probing is 'first-wake' by default. */
  wait?: { step: StepId; phase: WaitPhaseId };
  /** What to tell the user once the whole deadline passed in silence, when the caller knows better than the first-contact advice. */
  silentAction?: string;
  /** The steps `silentAction` names, for a front end to spell out. */
  silentActions?: UserAction[];
}

async function probeUntilOk(session: UpgradeSession, options: WakeOptions): Promise<WakeResult> {
  const { io, timeouts } = session;
  const baudRates = options.baudRates?.length ? options.baudRates : [io.settings.baudRate];
  const tried = new Set<number>([io.settings.baudRate]);
  let baudIndex = Math.max(0, baudRates.indexOf(io.settings.baudRate));
  if (baudRates[baudIndex] !== io.settings.baudRate) await switchBaud(session, baudRates[baudIndex]!, tried);
  let unansweredProbesHere = 0;
  let probes = 0;
  let sawGarbage = false;
  let lastBytes: Uint8Array = new Uint8Array(0);

  while (!options.deadline.isExpired()) {
    session.throwIfAborted();
    // Input waiting since the last probe (a late tail, or a board's boot banner) is drained
    // unread by the next command: look at it first.
    refuseBoardRepl(session, io.peekPending());
    const probeStartedMs = performance.now();
    const probeDeadline = options.deadline.within(timeouts.wakeAttemptMs).withLabel('reply to AT');
    let garbledNow = false;
    probes += 1;
    try {
      const reply = await session.command('AT', { deadline: probeDeadline });
      // The AT channel already refuses an OK among garbled lines; stray high bytes elsewhere in raw are old noise.
      if (reply.isOk) return { baudRate: io.settings.baudRate, probes };
      garbledNow = looksGarbled(reply.raw);
      lastBytes = reply.raw;
      refuseBoardRepl(session, reply.raw);
    } catch (error) {
      if (error instanceof OperationAbortedError || error instanceof PortClosedError || error instanceof BoardAtReplError) throw error;
      const bytes = (error as { lastBytes?: unknown }).lastBytes;
      if (bytes instanceof Uint8Array && bytes.length > 0) lastBytes = bytes;
      if (bytes instanceof Uint8Array) refuseBoardRepl(session, bytes);
      const finalLine = (error as { reply?: { final?: unknown } }).reply?.final;
      if (finalLine === 'OK') {
        // A clean OK behind garbage: this rate is right, the garbage was the modem echoing
        // the line it received at the old rate. Ask again at once, at this rate.
        continue;
      }
      garbledNow = (bytes instanceof Uint8Array && looksGarbled(bytes)) || /garbl/i.test((error as Error)?.name ?? '');
    }
    sawGarbage ||= garbledNow;
    unansweredProbesHere += 1;
    if (baudRates.length > 1 && unansweredProbesHere >= UNANSWERED_PROBES_PER_BAUD) {
      baudIndex = (baudIndex + 1) % baudRates.length;
      await switchBaud(session, baudRates[baudIndex]!, tried);
      unansweredProbesHere = 0;
    }
    // A probe answered with garbage or ERROR returns early: keep to one probe per slot.
    const spentMs = performance.now() - probeStartedMs;
    const restMs = Math.min(timeouts.wakeAttemptMs - spentMs, options.deadline.remainingMs());
    if (restMs > 0) await abortableDelay(restMs, session.signal);
  }
  throw new ModemNotAnsweringError(
    options.deadline.budgetMs,
    [...tried],
    lastBytes,
    sawGarbage,
    options.silentAction ??
    (sawGarbage
      ? 'The bytes look like a baud-rate mismatch. Power-cycle the board (unplug it), start mirror mode again, close every other program on the port, and retry.'
      : 'Make sure the board is in mirror mode ("Going into MIRROR mode" was printed) and no other program holds the port; power-cycle the board (unplug it) and retry. If it stays silent, read the crash dump and try the recovery method (the full image with updater.elf).'),
    options.silentAction !== undefined
      ? { actions: options.silentActions ?? [] }
      : sawGarbage
        ? {}
        : { actions: [READ_CRASH_DUMP, ADD_UPDATER] },
  );
}

/**
 * Stops the wake-up at the first sign of a MicroPython REPL: more probes would only add
 * tracebacks to the user's REPL, and no deadline makes a REPL answer OK.
 */
function refuseBoardRepl(session: UpgradeSession, received: Uint8Array): void {
  if (received.length === 0) return;
  const sighting = recogniseBoardRepl(received);
  if (!sighting) return;
  session.log('warn', `The port answered like a MicroPython REPL (${sighting.evidence}), not like a modem.`);
  throw new BoardAtReplError(session.io.path, session.io.settings.baudRate, sighting, received.slice());
}

async function switchBaud(session: UpgradeSession, baudRate: number, tried: Set<number>): Promise<void> {
  session.log('info', `No clean answer at ${session.io.settings.baudRate} baud; trying ${baudRate} baud.`);
  await session.io.update({ ...session.io.settings, baudRate });
  session.io.drain();
  tried.add(baudRate);
}
