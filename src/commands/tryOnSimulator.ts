import * as vscode from 'vscode';
import { join } from 'node:path';
import type { GlueCommand } from './glueCommand';
import { SIMULATED_PORT_PATH } from '../glue/portProviders';
import { upgradeModemCommand } from './upgradeModem';

/** The whole upgrade against the simulated GPy with a synthetic image: see it work before touching a board. */
export const tryOnSimulatorCommand: GlueCommand = {
  id: 'pycomModem.tryOnSimulator',
  async run(services) {
    const core = await services.loadCore();
    const folder = join(services.storageUri.fsPath, 'demo');
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(folder));
    const firmwarePath = await core.writeDemoFirmware(folder);
    return upgradeModemCommand.run(services, { portPath: SIMULATED_PORT_PATH, files: [firmwarePath] });
  },
};
