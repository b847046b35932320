import type { UpgradeSession } from '../upgradeSession';

/** Step "apply" (FFF only, PROTOCOL.md §2 step 7): the staged file is applied; its reply is read, not assumed. */
export function applyStagedFirmware(session: UpgradeSession): Promise<void> {
  return session.step('apply', async () => {
    // Once AT+SMUPGRADE is out the modem may be applying the staged file, OK or not yet.
    session.standing = 'applying';
    await session.commandExpectingOk(
      'AT+SMUPGRADE',
      'The modem did not accept the staged firmware. Power-cycle the board and run the upgrade again; if it fails again, use the full image.',
    );
  });
}
