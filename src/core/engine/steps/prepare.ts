import { Deadline } from '../../time/deadline';
import type { UpgradeSession } from '../upgradeSession';
import { replyText } from '../upgradeSession';
import { wakeModem } from './wakeModem';

interface PreambleCommand {
  command: string;
  /** Why it is sent, for the transcript when it fails. */
  purpose: string;
}

/**
 * PROTOCOL.md §2 step 2, as data. None of these stops the upgrade on ERROR: the
 * published tool sends them without checking, and the modem's firmware versions
 * differ in which they know. A failure is logged and the sequence goes on.
 */
export const PREPARE_SEQUENCE: readonly (PreambleCommand | { wakeUp: true })[] = [
  { command: 'AT+BIND=AT', purpose: 'bind the UART to the AT interpreter' },
  { command: 'ATE0', purpose: 'echo off, so AT+SMSTPU answers a bare OK' },
  { command: 'AT+SMLOG?', purpose: 'log level (+SMLOG: LOG_INHERIT)' },
  { command: 'AT+SMOD?', purpose: 'confirm the application state' },
  { command: 'AT+SQNSUPGRADENTF="started"', purpose: 'tell the modem an upgrade starts' },
  { wakeUp: true },
  { command: 'AT+SQNWL="sqndcc",2', purpose: 'stop the modem from scanning during the upgrade' },
  { command: 'AT+CFUN=4', purpose: 'radio off' },
];

/** Step "prepare": the application-mode preamble before the modem is switched to its updater. */
export function prepareModem(session: UpgradeSession): Promise<void> {
  return session.step('prepare', async () => {
    session.standing = 'preparing';
    for (const entry of PREPARE_SEQUENCE) {
      if ('wakeUp' in entry) {
        await wakeModem(session, { deadline: Deadline.in(session.timeouts.wakeupMs, 'modem wake-up') });
        continue;
      }
      const reply = await session.command(entry.command);
      if (!reply.isOk) session.log('warn', `${entry.command} (${entry.purpose}) answered ${replyText(reply)}; continuing.`);
    }
  });
}
