import { UsageError } from '../errors';
import type { PreflightResult } from '../preflight/preflightFacts';
import { FLAGS_THE_GATE_RAISES, type FileChoice } from './choosePackageFiles';
import type { IgnoredEntry } from './firmwarePackage';

/**
 * The choice as every front end already shows checks: one preflight result, first in
 * the list, so the panel, the CLI, the transcript and the confirmation show why each
 * file was picked and what was left out, and its warnings are confirmed at the one gate.
 */
export const PACKAGE_CHOICE_CHECK = { id: 'package-choice', title: 'Files chosen from the package' } as const;

export function packageChoiceResult(choice: FileChoice): PreflightResult {
  const refusal = choice.flags.find((flag) => flag.severity === 'refuse');
  if (refusal) {
    return { ...PACKAGE_CHOICE_CHECK, status: 'fail', detail: refusal.message, action: refusal.action ?? 'Choose another firmware package.' };
  }
  const picks = [...(choice.updater ? [choice.updater.reason] : []), ...choice.firmware.map((file) => file.reason)];
  const leftOut = choice.leftOut.length ? ` Left out: ${choice.leftOut.map((file) => `${file.name} — ${file.reason}`).join('; ')}.` : '';
  const flags = choice.flags.map((flag) => ` ${flag.message}`).join('');
  const detail = `${picks.join('; ')}.${leftOut}${flags}`;
  // A warning the gate raises itself (a network switch) is named here and confirmed there, once.
  const warnings = choice.flags.filter((flag) => flag.severity === 'warn' && !FLAGS_THE_GATE_RAISES.has(flag.kind));
  if (warnings.length) return { ...PACKAGE_CHOICE_CHECK, status: 'warn', detail, action: warnings.map((flag) => flag.action).filter(Boolean).join(' ') };
  return { ...PACKAGE_CHOICE_CHECK, status: 'pass', detail };
}

/** A refused choice as the error the step fails with: nothing was sent. */
export function choiceRefusalError(choice: FileChoice): UsageError | undefined {
  const refusal = choice.flags.find((flag) => flag.severity === 'refuse');
  return refusal ? new UsageError(refusal.message, refusal.action ?? 'Choose another firmware package.') : undefined;
}

/** The choice line by line, for a log or a transcript. */
export function packageChoiceLines(choice: FileChoice, ignored: readonly IgnoredEntry[] = []): string[] {
  return [
    ...(choice.updater ? [`Chosen: ${choice.updater.reason}`] : []),
    ...choice.firmware.map((file) => `Chosen: ${file.reason}`),
    ...choice.leftOut.map((file) => `Left out: ${file.name}: ${file.reason}`),
    ...ignored.map((entry) => `Ignored in the package: ${entry.name}: ${entry.reason}`),
    ...choice.flags.filter((flag) => flag.severity === 'note').map((flag) => flag.message),
  ];
}
