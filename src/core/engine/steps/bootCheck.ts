import { parseSmswbootMode } from '../../parse/modemReplies';
import { abortableDelay } from '../../time/abortableDelay';
import { Deadline } from '../../time/deadline';
import type { UpgradeSession } from '../upgradeSession';
import { pollOrWake } from './awaitUpgrade';

/** Boot modes that mean the upgrade left the modem bootable (PROTOCOL.md §2 step 9). */
const SETTLED_MODES = new Set(['RECOVERY', 'FFH', 'FFF']);

/**
 * Step "boot-check": poll AT+SMSWBOOT? (the published updater: up to 300 s) until its answer names RECOVERY, FFH or FFF.
 * The text of that reply is undocumented, so the mode name is looked for anywhere.
 * A modem that never names one is reported but does not fail a finished upgrade.
 */
export function checkBootMode(session: UpgradeSession): Promise<string | undefined> {
  return session.step('boot-check', async () => {
    const deadline = Deadline.in(session.timeouts.bootCheckMs, 'boot mode');
    let lastText = '';
    const settled = await session.whileWaiting(
      'boot-check',
      'smswboot-poll',
      async () => {
        while (!deadline.isExpired()) {
          const reply = await pollOrWake(session, 'AT+SMSWBOOT?', deadline);
          if (!reply) continue;
          const text = [...reply.lines, reply.final].join('\n');
          const mode = reply.isOk ? parseSmswbootMode(text) : undefined;
          if (mode && SETTLED_MODES.has(mode)) return mode;
          if (text !== lastText) session.waiting('boot-check', `modem boot mode: ${mode ?? text.replace(/\n/g, ' | ')}`);
          lastText = text;
          await abortableDelay(Math.min(session.timeouts.pollIntervalMs, deadline.remainingMs()), session.signal);
        }
        return undefined;
      },
      { budgetMs: deadline.budgetMs },
    );
    if (settled) return settled;
    session.log('warn', `AT+SMSWBOOT? never named RECOVERY, FFH or FFF (last answer: ${lastText}); continuing.`);
    return undefined;
  });
}
