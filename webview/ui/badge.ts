import { el, type PanelDocument } from './dom';

/**
 * A small count or status label. Our own element rather than the toolkit's
 * vscode-badge: that one binds an inline style attribute, which the panel's CSP
 * (no 'unsafe-inline' styles) blocks and reports as a violation on every render.
 */
export function badge(doc: PanelDocument, text: string): HTMLElement {
  return el(doc, 'span', { className: 'badge' }, text);
}
