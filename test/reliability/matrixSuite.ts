// Registers fault-matrix rows as node:test tests, then a last test that prints their table.
// Two test files share it so the runner can run the cheap and the 4 MiB paths side by side:
// most of a row's time is spent waiting on a deadline, not computing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BOARD_ROWS, runBoardRow } from './boardMatrix';
import { MATRIX_TIMEOUTS } from '../support/engineRig';
import { buildMatrix } from './faultMatrix';
import { formatMatrixTable, matrixSummary, tableRowOf } from './matrixTable';
import { runRow, type RowResult } from './rowRunner';

export const IS_FULL_MATRIX = process.env.RELIABILITY_FULL === '1';

/** `paths`: the matrix paths of this file ('board' for the board rows). */
export function defineMatrixTests(paths: readonly string[]): void {
  const hostRows = buildMatrix(MATRIX_TIMEOUTS).filter((r) => paths.includes(r.path));
  const boardRows = paths.includes('board') ? BOARD_ROWS : [];
  const results = new Map<string, RowResult>();

  for (const row of boardRows) {
    if (!IS_FULL_MATRIX && !row.isInSubset) continue;
    const expected = row.expect.outcome === 'success' ? 'recovers' : `fails in ${row.expect.step}`;
    test(`${row.id}: ${expected}`, row.todo ? { todo: row.todo } : {}, async (t) => {
      const result = await runBoardRow(row);
      results.set(row.id, result);
      t.diagnostic(
        `${result.outcome} in ${Math.round(result.elapsedMs)} ms` +
          (result.errorStep ? `, ${result.errorCode} in ${result.errorStep}` : '') +
          `, re-run after a power cycle: ${result.rerun} (${Math.round(result.rerunMs ?? 0)} ms)`,
      );
      assert.deepEqual(result.problems, []);
    });
  }

  for (const row of hostRows) {
    if (!IS_FULL_MATRIX && !row.isInSubset) continue;
    const expected = row.expect.outcome === 'success' ? 'recovers' : `fails in ${row.expect.step}`;
    test(`${row.id}: ${expected}`, row.todo ? { todo: row.todo } : {}, async (t) => {
      const result = await runRow(row);
      results.set(row.id, result);
      t.diagnostic(
        `${result.outcome} in ${Math.round(result.elapsedMs)} ms (bound ${result.boundMs} ms)` +
          (result.errorStep ? `, ${result.errorCode} in ${result.errorStep}` : '') +
          (result.rerun !== '-' ? `, re-run: ${result.rerun} (${Math.round(result.rerunMs ?? 0)} ms)` : ''),
      );
      assert.deepEqual(result.problems, []);
    });
  }

  test(`the matrix table (${paths.join(', ')})`, (t) => {
    const all = [...boardRows.map(tableRowOf), ...hostRows.map(tableRowOf)];
    const shown = IS_FULL_MATRIX ? all : all.filter((r) => r.isInSubset);
    for (const line of formatMatrixTable(shown, results).split('\n')) t.diagnostic(line);
    t.diagnostic(matrixSummary(shown, results));
    t.diagnostic(IS_FULL_MATRIX ? 'full matrix' : `subset of ${shown.length} of ${all.length} rows; RELIABILITY_FULL=1 runs all of them`);
    // Even the subset strikes every path of this file.
    assert.deepEqual(new Set(shown.map((r) => r.path)), new Set(paths));
    assert.ok(shown.every((r) => results.has(r.id)), 'every shown row ran');
  });
}
