import type { Rule } from 'eslint';

/** The CLI syntax found in `text` (a `--flag` or `pycom-modem `), or undefined. */
export function findCliSyntax(text: string): string | undefined;

declare const rule: Rule.RuleModule;
export default rule;
