import { parseCrashDump, type CrashDump } from '../../parse/crashDump';
import type { UpgradeSession } from '../upgradeSession';

export const CRASH_DUMP_PATH = '/fs/crashdump';

/**
 * Reads /fs/crashdump (PROTOCOL.md §4) and emits it. Undefined when the modem has no
 * dump or refuses the command (the bootrom does).
 */
export async function readCrashDump(session: UpgradeSession, timeoutMs: number): Promise<CrashDump | undefined> {
  const { data, reply } = await session.at.readBinaryFile(CRASH_DUMP_PATH, { timeoutMs, signal: session.signal });
  if (!reply.isOk || data.length === 0) {
    session.log('info', `No crash dump: AT+FSRDFILE answered ${reply.final || 'nothing'}.`);
    return undefined;
  }
  const dump = parseCrashDump(data);
  session.emit({ kind: 'crashDump', dump });
  return dump;
}

/** Step "crash-dump" after a failure: best effort, under a short deadline, never throws. */
export async function readCrashDumpAfterFailure(session: UpgradeSession): Promise<CrashDump | undefined> {
  try {
    return await session.step('crash-dump', () => readCrashDump(session, session.timeouts.crashDumpMs));
  } catch (error) {
    session.log('info', `Could not read the crash dump: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}
