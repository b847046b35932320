import { abortableDelay } from '../../time/abortableDelay';
import { Deadline } from '../../time/deadline';
import type { UpgradeSession } from '../upgradeSession';
import { replyText } from '../upgradeSession';
import { wakeModem } from './wakeModem';
import { attachActions } from '../../errors';
import { ADD_UPDATER } from '../../userActions';

const SWBOOT_ACTION =
  'The modem refuses to switch to its updater. Power-cycle the board and retry; if it fails again, use the recovery method (the full image with updater.elf).';

/**
 * Step "recovery-boot" (ON_THE_FLY only, PROTOCOL.md §2 step 3): reboot the modem into
 * its updater with AT+SMSWBOOT=3,1; on ERROR the prescribed fallback (wait 5 s,
 * AT+SMSWBOOT=3,0, AT^RESET). Then wait for it to answer and repeat CFUN/SMLOG.
 */
export function rebootIntoUpdater(session: UpgradeSession): Promise<void> {
  return session.step('recovery-boot', async () => {
    session.standing = 'preparing';
    const reply = await session.command('AT+SMSWBOOT=3,1');
    if (!reply.isOk) {
      session.log('warn', `AT+SMSWBOOT=3,1 answered ${replyText(reply)}; using AT+SMSWBOOT=3,0 and AT^RESET instead.`);
      await abortableDelay(session.timeouts.swbootFallbackDelayMs, session.signal);
      await session.commandExpectingOk('AT+SMSWBOOT=3,0', SWBOOT_ACTION).catch(attachActions(SWBOOT_ACTION, [ADD_UPDATER]));
      // The modem may reset before its OK is complete: its answer is logged, not required.
      await session.command('AT^RESET').catch((error: unknown) => {
        if ((error as Error).name === 'OperationAbortedError') throw error;
        session.log('info', 'AT^RESET: no complete reply (the modem resets at once).');
      });
    }
    session.isInUpdater = true;
    session.standing = 'inUpdater';
    await wakeModem(session, {
      deadline: Deadline.in(session.timeouts.rebootMs, 'modem restart into its updater'),
      wait: { step: 'recovery-boot', phase: 'reboot' },
    });
    for (const command of ['AT+CFUN=4', 'AT+SMLOG?']) {
      const after = await session.command(command);
      if (!after.isOk) session.log('warn', `${command} answered ${replyText(after)}; continuing.`);
    }
  });
}
