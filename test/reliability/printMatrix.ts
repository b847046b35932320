// Prints the fault matrix as Markdown (the table in docs/RELIABILITY.md).
//   node --import tsx test/reliability/printMatrix.ts                 the rows and their expected outcomes
//   node --import tsx test/reliability/printMatrix.ts --run [filter]  runs the rows (id contains filter) and prints what happened
// Progress goes to stderr, the table to stdout.
import { BOARD_ROWS, runBoardRow } from './boardMatrix';
import { MATRIX_TIMEOUTS } from '../support/engineRig';
import { buildMatrix } from './faultMatrix';
import { formatMatrixTable, matrixSummary, tableRowOf } from './matrixTable';
import { runRow, type RowResult } from './rowRunner';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const isRun = args.includes('--run');
  const filter = args.find((a) => !a.startsWith('--')) ?? '';
  const hostRows = buildMatrix(MATRIX_TIMEOUTS).filter((r) => r.id.includes(filter));
  const boardRows = BOARD_ROWS.filter((r) => r.id.includes(filter));
  const results = new Map<string, RowResult>();
  if (isRun) {
    const started = performance.now();
    const note = (id: string, result: RowResult) => {
      results.set(id, result);
      process.stderr.write(`${result.problems.length ? 'XX' : 'ok'} ${id} ${Math.round(result.elapsedMs)} ms ${result.problems.join('; ')}\n`);
    };
    for (const row of boardRows) note(row.id, await runBoardRow(row));
    for (const row of hostRows) note(row.id, await runRow(row));
    process.stderr.write(`ran ${results.size} rows in ${Math.round((performance.now() - started) / 1000)} s\n`);
  }
  const table = [...boardRows.map(tableRowOf), ...hostRows.map(tableRowOf)];
  process.stdout.write(`${formatMatrixTable(table, results)}\n\n${isRun ? matrixSummary(table, results) : `${table.length} rows`}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
