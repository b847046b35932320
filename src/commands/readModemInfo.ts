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
          vscode.l10n.t("{0}. Read by the board's updater (sqnsupgrade.info()); the board stays at its REPL.", describe(state, report).join(' · ')),
        );
        return { state, report };
      }
      services.output.info(
        `The board's updater could not tell the modem's state${onBoard.ok ? ` (${onBoard.value.failure ?? 'no state reported'})` : ''}; mirror mode can read it.`,
      );
      if (!(await offerMirrorMode(services, portPath, vscode.l10n.t('read the modem')))) return undefined;
      isViaBoard = true;
      outcome = await readInfo(services, portPath, true);
    }
    if (!outcome.ok) {
      await showFailure(services, outcome.error, vscode.l10n.t('Reading the modem'), portPath);
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
    vscode.l10n.t('Modem: {0}', modemStateWords(state)),
    version
      ? report?.softwareBuild
        ? vscode.l10n.t('firmware {0} (build {1})', version, report.softwareBuild)
        : vscode.l10n.t('firmware {0}', version)
      : undefined,
    report?.imei ? vscode.l10n.t('IMEI {0}', report.imei) : undefined,
    report?.needsRecoveryBootromUpgrade ? vscode.l10n.t('old 33080 bootrom: the next upgrade needs updater.elf') : undefined,
  ].filter((part): part is string => part !== undefined);
}

function readInfoOnBoard(services: ExtensionServices, portPath: string) {
  return runOperation(
    services,
    {
      kind: 'info',
      title: vscode.l10n.t("Modem info (board's updater)"),
      portPath,
      showPanel: false,
      progressTitle: vscode.l10n.t('Reading the modem through the board on {0}', portPath),
    },
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
      title: viaBoard ? vscode.l10n.t('Modem info (via the board)') : vscode.l10n.t('Modem info'),
      portPath,
      showPanel: false,
      progressTitle: viaBoard
        ? vscode.l10n.t('Putting the board on {0} in mirror mode to read the modem', portPath)
        : vscode.l10n.t('Reading the modem on {0}', portPath),
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
