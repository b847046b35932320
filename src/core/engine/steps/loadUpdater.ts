import { Deadline } from '../../time/deadline';
import type { FirmwareFileFacts } from '../upgradePlan';
import type { UpgradeSession } from '../upgradeSession';
import { sendFileOverStp } from './stpTransfer';
import { wakeModem } from './wakeModem';

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
      await sendFileOverStp(session, { step: 'load-updater', path: updater.path, fileIndex: 0 });
      session.waiting('load-updater', 'waiting for the modem to start updater.elf (this can take minutes)');
      await wakeModem(session, { deadline: Deadline.in(session.timeouts.updaterLoadMs, 'updater.elf start-up') });
      session.isInUpdater = true;
      session.standing = 'inUpdater';
    },
    `${updater.name} (${updater.size} bytes)`,
  );
}
