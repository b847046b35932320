import { DEFAULT_BUILD, DEFAULT_IMEI, ati1Lines } from '../modem/modemIdentity';
import type { BoardFault, BoardModemActions, ModemFacts } from './boardOptions';
import type { AskAnswer } from './micropythonHost';

/** What the board's Python may learn or order through `_simhost.ask()`. */
export interface BoardAnswerSources {
  modemFacts?: () => ModemFacts;
  modemActions?: BoardModemActions;
  faults: ReadonlySet<BoardFault>;
  lteAutostart: boolean;
  log?: (line: string) => void;
}

/**
 * Answers the updater stand-in's questions: facts it would learn over the modem UART
 * (`fact`), the board faults in play (`fault`), and the modem steps it takes itself
 * (`modem:<action>`). Synchronous: the board's code waits for the answer.
 */
export function answerBoardQuestion(what: string, arg: string | null, sources: BoardAnswerSources): AskAnswer {
  if (what === 'fault') return arg !== null && sources.faults.has(arg as BoardFault);
  if (what === 'fact') return arg === null ? null : modemFact(arg, sources);
  if (what.startsWith('modem:')) return modemAction(what.slice('modem:'.length), arg, sources);
  return null;
}

function modemFact(name: string, sources: BoardAnswerSources): AskAnswer {
  if (name === 'lteAutostart') return sources.lteAutostart;
  const facts = sources.modemFacts?.();
  if (!facts) return null;
  switch (name) {
    case 'modemState':
      return facts.state;
    case 'hasOldBootrom':
      return facts.hasOldBootrom;
    case 'modemAnswers':
      return facts.isAnswering ?? true;
    case 'imei':
      return facts.imei ?? DEFAULT_IMEI;
    case 'ati1':
      // The same lines the modem's ATI1 gives, so the board's info() and the host agree.
      return ati1Lines({ network: facts.network ?? 'CAT-M1', build: facts.build ?? DEFAULT_BUILD, hasOldBootrom: facts.hasOldBootrom, imei: '' }).join('\n');
    default:
      return null;
  }
}

function modemAction(action: string, arg: string | null, sources: BoardAnswerSources): AskAnswer {
  const actions = sources.modemActions;
  if (!actions) return false;
  if (action !== 'at' && action !== 'stp-block') sources.log?.(`board updater: ${action}`);
  switch (action) {
    case 'load-updater':
      return actions.loadUpdater(hexToBytes(arg ?? ''));
    case 'rewrite-bootrom':
      return actions.rewriteBootrom();
    case 'switch-ffh':
      return actions.switchToFfh();
    case 'at':
      return actions.at?.(arg ?? '') ?? null;
    case 'stp-block': {
      // -1: the modem did not take the block (the board prints "Code download failed").
      const answer = actions.stpBlock?.(hexToBytes(arg ?? '')) ?? 'failed';
      return answer === 'failed' ? -1 : answer;
    }
    case 'stp-end':
      return actions.stpEnd?.() ?? false;
    default:
      return false;
  }
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(Math.floor(hex.length / 2));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16) || 0;
  return bytes;
}
