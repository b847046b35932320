// The fault matrix as a Markdown table: the rows (data) and, once run, what happened.
import type { BoardRow } from './boardMatrix';
import type { MatrixRow } from './faultMatrix';
import type { RowResult } from './rowRunner';

/** What a table line needs of a host-path row or a board row. */
export interface TableRow {
  id: string;
  path: string;
  step: string;
  where: string;
  fault: string;
  expected: string;
  isInSubset: boolean;
  todo?: string;
}

export function tableRowOf(row: MatrixRow | BoardRow): TableRow {
  const expected = row.expect.outcome === 'success' ? 'recovers' : `fails in ${row.expect.step}, re-run succeeds`;
  return 'point' in row
    ? { id: row.id, path: row.path, step: row.point.step, where: row.point.label, fault: row.fault, expected, isInSubset: row.isInSubset, ...(row.todo ? { todo: row.todo } : {}) }
    : { id: row.id, path: 'board', step: row.step, where: row.label, fault: row.fault, expected, isInSubset: row.isInSubset, ...(row.todo ? { todo: row.todo } : {}) };
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

function observed(result: RowResult | undefined): string {
  if (!result) return 'not run';
  if (result.outcome === 'success') return `success (${Math.round(result.elapsedMs)} ms)`;
  const crash = result.hasCrashDump ? ', crash dump read' : '';
  return `${result.outcome} in ${result.errorStep ?? '(no step)'} (${result.errorCode ?? '?'}, ${Math.round(result.elapsedMs)} ms${crash}); re-run: ${result.rerun}`;
}

function verdict(row: TableRow, result: RowResult | undefined): string {
  if (!result) return row.isInSubset ? '' : 'full run only';
  if (result.problems.length === 0) return row.todo ? 'pass (todo can go)' : 'pass';
  return `${row.todo ? 'KNOWN DEFECT' : 'FAIL'}: ${result.problems.join('; ')}`;
}

/** One line per row; `results` fills the observed columns for the rows that ran. */
export function formatMatrixTable(rows: readonly TableRow[], results: ReadonlyMap<string, RowResult> = new Map()): string {
  const lines = ['| path | step | where it strikes | fault | expected | observed | check |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const row of rows) {
    const result = results.get(row.id);
    lines.push(
      `| ${row.path} | ${row.step} | ${cell(row.where)} | ${row.fault} | ${row.expected} | ${cell(observed(result))} | ${cell(verdict(row, result))} |`,
    );
  }
  return lines.join('\n');
}

export function matrixSummary(rows: readonly TableRow[], results: ReadonlyMap<string, RowResult>): string {
  const ran = rows.filter((r) => results.has(r.id));
  const passed = ran.filter((r) => results.get(r.id)!.problems.length === 0).length;
  const known = ran.filter((r) => r.todo && results.get(r.id)!.problems.length > 0).length;
  return `${rows.length} rows, ${ran.length} run, ${passed} pass, ${ran.length - passed - known} fail, ${known} known defects (todo)`;
}
