import type { ModemState } from './modemVersion';

/**
 * Readers for the short replies the upgrade polls (PROTOCOL.md sections 1, 2 and 8).
 * Pure: they take reply lines and never throw; undefined means "not recognised".
 */

const MODEM_STATES: readonly ModemState[] = [0, 1, 2, 4];

/** An AtReply, structurally: parse stays a leaf that imports nothing from the wire layers. */
export interface ReplyLines {
  lines: readonly string[];
}

/** AT+SMOD? answers a bare integer line (`2`); a `+SMOD: 2` form is accepted too. */
export function parseSmodState(reply: ReplyLines | readonly string[]): ModemState | undefined {
  const lines = isReplyLines(reply) ? reply.lines : reply;
  for (const line of lines) {
    const match = /^\s*(?:\+SMOD:\s*)?(\d+)\s*$/i.exec(line);
    if (!match) continue;
    const state = Number(match[1]);
    return (MODEM_STATES as readonly number[]).includes(state) ? (state as ModemState) : undefined;
  }
  return undefined;
}

function isReplyLines(reply: ReplyLines | readonly string[]): reply is ReplyLines {
  return !Array.isArray(reply);
}

export type SmupgradeStatus = 'pending' | 'success' | 'fail';

/**
 * AT+SMUPGRADE? while the modem works: an empty reply, `No report` or `on-going` mean
 * ask again; a `+SMUPGRADE:` line naming success or failure ends the wait
 * (e.g. `failure[diffUpgrade,239] Patch didn't apply!`). No line at all is pending, not a crash.
 */
export function parseSmupgradeStatus(lines: readonly string[]): { status: SmupgradeStatus; text: string } {
  for (const line of lines) {
    // Trimmed in code: a lazy `(.*?)\s*$` backtracked quadratically on inner runs of spaces.
    const match = /^\s*\+SMUPGRADE:(.*)$/i.exec(line);
    if (!match) continue;
    const text = match[1]!.trim();
    if (/\bfail/i.test(text)) return { status: 'fail', text };
    if (/\bsuccess/i.test(text)) return { status: 'success', text };
    return { status: 'pending', text };
  }
  const text = lines.map((line) => line.trim()).filter(Boolean).join(' ');
  return { status: 'pending', text };
}

export type SmswbootMode = 'RECOVERY' | 'FFH' | 'FFF' | 'UPDATER';

/** The exact text of AT+SMSWBOOT? is undocumented: the first mode name anywhere in it. */
export function parseSmswbootMode(text: string | readonly string[]): SmswbootMode | undefined {
  const joined = typeof text === 'string' ? text : text.join('\n');
  const match = /\b(RECOVERY|FFH|FFF|UPDATER)\b/i.exec(joined);
  return match ? (match[1]!.toUpperCase() as SmswbootMode) : undefined;
}
