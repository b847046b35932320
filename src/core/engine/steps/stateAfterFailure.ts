import { Deadline } from '../../time/deadline';
import { OperationAbortedError, PortClosedError } from '../../errors';
import type { UpgradeSession } from '../upgradeSession';
import { readModemState } from './detect';
import { wakeModem } from './wakeModem';

/**
 * After a failure, where the modem stands now: AT+SMOD? under a short deadline (the
 * crash-dump budget), at the current speed. State 4 means the next run resumes; state 0
 * means it needs updater.elf: the diagnosis rules read it as `modemStateAfter`. Best
 * effort: never throws; false when the modem did not answer.
 */
export async function readModemStateAfterFailure(session: UpgradeSession): Promise<boolean> {
  try {
    await wakeModem(session, { deadline: Deadline.in(session.timeouts.crashDumpMs, 'modem after the failure') });
    await readModemState(session);
    return true;
  } catch (error) {
    if (!(error instanceof OperationAbortedError) && !(error instanceof PortClosedError)) {
      session.log('info', `The modem's state after the failure is unknown: ${error instanceof Error ? error.message : String(error)}`);
    }
    return false;
  }
}
