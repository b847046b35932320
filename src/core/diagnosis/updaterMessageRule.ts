import { updaterMessageById } from '../parse/updaterMessages';
import type { DiagnosisRule } from './diagnosisRules';
import type { DiagnosisEvidence } from './evidence';
import { errorLine, printable } from './evidenceReading';

function saidFailure(e: DiagnosisEvidence) {
  const message = e.updaterMessageId === undefined ? undefined : updaterMessageById(e.updaterMessageId);
  return message?.severity === 'failure' ? message : undefined;
}

/** Where the board is, from what its updater printed: only mirror mode needs a power-cycle to leave. */
function boardStanding(e: DiagnosisEvidence): string {
  switch (e.boardStateAfter) {
    case 'repl':
      return ' The board is back at its REPL: no power-cycle is needed to leave it.';
    case 'mirror':
      return ' The board is in mirror mode, which only a power-cycle ends.';
    default:
      return '';
  }
}

/**
 * The board's own updater printed why it stopped (PROTOCOL.md §9): its words name the
 * cause better than any timeout or traceback the tool saw after them.
 */
export const UPDATER_MESSAGE_RULE: DiagnosisRule = {
  cause: 'board-updater-said',
  matches: (e) => saidFailure(e) !== undefined,
  title: (e) => saidFailure(e)!.title,
  action: (e) => `${saidFailure(e)!.action}${boardStanding(e)}`,
  evidenceLines: (e) => [
    ...(e.updaterLine ? [`The board's updater printed: ${printable(e.updaterLine)}`] : [`The board's updater printed: ${saidFailure(e)!.printed}`]),
    ...errorLine(e),
  ],
};
