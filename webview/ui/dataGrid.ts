import { el, type Child, type PanelDocument } from './dom';

/**
 * A read-only table as a toolkit data grid, rows built as child elements (not through
 * the grid's rowsData, which would render strings the component's own way).
 */
export function dataGrid(doc: PanelDocument, headers: string[], rows: Child[][], label: string): HTMLElement {
  const cell = (content: Child, column: number, isHeader: boolean) =>
    el(
      doc,
      'vscode-data-grid-cell',
      { attrs: { 'grid-column': column, 'cell-type': isHeader ? 'columnheader' : undefined } },
      content,
    );
  return el(
    doc,
    'vscode-data-grid',
    { attrs: { 'aria-label': label, 'generate-header': 'none' } },
    el(doc, 'vscode-data-grid-row', { attrs: { 'row-type': 'header' } }, ...headers.map((h, i) => cell(h, i + 1, true))),
    ...rows.map((row) => el(doc, 'vscode-data-grid-row', {}, ...row.map((content, i) => cell(content, i + 1, false)))),
  );
}
