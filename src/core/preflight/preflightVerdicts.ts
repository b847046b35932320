import type { PreflightVerdict } from './preflightFacts';
import type { UserAction } from '../userActions';

/** The four verdicts a preflight check or a firmware rule returns. */
export function pass(detail: string): PreflightVerdict {
  return { status: 'pass', detail };
}
export function skip(detail: string): PreflightVerdict {
  return { status: 'skip', detail };
}
export function warn(detail: string, action: string): PreflightVerdict {
  return { status: 'warn', detail, action };
}
export function fail(detail: string, action: string, actions?: UserAction[]): PreflightVerdict {
  return { status: 'fail', detail, action, ...(actions?.length ? { actions } : {}) };
}
