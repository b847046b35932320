import * as vscode from 'vscode';
import { isBoardAtRepl, offerMirrorMode, UNPLUG_AFTER_MIRROR } from './boardAtRepl';
import type { GlueCommand } from './glueCommand';
import { createEngineFor, resolvePort, runOperation, showFailure } from './operation';
import type { ExtensionServices } from '../glue/services';

export const readCrashDumpCommand: GlueCommand = {
  id: 'pycomModem.readCrashDump',
  async run(services, portArgument) {
    const portPath = await resolvePort(services, portArgument);
    if (!portPath) return undefined;
    let outcome = await readDump(services, portPath, false);
    const isViaBoard = !outcome.ok && isBoardAtRepl(outcome.error);
    if (isViaBoard) {
      if (!(await offerMirrorMode(services, portPath, vscode.l10n.t('read the crash dump')))) return undefined;
      outcome = await readDump(services, portPath, true);
    }
    if (!outcome.ok) {
      await showFailure(services, outcome.error, vscode.l10n.t('Reading the crash dump'), portPath);
      return undefined;
    }
    const afterwards = isViaBoard ? ` ${UNPLUG_AFTER_MIRROR}` : '';
    const dump = outcome.value;
    if (!dump) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The modem has no crash dump.{0}', afterwards));
      return undefined;
    }
    const where = dump.file ? `${dump.file}${dump.line !== undefined ? `:${dump.line}` : ''}` : vscode.l10n.t('unknown place');
    const crash = dump.build ? vscode.l10n.t('Modem crash in {0} (build {1}).', where, dump.build) : vscode.l10n.t('Modem crash in {0}.', where);
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} The upgrade panel shows the details.{1}', crash, afterwards));
    return dump;
  },
};

function readDump(services: ExtensionServices, portPath: string, viaBoard: boolean) {
  return runOperation(
    services,
    {
      kind: 'crashDump',
      title: viaBoard ? vscode.l10n.t('Crash dump (via the board)') : vscode.l10n.t('Crash dump'),
      portPath,
      showPanel: true,
      progressTitle: viaBoard
        ? vscode.l10n.t('Putting the board on {0} in mirror mode to read the modem crash dump', portPath)
        : vscode.l10n.t('Reading the modem crash dump on {0}', portPath),
    },
    async ({ core, signal, attach, record, session }) => {
      const engine = createEngineFor(services, core, portPath);
      attach(engine);
      const dump = await engine.readCrashDump({ port: await services.ownerFor(portPath), ...(viaBoard ? { viaBoard } : {}) }, signal);
      // The card needs a crashDump event; an engine that only returned the dump gets one recorded.
      if (dump && !session.events.some((e) => e.kind === 'crashDump')) {
        record({ kind: 'crashDump', dump, atMs: Date.now() });
      }
      record({
        kind: 'result',
        outcome: 'success',
        message: dump ? 'Crash dump read.' : 'The modem has no crash dump.',
        atMs: Date.now(),
      });
      return dump;
    },
  );
}
