import type { PanelFleetRow, PanelFleetStatus } from '../src/shared/panelMessages';
import { badge } from './ui/badge';
import { button } from './ui/button';
import { el, type PanelDocument } from './ui/dom';
import { keyed } from './ui/keyed';

export interface FleetViewActions {
  cancel(): void;
  cancelBoard(portPath: string): void;
  showBoard(portPath: string): void;
}

const STATUS_WORDS: Record<PanelFleetStatus, string> = {
  queued: 'queued',
  running: 'running',
  success: 'upgraded',
  failed: 'failed',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

function isActive(row: PanelFleetRow): boolean {
  return row.status === 'running' || row.status === 'queued';
}

/**
 * A row per board: port, board, step, a progress bar, the result; Cancel stops that board
 * alone, Details shows its session below. Rows are keyed by port, so a row keeps its focus
 * (on its Cancel) while the others move on.
 */
export function fleetCard(
  doc: PanelDocument,
  fleet: { title: string; rows: PanelFleetRow[] },
  shownSessionId: string | undefined,
  actions: FleetViewActions,
): HTMLElement {
  const active = fleet.rows.filter(isActive).length;
  const counts = (['success', 'failed', 'cancelled', 'skipped'] as const)
    .map((status) => [status, fleet.rows.filter((row) => row.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${STATUS_WORDS[status]}`);
  return el(
    doc,
    'div',
    { className: 'card fleet', attrs: { 'data-key': 'fleet' } },
    el(doc, 'h2', {}, fleet.title, ' ', badge(doc, active > 0 ? `${active} of ${fleet.rows.length} under way` : counts.join(', '))),
    active > 0 &&
      el(
        doc,
        'div',
        { className: 'toolbar' },
        keyed(button(doc, 'Cancel All', actions.cancel, { appearance: 'secondary', title: 'Stop every board safely' }), 'cancel-all'),
      ),
    el(
      doc,
      'table',
      { className: 'fleet-table', attrs: { 'aria-label': 'Boards' } },
      el(
        doc,
        'thead',
        {},
        el(doc, 'tr', {}, ...['Port', 'Board', 'Step', 'Progress', 'Result', ''].map((h) => el(doc, 'th', { attrs: { scope: 'col' } }, h))),
      ),
      el(doc, 'tbody', {}, ...fleet.rows.map((row) => fleetRow(doc, row, row.sessionId !== undefined && row.sessionId === shownSessionId, actions))),
    ),
  );
}

function fleetRow(doc: PanelDocument, row: PanelFleetRow, isShown: boolean, actions: FleetViewActions): HTMLElement {
  return el(
    doc,
    'tr',
    {
      className: `fleet-row status-${row.status}${isShown ? ' shown' : ''}`,
      attrs: { 'data-key': `fleet-${row.portPath}`, 'aria-current': isShown ? 'true' : undefined },
    },
    el(doc, 'td', { className: 'port' }, row.portPath),
    el(doc, 'td', {}, row.board ?? '—'),
    el(doc, 'td', { className: 'step' }, row.step ?? (row.status === 'queued' ? 'waiting for a free slot' : '—')),
    el(
      doc,
      'td',
      {},
      row.percent !== undefined
        ? el(doc, 'progress', { attrs: { max: 100, value: row.percent, 'aria-label': `${row.portPath}: sent`, 'aria-valuetext': `${row.percent} %` } })
        : '—',
    ),
    el(
      doc,
      'td',
      { className: 'result' },
      el(doc, 'span', { className: 'status' }, STATUS_WORDS[row.status]),
      // A wait's text says itself whether stopping is safe; an unsafe one stands out.
      row.detail && el(doc, 'div', { className: row.isUnsafeToInterrupt ? 'detail unsafe' : 'detail' }, row.detail),
    ),
    el(
      doc,
      'td',
      { className: 'row-actions' },
      isActive(row) &&
        keyed(button(doc, 'Cancel', () => actions.cancelBoard(row.portPath), { appearance: 'secondary', title: `Stop ${row.portPath} safely` }), `cancel-board-${row.portPath}`),
      row.sessionId &&
        !isShown &&
        keyed(button(doc, 'Details', () => actions.showBoard(row.portPath), { appearance: 'secondary', title: `Show ${row.portPath}’s steps and log` }), `show-board-${row.portPath}`),
    ),
  );
}
