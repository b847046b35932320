import * as vscode from 'vscode';
import type { GlueCommand } from './glueCommand';
import { createEngineFor, resolvePort, runOperation, showFailure } from './operation';

export const readCrashDumpCommand: GlueCommand = {
  id: 'pycomModem.readCrashDump',
  async run(services, portArgument) {
    const portPath = await resolvePort(services, portArgument);
    if (!portPath) return undefined;
    const outcome = await runOperation(
      services,
      { kind: 'crashDump', title: 'Crash dump', portPath, showPanel: true, progressTitle: `Reading the modem crash dump on ${portPath}` },
      async ({ core, signal, attach, record, session }) => {
        const engine = createEngineFor(services, core, portPath);
        attach(engine);
        const dump = await engine.readCrashDump({ portPath, opener: await core.openerFor(portPath) }, signal);
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
    if (!outcome.ok) {
      await showFailure(services, outcome.error, 'Reading the crash dump');
      return undefined;
    }
    const dump = outcome.value;
    if (!dump) {
      void vscode.window.showInformationMessage('The modem has no crash dump.');
      return undefined;
    }
    const where = dump.file ? `${dump.file}${dump.line !== undefined ? `:${dump.line}` : ''}` : 'unknown place';
    void vscode.window.showInformationMessage(
      `Modem crash in ${where}${dump.build ? ` (build ${dump.build})` : ''}. The upgrade panel shows the details.`,
    );
    return dump;
  },
};
