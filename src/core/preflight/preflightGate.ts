import { UsageError } from '../errors';
import type { PreflightResult } from './preflightFacts';
import { uniqueActions } from '../userActions';

/**
 * Asked once per run with the warnings not yet confirmed (a network switch, an unknown
 * file name): true goes on. Each front end asks its own way (a flag, a prompt, a dialog).
 */
export type ConfirmWarnings = (warnings: readonly PreflightResult[]) => Promise<boolean>;

/** A check failed: nothing was sent, nothing changed. */
export class PreflightRefusedError extends UsageError {
  constructor(readonly results: readonly PreflightResult[]) {
    const failed = results.filter((result) => result.status === 'fail');
    super(
      `Refused before anything changed: ${failed.map((result) => result.detail.replace(/\.?$/, '.')).join(' ')}`,
      [...new Set(failed.map((result) => result.action).filter(Boolean))].join(' ') || 'Fix what the checks name, then run the upgrade again.',
      { actions: uniqueActions(failed.flatMap((result) => result.actions ?? [])) },
    );
  }
}

/** Warnings that nobody confirmed: the run stops before anything changed. */
export class PreflightNotConfirmedError extends UsageError {
  constructor(readonly warnings: readonly PreflightResult[]) {
    super(
      `Not started: ${warnings.length === 1 ? 'a warning was' : `${warnings.length} warnings were`} not confirmed: ${warnings
        .map((result) => result.detail.replace(/\.?$/, '.'))
        .join(' ')}`,
      'Read the warnings; to go on anyway, confirm them and run the upgrade again.',
    );
  }
}

function warningKey(result: PreflightResult): string {
  return `${result.id}\u0000${result.detail}`;
}

/**
 * The one gate every front end passes through before anything irreversible: a failure
 * refuses, a warning needs a confirmation. `confirmed` remembers what was confirmed earlier
 * in the same run (the board half's checks, then the host half's with the modem read).
 */
export async function passPreflightGate(
  results: readonly PreflightResult[],
  options: { confirm?: ConfirmWarnings; confirmed?: Set<string> } = {},
): Promise<void> {
  if (results.some((result) => result.status === 'fail')) throw new PreflightRefusedError(results);
  const confirmed = options.confirmed ?? new Set<string>();
  const fresh = results.filter((result) => result.status === 'warn' && !confirmed.has(warningKey(result)));
  if (fresh.length === 0) return;
  if (!options.confirm || !(await options.confirm(fresh))) throw new PreflightNotConfirmedError(fresh);
  for (const result of fresh) confirmed.add(warningKey(result));
}
