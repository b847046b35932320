/**
 * Brings the live page in line with a freshly rendered tree, keeping every live node that
 * still fits. Progress frames arrive about ten a second: swapping the whole tree each
 * time dropped keyboard focus (on Cancel) and any text selection (in the log), and made
 * screen readers lose their place.
 *
 * A fresh node fits a live one when both are text, or both are elements with the same
 * tag and the same `data-key` (or, without a key, the same class). Matching runs in
 * order, so kept nodes never move: a moved node loses focus and selection too.
 *
 * A kept element keeps its own event listeners; the fresh copy's are dropped. So an
 * element with a listener carries a `data-key` naming its action (render.ts keys every
 * button), and a fresh button can never inherit another button's click.
 *
 * Only nodes and attributes this module put in place are touched: the toolkit's
 * components add children (placeholders) and host attributes of their own.
 */

const KEY_ATTRIBUTE = 'data-key';

/** Nodes this module inserted (a fresh tree, and everything below it). */
const placedNodes = new WeakSet<Node>();
/** The attribute names render gave each element the last time, so a dropped one is removed. */
const renderedAttributes = new WeakMap<Element, Set<string>>();

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

function isElement(node: Node): node is Element {
  return node.nodeType === ELEMENT_NODE;
}

function isText(node: Node): node is Text {
  return node.nodeType === TEXT_NODE;
}

function identity(element: Element): string {
  const key = element.getAttribute(KEY_ATTRIBUTE);
  return key !== null && key !== undefined ? `key:${key}` : `class:${element.getAttribute('class') ?? ''}`;
}

function fits(live: Node, fresh: Node): boolean {
  if (isText(live) && isText(fresh)) return true;
  if (!isElement(live) || !isElement(fresh)) return false;
  return live.tagName === fresh.tagName && live.namespaceURI === fresh.namespaceURI && identity(live) === identity(fresh);
}

function adopt(node: Node): void {
  placedNodes.add(node);
  if (!isElement(node)) return;
  renderedAttributes.set(node, new Set(node.getAttributeNames()));
  for (const child of Array.from(node.childNodes)) adopt(child);
}

function patchNode(live: Node, fresh: Node): void {
  if (isText(live)) {
    // Writing the same text would still collapse a selection inside it.
    if (live.data !== (fresh as Text).data) live.data = (fresh as Text).data;
    return;
  }
  const liveElement = live as Element;
  const freshElement = fresh as Element;
  const names = freshElement.getAttributeNames();
  for (const name of names) {
    const value = freshElement.getAttribute(name)!;
    // Unchanged attributes are not written: a toolkit component re-renders on every write.
    if (liveElement.getAttribute(name) !== value) liveElement.setAttribute(name, value);
  }
  for (const name of renderedAttributes.get(liveElement) ?? []) {
    if (!names.includes(name)) liveElement.removeAttribute(name);
  }
  renderedAttributes.set(liveElement, new Set(names));
  patchChildren(liveElement, Array.from(freshElement.childNodes));
}

/** Makes `parent`'s rendered children match `fresh` (which are moved in where nothing fits). */
export function patchChildren(parent: Element, fresh: readonly Node[]): void {
  const live = Array.from(parent.childNodes).filter((node) => placedNodes.has(node));
  let cursor = 0;
  const kept = fresh.map((node) => {
    for (let index = cursor; index < live.length; index++) {
      if (fits(live[index]!, node)) {
        cursor = index + 1;
        return live[index];
      }
    }
    return undefined;
  });
  const keptNodes = new Set(kept);
  for (const node of live) if (!keptNodes.has(node)) parent.removeChild(node);
  // Back to front, so each new node goes in before the one that follows it.
  let following: Node | null = null;
  for (let index = fresh.length - 1; index >= 0; index--) {
    const match = kept[index];
    if (match) {
      patchNode(match, fresh[index]!);
      following = match;
    } else {
      const node = fresh[index]!;
      adopt(node);
      parent.insertBefore(node, following);
      following = node;
    }
  }
}
