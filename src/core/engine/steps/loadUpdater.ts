import { Deadline } from '../../time/deadline';
import type { FirmwareFileFacts } from '../upgradePlan';
import type { UpgradeSession } from '../upgradeSession';
import { ModemNotAnsweringError } from '../upgradeErrors';
import { readModemState } from './detect';
import { sendFileOverStp } from './stpTransfer';
import { wakeModem } from './wakeModem';
import { ADD_UPDATER, READ_CRASH_DUMP } from '../../userActions';

/**
 * Step "load-updater" (recovery path, PROTOCOL.md §2 end): the bootrom takes AT+STP
 * terminated by "\n" only, then updater.elf by STP; loading it can take minutes, after
 * which the updater answers AT (echo off) and the upgrade continues from step 4.
 */
export function loadUpdater(session: UpgradeSession, updater: FirmwareFileFacts): Promise<void> {
  return session.step(
    'load-updater',
    async () => {
      await session.commandExpectingOk(
        'AT+STP',
        'The recovery bootrom would not start STP. Power-cycle the board, put it back in mirror mode and retry.',
        { lineEnding: '\n' },
      );
      session.standing = 'recoveryBootrom';
      const closed = await sendFileOverStp(session, { step: 'load-updater', path: updater.path, fileIndex: 0 });
      try {
        await wakeModem(session, {
          deadline: Deadline.in(session.timeouts.updaterLoadMs, 'updater.elf start-up'),
          wait: { step: 'load-updater', phase: 'updater-load' },
          silentAction:
            'The modem did not start updater.elf within the time its loading may take ("several minutes"). Only now power-cycle the board (unplug, plug back), ' +
            'put it in mirror mode and run the upgrade again with the full .dup image and updater.elf; if it stays silent, read the crash dump.',
          silentActions: [ADD_UPDATER, READ_CRASH_DUMP],
        });
      } catch (error) {
        if (closed.kind === 'unconfirmed' && error instanceof ModemNotAnsweringError) throw closed.error;
        throw error;
      }
      if (closed.kind === 'unconfirmed') {
        // No intact reply to the closing RESET: only the updater answering proves it was
        // loaded; a bootrom that crashed on the RESET restarts as itself (state 0).
        const state = await readModemState(session);
        if (state === 0) {
          session.log('warn', 'The modem is still in its recovery bootrom after the closing STP RESET: updater.elf did not load.');
          throw closed.error;
        }
        session.log('info', `The modem answers AT in state ${state} after the closing STP RESET: updater.elf is running.`);
      }
      session.isInUpdater = true;
      session.standing = 'inUpdater';
    },
    `${updater.name} (${updater.size} bytes)`,
  );
}
