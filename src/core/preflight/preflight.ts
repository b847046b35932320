import { PREFLIGHT_CHECKS } from './preflightChecks';
import type { PreflightCheck, PreflightFacts, PreflightResult, PreflightStatus } from './preflightFacts';

export type {
  PreflightBoard,
  PreflightCheck,
  PreflightFacts,
  PreflightFile,
  PreflightModem,
  PreflightResult,
  PreflightStatus,
} from './preflightFacts';
export { predictUpgradePath } from './preflightFacts';
export { PREFLIGHT_CHECKS } from './preflightChecks';
export { estimateUpgradeDuration, formatEstimate, stpBytesPerSecond } from './upgradeEstimate';

/** Every check over the facts, in table order. A check that throws is a bug: it reports 'fail' rather than hiding the others. */
export function runPreflight(facts: PreflightFacts, checks: readonly PreflightCheck[] = PREFLIGHT_CHECKS): PreflightResult[] {
  return checks.map((check) => {
    try {
      return { id: check.id, title: check.title, ...check.run(facts) };
    } catch (error) {
      return {
        id: check.id,
        title: check.title,
        status: 'fail' as const,
        detail: `The check itself failed: ${error instanceof Error ? error.message : String(error)}`,
        action: 'This is a bug in the tool: report it with the diagnostic report.',
      };
    }
  });
}

export function hasFailure(results: readonly PreflightResult[]): boolean {
  return results.some((result) => result.status === 'fail');
}

const STATUS_MARK: Record<PreflightStatus, string> = { pass: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };

/** Plain text for the CLI and the confirmation dialog: one line a check, an arrow line for what to do, a verdict. */
export function renderPreflightText(results: readonly PreflightResult[], options: { showSkipped?: boolean } = {}): string {
  const lines: string[] = [];
  for (const result of results) {
    if (result.status === 'skip' && !options.showSkipped) continue;
    lines.push(`${STATUS_MARK[result.status]} ${result.title}: ${result.detail}`);
    if (result.action && result.status !== 'pass') lines.push(`       → ${result.action}`);
  }
  const failures = results.filter((r) => r.status === 'fail').length;
  const warnings = results.filter((r) => r.status === 'warn').length;
  const counts = [`${failures} failure${failures === 1 ? '' : 's'}`, `${warnings} warning${warnings === 1 ? '' : 's'}`].join(', ');
  lines.push(failures ? `${counts}: the upgrade would be refused.` : `${counts}: ready to upgrade.`);
  return lines.join('\n');
}
