import { ProtocolError } from '../../errors';
import type { ModemState, ModemVersionReport } from '../../parse/modemVersion';
import { parseSmodState } from '../../parse/modemReplies';
import { Deadline } from '../../time/deadline';
import type { AtReply } from '../../at/atReply';
import { replyText, type UpgradeSession } from '../upgradeSession';
import { readVersionReport } from './report';
import { FALLBACK_BAUD, MIRROR_BAUD, wakeModem } from './wakeModem';

export interface DetectedModem {
  state: ModemState;
  baudRate: number;
  before?: ModemVersionReport;
}

/**
 * A wake-up probe that timed out may still be answered later: its late "OK" can arrive
 * after the next command drained the line and be read as that command's reply. A reply
 * to AT+SMOD? without a state line is such a stale answer; asking again consumes them
 * in order (the modem answers in order), so a few attempts always reach the real one.
 */
const SMOD_ATTEMPTS = 3;

/** Asks AT+SMOD? (every firmware, the bootrom included, knows it). */
export async function readModemState(session: UpgradeSession): Promise<ModemState> {
  let reply: AtReply | undefined;
  for (let attempt = 1; attempt <= SMOD_ATTEMPTS; attempt++) {
    reply = await session.command('AT+SMOD?');
    const state = reply.isOk ? parseSmodState(reply) : undefined;
    if (state !== undefined) {
      session.emit({ kind: 'modemState', state });
      return state;
    }
    session.log('info', `AT+SMOD? got ${JSON.stringify(replyText(reply))}, not a state (a late answer to an earlier command?); asking again.`);
  }
  throw new ProtocolError(
    `The modem's answer to AT+SMOD? is not a known state: ${JSON.stringify(replyText(reply!))}.`,
    'Power-cycle the board (unplug it), put it back in mirror mode and retry.',
    reply!.raw,
  );
}

/** Wakes the modem at 921600 then 115200 (PROTOCOL.md §6: garbage means the other rate). */
export function wakeAtEitherBaud(session: UpgradeSession): Promise<{ baudRate: number }> {
  return wakeModem(session, {
    deadline: Deadline.in(session.timeouts.wakeupMs, 'modem wake-up'),
    baudRates: [MIRROR_BAUD, FALLBACK_BAUD],
  });
}

/**
 * Step "detect": wake the modem, read its state and, in the application (the only
 * firmware that knows the version commands), its version: the facts every refusal needs.
 */
export function detectModem(session: UpgradeSession): Promise<DetectedModem> {
  return session.step('detect', async () => {
    const { baudRate } = await wakeAtEitherBaud(session);
    const state = await readModemState(session);
    const before = state === 2 ? await readVersionReport(session) : undefined;
    if (before) session.emit({ kind: 'modemInfo', phase: 'before', report: before });
    return { state, baudRate, ...(before ? { before } : {}) };
  });
}
