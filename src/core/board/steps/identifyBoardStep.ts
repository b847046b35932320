import type { StepRunner } from '../../engine/stepRunner';
import type { RawRepl } from '../../repl/rawRepl';
import { identifyBoard, type BoardIdentity } from '../boardIdentity';
import { NoLteModemError } from '../boardErrors';
import { SqnsupgradeMissingError } from '../boardUpgradeTrigger';

/**
 * Step "board-identify": the board's model, firmware and /flash; a board without an LTE
 * modem, or without sqnsupgrade (unless its files will be copied first), stops here.
 */
export function identifyBoardStep(
  steps: StepRunner,
  repl: RawRepl,
  options: { signal: AbortSignal; willCopySqnsupgrade?: boolean },
): Promise<BoardIdentity> {
  return steps.run(
    'board-identify',
    async () => {
      const found = await identifyBoard(repl, { signal: options.signal });
      if (!found.hasLteModem) throw new NoLteModemError(found);
      if (!found.hasSqnsupgrade && !options.willCopySqnsupgrade) throw new SqnsupgradeMissingError(found.release);
      return found;
    },
    {
      whenDone: (id) =>
        `${id.machine}, firmware ${id.release}, /flash ${Math.round(id.flashFreeBytes / 1024)} of ${Math.round(id.flashTotalBytes / 1024)} KiB free` +
        (id.hasSqnsupgrade ? '' : ', no sqnsupgrade module'),
    },
  );
}
