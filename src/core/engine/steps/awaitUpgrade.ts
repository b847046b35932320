import { GarbledReplyError } from '../../at/atErrors';
import type { AtReply } from '../../at/atReply';
import { ReadTimeoutError } from '../../errors';
import { parseSmupgradeStatus } from '../../parse/modemReplies';
import { abortableDelay } from '../../time/abortableDelay';
import { Deadline } from '../../time/deadline';
import { ModemUpgradeFailedError } from '../upgradeErrors';
import { ADD_UPDATER, READ_CRASH_DUMP, READ_INFO, type UserAction } from '../../userActions';
import { PUBLISHED_UPDATER_WAITS, wholeMinutes } from '../upgradeTimeouts';
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

function failureAdvice(text: string): { action: string; actions: UserAction[] } {
  if (isPatchFailure(text)) {
    return {
      action:
        "The diff file does not match the build the modem runs. Read the modem's info to see its build, then use the upgdiff_<that build>-to-<target>.dup file or the full image (CATM1-<build>.dup / NB1-<build>.dup).",
      actions: [READ_INFO],
    };
  }
  // The modem has finished and said so: nothing is being written any more.
  return {
    action:
      'The modem has finished and reported the failure, so a power cycle is safe now: power-cycle the board, read the crash dump and run the upgrade again with the full image; if the modem then answers only AT and AT+SMOD?, add updater.elf (recovery).',
    actions: [READ_CRASH_DUMP, ADD_UPDATER],
  };
}

/** Advice once the post-transfer wake-up ran out: only then is a power cycle no longer a risk of its own. */
export function silentAfterTransferAction(waitedMs: number): string {
  return (
    `The modem stayed silent for ${wholeMinutes(waitedMs)} minutes after the transfer, as long as the published updater waits before giving up. ` +
    "Only now power-cycle the board (unplug, plug back), put it in mirror mode and read the modem's info: in upgrade mode (state 4) run the same upgrade again to resume; " +
    'in its recovery bootrom (state 0) use the full .dup image with updater.elf.'
  );
}

/** The steps silentAfterTransferAction names. */
export const SILENT_AFTER_TRANSFER_ACTIONS: UserAction[] = [READ_INFO, ADD_UPDATER];

/**
 * Step "await-upgrade" (PROTOCOL.md §2 step 8): wake the modem (it may be busy writing
 * its flash for a long time: the published updater probes ~35 minutes), then poll
 * AT+SMUPGRADE? until a +SMUPGRADE: line names success or failure. Silence, "No report"
 * and "on-going" mean: ask again, until the polling budget, which starts once the modem answers.
 */
export function awaitUpgradeResult(session: UpgradeSession): Promise<string> {
  return session.step('await-upgrade', async () => {
    session.standing = session.standing === 'partialTransfer' || session.standing === 'preparing' || session.standing === 'stagedPartly' ? 'applying' : session.standing;
    const wakeDeadline = Deadline.in(session.timeouts.postTransferWakeMs, 'the modem after the transfer');
    await wakeModem(session, {
      deadline: wakeDeadline,
      wait: { step: 'await-upgrade', phase: 'post-transfer-wake' },
      silentAction: silentAfterTransferAction(wakeDeadline.budgetMs),
      silentActions: SILENT_AFTER_TRANSFER_ACTIONS,
    });
    const deadline = Deadline.in(session.timeouts.applyMs, 'upgrade result');
    let lastText = '';
    const result = await session.whileWaiting(
      'await-upgrade',
      'smupgrade-poll',
      async () => {
        while (!deadline.isExpired()) {
          const reply = await pollOrWake(session, 'AT+SMUPGRADE?', deadline).catch((error: unknown) => {
            // The apply deadline ran out with a poll in flight: that is this step's own timeout, whose error names the last answer.
            if (deadline.isExpired() && (error instanceof ReadTimeoutError || error instanceof GarbledReplyError)) return undefined;
            throw error;
          });
          if (!reply) continue;
          const status = reply.isOk ? parseSmupgradeStatus(reply.lines) : { status: 'pending' as const, text: replyText(reply) };
          if (status.status !== 'pending') return status;
          if (status.text !== lastText) session.waiting('await-upgrade', `modem says: ${status.text || '(no report yet)'}`);
          lastText = status.text;
          // The poll interval is the protocol's own pacing, not a race workaround.
          await abortableDelay(Math.min(session.timeouts.pollIntervalMs, deadline.remainingMs()), session.signal);
        }
        return undefined;
      },
      { budgetMs: deadline.budgetMs },
    );
    if (result?.status === 'success') return result.text;
    if (result?.status === 'fail') {
      if (isPatchFailure(result.text)) session.standing = 'keptOld';
      const advice = failureAdvice(result.text);
      throw new ModemUpgradeFailedError(result.text, advice.action, { actions: advice.actions });
    }
    throw new ModemUpgradeFailedError(
      `no +SMUPGRADE result within ${formatMinutes(session.timeouts.applyMs)} (last answer: ${lastText || 'none'})`,
      `The modem answers but has reported no result for longer than the published updater polls (${formatMinutes(PUBLISHED_UPDATER_WAITS.smupgradePollMs)}). ` +
        "Leave the board powered 10 more minutes, then power-cycle it and read the modem's info; if the modem is in upgrade mode (state 4) run the same upgrade again to resume.",
      { actions: [READ_INFO] },
    );
  });
}

function formatMinutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 6_000) / 10} min` : `${Math.round(ms / 1000)} s`;
}
