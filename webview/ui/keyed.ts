/**
 * A `data-key` for patchDom.ts: a kept element keeps its listeners, so every element
 * with one (a button) is keyed by its action; keyed cards and rows keep their identity
 * when a sibling comes or goes.
 */
export function keyed<T extends Element>(element: T, key: string, attrs: Record<string, string> = {}): T {
  element.setAttribute('data-key', key);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, value);
  return element;
}
