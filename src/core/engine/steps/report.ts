import { buildModemVersionReport, type ModemVersionReport } from '../../parse/modemVersion';
import type { UpgradeSession } from '../upgradeSession';
import { replyText } from '../upgradeSession';

/**
 * PROTOCOL.md §2 step 12: AT+CGSN, ATI1 and AT!="showver". Each may answer ERROR (the
 * updater knows fewer commands): the report is built from what did answer.
 */
export async function readVersionReport(session: UpgradeSession): Promise<ModemVersionReport> {
  const lines = async (command: string): Promise<string[] | undefined> => {
    const reply = await session.command(command);
    if (reply.isOk) return reply.lines;
    session.log('warn', `${command} answered ${replyText(reply)}.`);
    return undefined;
  };
  const imeiLines = await lines('AT+CGSN');
  const ati1Lines = await lines('ATI1');
  const showverLines = await lines('AT!="showver"');
  return buildModemVersionReport({
    ...(imeiLines ? { imeiLines } : {}),
    ...(ati1Lines ? { ati1Lines } : {}),
    ...(showverLines ? { showverText: showverLines.join('\n') } : {}),
  });
}

/** Step "report": the version after the upgrade. */
export function reportVersion(session: UpgradeSession): Promise<ModemVersionReport> {
  return session.step('report', async () => {
    const report = await readVersionReport(session);
    session.emit({ kind: 'modemInfo', phase: 'after', report });
    return report;
  });
}

/**
 * The modem checked the image and booted it, so a different build than the file's name
 * promises means a misnamed file (or a modem that kept its old firmware without saying
 * so): worth a warning, not a failure, since the modem runs a firmware it accepted.
 */
export function warnOnUnexpectedBuild(
  session: Pick<UpgradeSession, 'log'>,
  expected: { build: number; fileName: string } | undefined,
  actualBuild: number | undefined,
): void {
  if (!expected || actualBuild === undefined || actualBuild === expected.build) return;
  session.log(
    'warn',
    `The modem reports build ${actualBuild} after the upgrade, but ${expected.fileName} should have installed build ${expected.build}. ` +
      `The modem runs a firmware it checked and accepted; the file's name may not match its contents. Check where the file came from before upgrading again.`,
  );
}
