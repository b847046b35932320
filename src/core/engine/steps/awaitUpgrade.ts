import { GarbledReplyError } from '../../at/atErrors';
import type { AtReply } from '../../at/atReply';
import { ReadTimeoutError } from '../../errors';
import { parseSmupgradeStatus } from '../../parse/modemReplies';
import { abortableDelay } from '../../time/abortableDelay';
import { Deadline } from '../../time/deadline';
import { ModemUpgradeFailedError } from '../upgradeErrors';
import type { UpgradeSession } from '../upgradeSession';
import { replyText } from '../upgradeSession';
import { wakeModem } from './wakeModem';

/**
 * One poll. The modem reboots by itself while it applies (FFF) or boots: a poll that
 * meets silence is not a failure, it means "wake it again and keep asking" until the
 * step's deadline. Undefined when the poll went unanswered.
 */
export async function pollOrWake(session: UpgradeSession, command: string, deadline: Deadline): Promise<AtReply | undefined> {
  try {
    return await session.command(command, { deadline: deadline.within(session.timeouts.atReplyMs) });
  } catch (error) {
    if (!(error instanceof ReadTimeoutError) && !(error instanceof GarbledReplyError)) throw error;
    if (deadline.isExpired()) throw error;
    session.log('info', `${command} went unanswered (the modem is probably rebooting); waking it again.`);
    await wakeModem(session, { deadline });
    return undefined;
  }
}

function isPatchFailure(text: string): boolean {
  return /patch didn'?t apply|diffUpgrade/i.test(text);
}

function actionForFailure(text: string): string {
  if (isPatchFailure(text)) {
    return 'The diff file does not match the build the modem runs. Run `pycom-modem info` to see its build, then use the upgdiff_<that build>-to-<target>.dup file or the full image (CATM1-<build>.dup / NB1-<build>.dup).';
  }
  return 'Power-cycle the board, read the crash dump (`pycom-modem crashdump --port …`) and run the upgrade again with the full image; if the modem then answers only AT and AT+SMOD?, add --updater updater.elf (recovery).';
}

/**
 * Step "await-upgrade" (PROTOCOL.md §2 step 8): wake the modem, then poll
 * AT+SMUPGRADE? until a +SMUPGRADE: line names success or failure. Silence, "No
 * report" and "on-going" mean: ask again, until the apply deadline.
 */
export function awaitUpgradeResult(session: UpgradeSession): Promise<string> {
  return session.step('await-upgrade', async () => {
    session.standing = session.standing === 'partialTransfer' || session.standing === 'preparing' || session.standing === 'stagedPartly' ? 'applying' : session.standing;
    const deadline = Deadline.in(session.timeouts.applyMs, 'upgrade result');
    session.waiting('await-upgrade', 'waiting for the modem to answer after the transfer');
    await wakeModem(session, { deadline });
    let lastText = '';
    while (!deadline.isExpired()) {
      const reply = await pollOrWake(session, 'AT+SMUPGRADE?', deadline).catch((error: unknown) => {
        // The apply deadline ran out with a poll in flight: that is this step's own timeout, whose error names the last answer.
        if (deadline.isExpired() && (error instanceof ReadTimeoutError || error instanceof GarbledReplyError)) return undefined;
        throw error;
      });
      if (!reply) continue;
      const result = reply.isOk ? parseSmupgradeStatus(reply.lines) : { status: 'pending' as const, text: replyText(reply) };
      if (result.status === 'success') return result.text;
      if (result.status === 'fail') {
        if (isPatchFailure(result.text)) session.standing = 'keptOld';
        throw new ModemUpgradeFailedError(result.text, actionForFailure(result.text));
      }
      if (result.text !== lastText) session.waiting('await-upgrade', `modem says: ${result.text || '(no report yet)'}`);
      lastText = result.text;
      // The poll interval is the protocol's own pacing, not a race workaround.
      await abortableDelay(Math.min(session.timeouts.pollIntervalMs, deadline.remainingMs()), session.signal);
    }
    throw new ModemUpgradeFailedError(
      `no +SMUPGRADE result within ${Math.round(session.timeouts.applyMs / 1000)} s (last answer: ${lastText || 'none'})`,
      'Leave the board powered a few more minutes, then power-cycle it and run `pycom-modem info`; if the modem is in upgrade mode (state 4) run the same upgrade again to resume.',
    );
  });
}
