import type { Diagnosis } from '../engine/upgradeEvents';
import { DIAGNOSIS_RULES, type DiagnosisRule } from './diagnosisRules';
import { evidenceFromError, evidenceFromEvents, mergeEvidence, type DiagnosisEvidence, type EvidenceContext } from './evidence';
import type { UpgradeEvent } from '../engine/upgradeEvents';

export type { DiagnosisEvidence, EvidenceContext } from './evidence';
export { evidenceFromError, evidenceFromEvents, mergeEvidence } from './evidence';
export { DIAGNOSIS_RULES, type DiagnosisRule } from './diagnosisRules';

function apply(rule: DiagnosisRule, evidence: DiagnosisEvidence): Diagnosis {
  const actions = rule.actions?.(evidence) ?? [];
  return {
    cause: rule.cause,
    title: rule.title(evidence),
    action: rule.action(evidence),
    ...(actions.length ? { actions } : {}),
    evidence: rule.evidenceLines(evidence),
  };
}

/** The first rule that matches (the table ends with a catch-all, so there always is one). */
export function diagnose(evidence: DiagnosisEvidence, rules: readonly DiagnosisRule[] = DIAGNOSIS_RULES): Diagnosis {
  const rule = rules.find((candidate) => candidate.matches(evidence)) ?? DIAGNOSIS_RULES[DIAGNOSIS_RULES.length - 1]!;
  return apply(rule, evidence);
}

/**
 * The failure's diagnosis followed by the answers to side questions: the seed user both
 * timed out and asked about band 8. Only the first failure rule counts (the later ones
 * are its more general fallbacks); the catch-all only when nothing else matched.
 */
export function diagnoseAll(evidence: DiagnosisEvidence, rules: readonly DiagnosisRule[] = DIAGNOSIS_RULES): Diagnosis[] {
  const isQuestion = (rule: DiagnosisRule) => rule.kind === 'question';
  const failure = rules.find((rule) => !isQuestion(rule) && rule.matches(evidence));
  const questions = rules.filter((rule) => isQuestion(rule) && rule.matches(evidence));
  const chosen = failure?.cause === 'unknown' && questions.length > 0 && !evidence.errorCode ? questions : [...(failure ? [failure] : []), ...questions];
  return chosen.map((rule) => apply(rule, evidence));
}

/**
 * The engine's one call after a failure: the error's evidence first, then what the
 * event stream adds (last AT exchange, progress, crash dump, states), then `context`.
 */
export function diagnoseFailure(
  error: unknown,
  options: { events?: readonly UpgradeEvent[]; context?: EvidenceContext } = {},
): { diagnosis: Diagnosis; evidence: DiagnosisEvidence } {
  const evidence = mergeEvidence(
    evidenceFromError(error, options.context),
    options.events ? evidenceFromEvents(options.events) : {},
  );
  return { diagnosis: diagnose(evidence), evidence };
}
