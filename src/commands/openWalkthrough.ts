import * as vscode from 'vscode';
import type { GlueCommand } from './glueCommand';

/** `<publisher>.<name>#<walkthrough id>`, as package.json contributes it (a test checks). */
export const WALKTHROUGH_ID = 'pycom-modem-tools.pycom-modem-upgrader#pycomModem.gettingStarted';

/** Opens the getting-started walkthrough: serial access, firmware, simulator, upgrade. */
export const openWalkthroughCommand: GlueCommand = {
  id: 'pycomModem.openWalkthrough',
  run() {
    return vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  },
};
