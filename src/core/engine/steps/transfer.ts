import type { FirmwareFileFacts } from '../upgradePlan';
import type { UpgradeSession } from '../upgradeSession';
import { readModemState } from './detect';
import { Deadline } from '../../time/deadline';
import { ModemNotAnsweringError } from '../upgradeErrors';
import { attachActions } from '../../errors';
import { ADD_UPDATER } from '../../userActions';
import { sendFileOverStp, type UnconfirmedClose } from './stpTransfer';
import { wakeModem } from './wakeModem';

const SMSTPU_ACTION =
  'The modem would not start the transfer. Power-cycle the board (unplug it), put it back in mirror mode and retry; ' +
  'if it refuses again, use the recovery method (the full image with updater.elf).';

/**
 * Step "transfer" (PROTOCOL.md §2 steps 4–6): in the updater, AT+SMOD? first; then
 * AT+SMSTPU (FFF) or AT+SMSTPU="ON_THE_FLY", which must answer OK, then the file by STP.
 */
export function transferFirmware(session: UpgradeSession, file: FirmwareFileFacts, fileIndex: number): Promise<void> {
  return session.step(
    'transfer',
    async () => {
      if (session.isInUpdater) {
        const state = await readModemState(session);
        // After updater.elf loads the modem may say 2 or 4 (PROTOCOL.md §8): both are fine here.
        if (state !== 2 && state !== 4) session.log('warn', `AT+SMOD? answered ${state} in the updater; continuing.`);
      }
      const command = file.method === 'on-the-fly' ? 'AT+SMSTPU="ON_THE_FLY"' : 'AT+SMSTPU';
      await session.commandExpectingOk(command, SMSTPU_ACTION).catch(attachActions(SMSTPU_ACTION, [ADD_UPDATER]));
      session.standing = file.method === 'on-the-fly' || session.isInUpdater ? 'partialTransfer' : 'stagedPartly';
      await sendFileOverStp(session, {
        step: 'transfer',
        path: file.path,
        fileIndex,
        confirmClosed: (unconfirmed) => confirmStpLeft(session, file, unconfirmed),
      });
    },
    `${file.name} (${file.method === 'on-the-fly' ? 'ON_THE_FLY' : 'FFF'}, ${file.size} bytes)`,
  );
}

/**
 * The closing RESET got no intact reply: the modem may have left STP with its answer
 * lost, or crashed on it. It answers AT once it has left STP (at once after FFF, after
 * verifying after ON_THE_FLY); a crash shows as silence or as a restart (+SYSSTART),
 * which loses what was sent: then the transfer failed, with the close's own error.
 */
async function confirmStpLeft(session: UpgradeSession, file: FirmwareFileFacts, unconfirmed: UnconfirmedClose): Promise<void> {
  // After FFF the application only staged the file and answers at once; after ON_THE_FLY
  // (or in the updater) the modem verifies and writes its flash first: the long wait.
  const isStagedOnly = file.method === 'fff' && !session.isInUpdater;
  const budgetMs = isStagedOnly ? session.timeouts.wakeupMs : session.timeouts.postTransferWakeMs;
  try {
    await wakeModem(session, {
      deadline: Deadline.in(budgetMs, 'modem after the closing STP RESET'),
      wait: { step: 'transfer', phase: isStagedOnly ? 'first-wake' : 'post-transfer-wake' },
    });
  } catch (error) {
    if (error instanceof ModemNotAnsweringError) throw unconfirmed.error;
    throw error;
  }
  if (unconfirmed.hasRestarted()) {
    session.log('warn', 'The modem restarted (+SYSSTART) after the closing STP RESET: the transfer did not complete.');
    throw unconfirmed.error;
  }
  session.log('info', 'The modem answers AT after the transfer: the STP session is closed.');
}
