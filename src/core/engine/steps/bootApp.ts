import type { AtReply } from '../../at/atReply';
import { isModemToolError, ReadTimeoutError } from '../../errors';
import { Deadline } from '../../time/deadline';
import { STEP_TITLES, type StepId } from '../upgradeEvents';
import type { UpgradeSession } from '../upgradeSession';
import { replyText } from '../upgradeSession';
import { wakeModem } from './wakeModem';
import { attachActions } from '../../errors';
import { READ_INFO } from '../../userActions';

const SWBOOT_APP_ACTION =
  'The modem refuses to boot the new firmware. Power-cycle the board and read the modem\'s info; if it is in upgrade mode (state 4), run the upgrade again to resume.';

/**
 * Step "boot-app" (ON_THE_FLY, PROTOCOL.md §2 step 10): AT+SMSWBOOT=1,1 boots the new
 * application; its reply is read, then the unsolicited +SYSSTART. On ERROR: the fallback
 * AT+SMSWBOOT=1,0 then AT^RESET.
 */
export function bootNewApplication(session: UpgradeSession): Promise<void> {
  return session.step('boot-app', async () => {
    session.standing = 'booting';
    const reply = await session.command('AT+SMSWBOOT=1,1');
    if (!reply.isOk) {
      session.log('warn', `AT+SMSWBOOT=1,1 answered ${replyText(reply)}; using AT+SMSWBOOT=1,0 and AT^RESET instead.`);
      await session.commandExpectingOk('AT+SMSWBOOT=1,0', SWBOOT_APP_ACTION).catch(attachActions(SWBOOT_APP_ACTION, [READ_INFO]));
      await session.command('AT^RESET').catch((error: unknown) => {
        if ((error as Error).name === 'OperationAbortedError') throw error;
        session.log('info', 'AT^RESET: no complete reply (the modem resets at once).');
      });
    }
    const deadline = Deadline.in(session.timeouts.rebootMs, '+SYSSTART');
    try {
      await session.whileWaiting('boot-app', 'new-firmware-boot', () => session.at.waitForLine(/\+SYSSTART/, { deadline, signal: session.signal }), {
        detail: 'waiting for +SYSSTART from the new firmware',
      });
    } catch (error) {
      if (!(error instanceof ReadTimeoutError)) throw error;
      session.log('warn', 'No +SYSSTART seen; checking that the modem answers AT.');
    }
    await wakeModem(session, {
      deadline: Deadline.in(session.timeouts.wakeupMs, 'modem after boot'),
      wait: { step: 'boot-app', phase: 'new-firmware-boot' },
      silentAction:
        'The modem stayed silent after booting its new firmware for longer than the published updater waits. Only now power-cycle the board (unplug, plug back) ' +
        'and read the modem\'s info to see which build it runs; in upgrade mode (state 4) run the same upgrade again to resume.',
      silentActions: [READ_INFO],
    });
    session.isInUpdater = false;
  });
}

/** PROTOCOL.md §2 step 11, sent in the step that finished the upgrade. */
export async function notifyUpgradeSuccess(session: UpgradeSession, step: StepId): Promise<void> {
  let reply: AtReply;
  try {
    reply = await session.command('AT+SQNSUPGRADENTF="success"');
  } catch (error) {
    // Sent after its step reported done: the failure still belongs to that step.
    if (isModemToolError(error) && !error.step) error.step = step;
    session.emit({ kind: 'step', step, title: STEP_TITLES[step], phase: 'fail', detail: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  if (!reply.isOk) session.log('warn', `AT+SQNSUPGRADENTF="success" answered ${replyText(reply)} (during ${step}); continuing.`);
  session.standing = 'done';
}
