import * as vscode from 'vscode';
import type { GlueCommand } from './glueCommand';
import { createEngineFor, resolvePort, runOperation, showFailure } from './operation';
import { modemStateWords } from '../views/panelEvents';

export const readModemInfoCommand: GlueCommand = {
  id: 'pycomModem.readModemInfo',
  async run(services, portArgument) {
    const portPath = await resolvePort(services, portArgument);
    if (!portPath) return undefined;
    const outcome = await runOperation(
      services,
      { kind: 'info', title: 'Modem info', portPath, showPanel: false, progressTitle: `Reading the modem on ${portPath}` },
      async ({ core, signal, attach, record, session }) => {
        const engine = createEngineFor(services, core, portPath);
        attach(engine);
        const info = await engine.info({ portPath, opener: await core.openerFor(portPath) }, signal);
        if (!session.events.some((e) => e.kind === 'modemState')) {
          record({ kind: 'modemState', state: info.state, atMs: Date.now() });
        }
        record({ kind: 'result', outcome: 'success', message: `Modem state ${info.state}`, atMs: Date.now() });
        return info;
      },
    );
    if (!outcome.ok) {
      await showFailure(services, outcome.error, 'Reading the modem');
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
    void vscode.window.showInformationMessage(parts.join(' · '));
    return outcome.value;
  },
};
