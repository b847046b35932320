import * as vscode from 'vscode';
import type { BoardIdentity } from '../glue/modemCore';
import type { ExtensionServices } from '../glue/services';
import { readySimulatedBoard } from './operation';

/** Identifying the board is a few REPL exchanges; longer means it is not answering. */
const IDENTIFY_TIMEOUT_MS = 15_000;

/** The board on a port names itself (model, firmware, LTE modem), after a simulated one left spent is power-cycled. */
export async function identifyBoardOn(
  services: ExtensionServices,
  portPath: string,
): Promise<{ board?: BoardIdentity; error?: string; cause?: unknown; powerCycleNote?: string }> {
  const core = await services.loadCore();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('the board did not answer in time')), IDENTIFY_TIMEOUT_MS);
  let powerCycleNote: string | undefined;
  try {
    const board = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Identifying the board on {0}', portPath) },
      async () => {
        powerCycleNote = await readySimulatedBoard(services, core, portPath);
        return core.identifyBoard({ port: await services.ownerFor(portPath) }, controller.signal);
      },
    );
    await services.selection.noteBoard(portPath, board.name);
    return { board, powerCycleNote };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), cause: error, powerCycleNote };
  } finally {
    clearTimeout(timer);
  }
}
