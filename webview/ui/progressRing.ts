import { el, type PanelDocument } from './dom';

/**
 * An indeterminate spinner (a running step, a modem pause), drawn by panel.css. Not the
 * toolkit's vscode-progress-ring: its template binds an inline style attribute, which
 * the panel's CSP blocks (see badge.ts).
 */
export function progressRing(doc: PanelDocument, label: string): HTMLElement {
  return el(doc, 'span', { className: 'spinner', attrs: { role: 'progressbar', 'aria-label': label } });
}
