import type { ConfirmWarnings } from '../../src/core/preflight/preflightGate';

/** Confirms every warning, as a user passing --yes: for rigs whose small files stand for real ones. */
export const CONFIRM_ALL: ConfirmWarnings = async () => true;
