import { isModemToolError } from '../core/errors';
import type { UserAction } from '../core/userActions';
import { withCliActions, type CliActionDefaults } from './userActionText';

/**
 * One paragraph a person can act on: what happened, then what to do. The stack is
 * for bug reports only (`--verbose`).
 */
export function renderError(error: unknown, options: { verbose: boolean; defaults?: CliActionDefaults }): string {
  const lines: string[] = [];
  if (isModemToolError(error)) {
    const where = error.step ? ` (during: ${error.step})` : '';
    lines.push(`Error${where}: ${error.message}`);
    lines.push(`What to do: ${withCliActions(error.action, error.actions, options.defaults)}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    lines.push(`Unexpected error: ${message}`);
    lines.push('What to do: run again with --verbose and report the output; this is a bug in pycom-modem.');
  }
  if (options.verbose && error instanceof Error && error.stack) {
    lines.push('', error.stack);
    let cause: unknown = error.cause;
    while (cause instanceof Error) {
      lines.push(`Caused by: ${cause.stack ?? cause.message}`);
      cause = cause.cause;
    }
  }
  return lines.join('\n') + '\n';
}

/** The same facts for `--json` readers: code, message, action (with its actions as data), step. */
export function errorAsJson(error: unknown): { code: string; message: string; action?: string; actions?: UserAction[]; step?: string } {
  if (isModemToolError(error)) {
    return {
      code: error.code,
      message: error.message,
      action: error.action,
      ...(error.actions?.length ? { actions: error.actions } : {}),
      ...(error.step ? { step: error.step } : {}),
    };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
