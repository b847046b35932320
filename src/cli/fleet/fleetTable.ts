import { formatDuration } from '../../core/engine/progressFigures';
import { inlineCode, inlineText } from '../../core/diagnosis/markdownSafe';
import { renderCliReport } from '../cliReport';
import type { FleetBoardOutcome } from '../../core/fleet/fleetUpgrade';

const COLUMNS = ['Port', 'IMEI', 'Build', 'Result', 'Time', 'Transcript'] as const;

function buildText(outcome: FleetBoardOutcome): string {
  const before = outcome.buildBefore ?? '?';
  if (outcome.result !== 'success' && outcome.buildAfter === undefined) return String(before);
  return `${before} → ${outcome.buildAfter ?? '?'}`;
}

function cells(outcome: FleetBoardOutcome): string[] {
  return [outcome.portPath, outcome.imei ?? '?', buildText(outcome), outcome.result, formatDuration(outcome.durationMs), outcome.transcriptPath ?? '-'];
}

/**
 * The end of a fleet run as a text table, one row per board, then why each board that
 * did not succeed stopped (a reason is too long for a column).
 */
/** Why a board did not succeed, in the CLI's words: an unconfirmed board needs --yes. */
export function fleetReasonText(outcome: FleetBoardOutcome): string | undefined {
  return outcome.isUnconfirmed ? `needs --yes: ${outcome.reason ?? 'its checks raised warnings'}` : outcome.reason;
}

export function renderFleetTable(outcomes: readonly FleetBoardOutcome[]): string {
  const rows = [COLUMNS as readonly string[], ...outcomes.map(cells)];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ');
  const text = [line(rows[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)];
  const reasons = outcomes.filter((o) => o.reason).map((o) => `  ${o.portPath}: ${o.result}: ${fleetReasonText(o)}`);
  const counts = (['success', 'failed', 'cancelled', 'skipped'] as const)
    // A cancel is counted only when there was one: the usual summary keeps its three figures.
    .filter((result) => result !== 'cancelled' || outcomes.some((o) => o.result === 'cancelled'))
    .map((result) => `${outcomes.filter((o) => o.result === result).length} ${result}`)
    .join(', ');
  return [...text, '', `${outcomes.length} board${outcomes.length === 1 ? '' : 's'}: ${counts}.`, ...reasons, ''].join('\n');
}

/**
 * One Markdown report for the whole fleet: the summary table, then a section per board
 * holding the single-board diagnostic report, its headings one level down.
 */
export async function renderFleetReport(outcomes: readonly FleetBoardOutcome[], options: { files: string[] }): Promise<string> {
  const lines = ['# Pycom LTE modem upgrade: several boards', ''];
  lines.push(`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`);
  for (const outcome of outcomes) {
    const [port, imei, build, result, time, transcript] = cells(outcome);
    lines.push(`| ${[inlineCode(port!), inlineText(imei!), inlineText(build!), result, time, transcript === '-' ? '-' : inlineCode(transcript!)].join(' | ')} |`);
  }
  lines.push('');
  for (const outcome of outcomes) {
    lines.push(`## ${inlineText(outcome.portPath)}: ${outcome.result}`, '');
    if (outcome.reason) lines.push(`${inlineText(fleetReasonText(outcome)!, 1000)}`, '');
    const single = await renderCliReport(outcome.events, { portPath: outcome.portPath, files: options.files });
    lines.push(demoteHeadings(single).trimEnd(), '');
  }
  return lines.join('\n');
}

/** Every heading one level deeper, leaving fenced blocks (transcripts, crash dumps) as they are. */
function demoteHeadings(markdown: string): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const opening = /^(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence) {
        if (opening && opening.startsWith(fence) && line.trim() === opening) fence = undefined;
        return line;
      }
      if (opening) {
        fence = opening;
        return line;
      }
      return /^#{1,5} /.test(line) ? `#${line}` : line;
    })
    .join('\n');
}
