import * as vscode from 'vscode';
import { isBoardAtRepl, offerMirrorMode, UNPLUG_AFTER_MIRROR } from './boardAtRepl';
import type { GlueCommand } from './glueCommand';
import { createEngineFor, resolvePort, runOperation, showFailure } from './operation';
import type { ExtensionServices } from '../glue/services';
import { modemStateWords } from '../views/panelEvents';
import type { ModemState, ModemVersionReport } from '../core/parse/modemVersion';

export const readModemInfoCommand: GlueCommand = {
  id: 'pycomModem.readModemInfo',
  async run(services, portArgument) {
    const portPath = await resolvePort(services, portArgument);
    if (!portPath) return undefined;
    let outcome = await readInfo(services, portPath, false);
    let isViaBoard = false;
    if (!outcome.ok && isBoardAtRepl(outcome.error)) {
      // The board's own updater reads the modem from its REPL and returns to it: no mirror
      // mode, nothing to unplug. Mirror mode is offered only where it could not tell.
      const onBoard = await readInfoOnBoard(services, portPath);
      if (onBoard.ok && onBoard.value.state !== undefined) {
        const { state, report } = onBoard.value;
        void vscode.window.showInformationMessage(
          `${describe(state, report).join(' · ')}. Read by the board's updater (sqnsupgrade.info()); the board stays at its REPL.`,
        );
        return { state, report };
      }
      services.output.info(
        `The board's updater could not tell the modem's state${onBoard.ok ? ` (${onBoard.value.failure ?? 'no state reported'})` : ''}; mirror mode can read it.`,
      );
      if (!(await offerMirrorMode(services, portPath, 'read the modem'))) return undefined;
      isViaBoard = true;
      outcome = await readInfo(services, portPath, true);
    }
    if (!outcome.ok) {
      await showFailure(services, outcome.error, 'Reading the modem', portPath);
      return undefined;
    }
    const { state, report } = outcome.value;
    void vscode.window.showInformationMessage(`${describe(state, report).join(' · ')}${isViaBoard ? `. ${UNPLUG_AFTER_MIRROR}` : ''}`);
    return outcome.value;
  },
};

function describe(state: ModemState, report: ModemVersionReport | undefined): string[] {
  const version = report?.lrVersion ?? report?.softwareVersion;
  return [
    `Modem: ${modemStateWords(state)}`,
    version ? `firmware ${version}${report?.softwareBuild ? ` (build ${report.softwareBuild})` : ''}` : undefined,
    report?.imei ? `IMEI ${report.imei}` : undefined,
    report?.needsRecoveryBootromUpgrade ? 'old 33080 bootrom: the next upgrade needs updater.elf' : undefined,
  ].filter((part): part is string => part !== undefined);
}

function readInfoOnBoard(services: ExtensionServices, portPath: string) {
  return runOperation(
    services,
    { kind: 'info', title: "Modem info (board's updater)", portPath, showPanel: false, progressTitle: `Reading the modem through the board on ${portPath}` },
    async ({ core, signal, attach, record }) => {
      const engine = createEngineFor(services, core, portPath);
      attach(engine);
      const info = await engine.infoOnBoard({ port: await services.ownerFor(portPath) }, signal);
      record({
        kind: 'result',
        outcome: 'success',
        message: info.state !== undefined ? `Modem state ${info.state} (read by the board's updater)` : `The board's updater could not tell the modem's state`,
        atMs: Date.now(),
      });
      return info;
    },
  );
}

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
      const info = await engine.info({ port: await services.ownerFor(portPath), ...(viaBoard ? { viaBoard } : {}) }, signal);
      if (!session.events.some((e) => e.kind === 'modemState')) {
        record({ kind: 'modemState', state: info.state, atMs: Date.now() });
      }
      record({ kind: 'result', outcome: 'success', message: `Modem state ${info.state}`, atMs: Date.now() });
      return info;
    },
  );
}
