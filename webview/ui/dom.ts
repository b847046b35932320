/**
 * The only way the panel builds DOM: elements, attributes and text nodes. Text always
 * goes in as a text node, never as markup, so device text (crash messages, board
 * output) cannot become HTML. The document is passed in, so tests use a small fake.
 */
export type PanelDocument = Pick<Document, 'createElement' | 'createElementNS' | 'createTextNode'>;

export type Child = Node | string | undefined | false;

export interface ElementProps {
  className?: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  onClick?: () => void;
}

function appendChildren(doc: PanelDocument, parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === false) continue;
    parent.append(typeof child === 'string' ? doc.createTextNode(child) : child);
  }
}

function applyProps(element: Element, props: ElementProps): void {
  if (props.className) element.setAttribute('class', props.className);
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  if (props.onClick) element.addEventListener('click', props.onClick);
}

export function el(doc: PanelDocument, tag: string, props: ElementProps = {}, ...children: Child[]): HTMLElement {
  const element = doc.createElement(tag);
  applyProps(element, props);
  appendChildren(doc, element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(doc: PanelDocument, tag: string, props: ElementProps = {}, ...children: Child[]): SVGElement {
  const element = doc.createElementNS(SVG_NS, tag) as SVGElement;
  applyProps(element, props);
  appendChildren(doc, element, children);
  return element;
}
