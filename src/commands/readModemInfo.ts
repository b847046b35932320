import * as vscode from 'vscode';
import { isBoardAtRepl, offerMirrorMode, UNPLUG_AFTER_MIRROR } from './boardAtRepl';
import type { GlueCommand } from './glueCommand';
import { createEngineFor, resolvePort, runOperation, showFailure } from './operation';
import type { ExtensionServices } from './services';
import { modemStateWords } from '../views/panelEvents';

export const readModemInfoCommand: GlueCommand = {
  id: 'pycomModem.readModemInfo',
  async run(services, portArgument) {
    const portPath = await resolvePort(services, portArgument);
    if (!portPath) return undefined;
    let outcome = await readInfo(services, portPath, false);
    const isViaBoard = !outcome.ok && isBoardAtRepl(outcome.error);
    if (isViaBoard) {
      if (!(await offerMirrorMode(services, portPath, 'read the modem'))) return undefined;
      outcome = await readInfo(services, portPath, true);
    }
    if (!outcome.ok) {
      await showFailure(services, outcome.error, 'Reading the modem', portPath);
      return undefined;
    }
    const { state, report } = outcome.value;
    const version = report?.lrVersion ?? report?.softwareVersion;
    const parts = [
      `Modem: ${modemStateWords(state)}`,
      version ? `firmware ${version}${report?.softwareBuild ? ` (build ${report.softwareBuild})` : ''}` : undefined,
      report?.imei ? `IMEI ${report.imei}` : undefined,
      report?.needsRecoveryBootromUpgrade ? 'old 33080 bootrom: the next upgrade needs updater.elf' : undefined,
    ].filter(Boolean);
    void vscode.window.showInformationMessage(`${parts.join(' · ')}${isViaBoard ? `. ${UNPLUG_AFTER_MIRROR}` : ''}`);
    return outcome.value;
  },
};

function readInfo(services: ExtensionServices, portPath: string, viaBoard: boolean) {
  return runOperation(
    services,
    {
      kind: 'info',
      title: viaBoard ? 'Modem info (via the board)' : 'Modem info',
      portPath,
      showPanel: false,
      progressTitle: viaBoard ? `Putting the board on ${portPath} in mirror mode to read the modem` : `Reading the modem on ${portPath}`,
    },
    async ({ core, signal, attach, record, session }) => {
      const engine = createEngineFor(services, core, portPath);
      attach(engine);
      const info = await engine.info({ portPath, opener: await core.openerFor(portPath), ...(viaBoard ? { viaBoard } : {}) }, signal);
      if (!session.events.some((e) => e.kind === 'modemState')) {
        record({ kind: 'modemState', state: info.state, atMs: Date.now() });
      }
      record({ kind: 'result', outcome: 'success', message: `Modem state ${info.state}`, atMs: Date.now() });
      return info;
    },
  );
}
