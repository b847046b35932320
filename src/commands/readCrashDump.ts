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
      if (!(await offerMirrorMode(services, portPath, 'read the crash dump'))) return undefined;
      outcome = await readDump(services, portPath, true);
    }
    if (!outcome.ok) {
      await showFailure(services, outcome.error, 'Reading the crash dump', portPath);
      return undefined;
    }
    const afterwards = isViaBoard ? ` ${UNPLUG_AFTER_MIRROR}` : '';
    const dump = outcome.value;
    if (!dump) {
      void vscode.window.showInformationMessage(`The modem has no crash dump.${afterwards}`);
      return undefined;
    }
    const where = dump.file ? `${dump.file}${dump.line !== undefined ? `:${dump.line}` : ''}` : 'unknown place';
    void vscode.window.showInformationMessage(
      `Modem crash in ${where}${dump.build ? ` (build ${dump.build})` : ''}. The upgrade panel shows the details.${afterwards}`,
    );
    return dump;
  },
};

function readDump(services: ExtensionServices, portPath: string, viaBoard: boolean) {
  return runOperation(
    services,
    {
      kind: 'crashDump',
      title: viaBoard ? 'Crash dump (via the board)' : 'Crash dump',
      portPath,
      showPanel: true,
      progressTitle: viaBoard
        ? `Putting the board on ${portPath} in mirror mode to read the modem crash dump`
        : `Reading the modem crash dump on ${portPath}`,
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
