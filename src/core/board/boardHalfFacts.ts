import type { PreflightBoard, PreflightFacts } from '../preflight/preflightFacts';
import { preflightModem } from '../preflight/upgradeFilesFacts';
import type { BoardIdentity } from './boardIdentity';
import type { BoardModemRead } from './boardModemRead';

/**
 * What the board half knows before it looks at any file, for the checks: the board as it
 * named itself, and the modem as the board's own updater read it (left out when unread).
 * The USB upgrade and the on-board methods add their files to it.
 */
export function boardHalfFacts(identity: BoardIdentity, read: BoardModemRead | undefined): Pick<PreflightFacts, 'modem'> & { board: PreflightBoard } {
  const modem = read ? preflightModem(read.info.state, read.info.report) : {};
  return {
    ...(Object.keys(modem).length ? { modem } : {}),
    board: {
      machine: identity.machine,
      release: identity.release,
      hasLteModem: identity.hasLteModem,
      hasSqnsupgrade: identity.hasSqnsupgrade,
      flashFreeBytes: identity.flashFreeBytes,
    },
  };
}
