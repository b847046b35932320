import type { UpgradeEvent } from '../core/engine/upgradeEvents';
import { describeEvent, printable } from './eventText';
import { groupByStep, type UpgradeSessionRecord } from './sessionLog';

export interface ReportEnvironment {
  extensionVersion: string;
  vscodeVersion: string;
  platform: string;
}

/** Markdown code spans cannot hold backticks; device text may. */
function code(text: string): string {
  return '`' + printable(text, 400).replace(/`/g, 'ˋ') + '`';
}

/**
 * A Markdown report a user can paste into a forum post or an issue: what ran, where
 * it stopped, the diagnosis, the crash dump and the last AT exchanges.
 */
export function renderDiagnosticReport(session: UpgradeSessionRecord, env: ReportEnvironment): string {
  const lines: string[] = [];
  const result = findLast(session.events, 'result');
  lines.push(`## Pycom modem ${session.kind === 'upgrade' ? 'upgrade' : session.kind} report`, '');
  lines.push(`- Started: ${new Date(session.startedAtEpochMs).toISOString()}`);
  lines.push(`- Port: ${code(session.portPath)}`);
  lines.push(`- Outcome: ${result ? `**${result.outcome}** — ${result.message}` : 'still running or interrupted'}`);
  if (result?.error) lines.push(`- Error: ${code(result.error.code)} at step ${result.error.step ?? '?'}: ${result.error.action}`);
  if (result?.resumeHint) lines.push(`- Where it stands: ${result.resumeHint}`);
  const plan = findLast(session.events, 'plan');
  if (plan) lines.push(`- Path: ${plan.path}; files: ${plan.files.map(code).join(', ')}`);
  lines.push(`- Tool: extension ${env.extensionVersion}, VS Code ${env.vscodeVersion}, ${env.platform}`);

  for (const phase of ['before', 'after'] as const) {
    const info = session.events.find(
      (e): e is Extract<UpgradeEvent, { kind: 'modemInfo' }> => e.kind === 'modemInfo' && e.phase === phase,
    );
    if (!info) continue;
    lines.push('', `### Modem ${phase}`, '');
    const r = info.report;
    if (r.lrVersion || r.softwareVersion) lines.push(`- Firmware: ${r.lrVersion ?? r.softwareVersion} (${r.kind})`);
    if (r.softwareBuild) lines.push(`- Build: ${r.softwareBuild}`);
    for (const b of r.bootloaders) lines.push(`- Bootloader${b.slot}${b.isActive ? '*' : ''}: ${b.version} [${b.build}]`);
  }

  for (const event of session.events) {
    if (event.kind === 'diagnosis') {
      lines.push('', `### Diagnosis: ${event.diagnosis.title}`, '', event.diagnosis.action);
      for (const fact of event.diagnosis.evidence) lines.push(`- ${printable(fact)}`);
    }
    if (event.kind === 'crashDump') {
      const d = event.dump;
      lines.push('', '### Crash dump', '');
      if (d.buildString) lines.push(`- Build: ${code(d.buildString)}`);
      if (d.file) lines.push(`- Where: ${code(`${d.file}${d.line !== undefined ? `@${d.line}` : ''}`)}`);
      if (d.message) lines.push(`- Message: ${code(d.message)}`);
      lines.push(`- Bytes: ${d.receivedLength}${d.declaredTotalLength ? ` of ${d.declaredTotalLength} announced` : ''}${d.isTruncated ? ' (truncated)' : ''}`);
    }
  }

  lines.push('', '### Steps', '');
  for (const group of groupByStep(session.events)) {
    if (group.step === 'general') continue;
    lines.push(`- ${group.title}: ${group.phase ?? '?'}`);
  }

  const exchanges = session.events.filter((e) => e.kind === 'at' || e.kind === 'unsolicited' || e.kind === 'boardOutput');
  if (exchanges.length) {
    lines.push('', `### Last exchanges (${Math.min(30, exchanges.length)} of ${exchanges.length})`, '', '```');
    for (const e of exchanges.slice(-30)) lines.push(describeEvent(e).replace(/```/g, 'ˋˋˋ'));
    lines.push('```');
  }
  if (session.transcriptPath) lines.push('', `Full transcript: ${code(session.transcriptPath)}`);
  return lines.join('\n') + '\n';
}

function findLast<K extends UpgradeEvent['kind']>(
  events: readonly UpgradeEvent[],
  kind: K,
): Extract<UpgradeEvent, { kind: K }> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.kind === kind) return event as Extract<UpgradeEvent, { kind: K }>;
  }
  return undefined;
}
