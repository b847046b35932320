/**
 * Just enough DOM for the panel's render functions: elements, attributes, text nodes,
 * listeners. Writing markup (innerHTML and friends) throws, so a render path that
 * tried it fails the test instead of passing silently.
 */
export class FakeText {
  readonly nodeType = 3;
  parentNode: FakeElement | null = null;
  /** How often the text was rewritten after creation: a rewrite collapses a selection in it. */
  writes = 0;
  #data: string;
  constructor(data: string) {
    this.#data = data;
  }
  get data(): string {
    return this.#data;
  }
  set data(value: string) {
    this.writes++;
    this.#data = value;
  }
  get textContent(): string {
    return this.data;
  }
}

export class FakeElement {
  readonly nodeType = 1;
  readonly attributes = new Map<string, string>();
  readonly children: (FakeElement | FakeText)[] = [];
  readonly listeners = new Map<string, (() => void)[]>();
  parentNode: FakeElement | null = null;
  constructor(
    readonly tagName: string,
    readonly namespace?: string,
  ) {}
  get namespaceURI(): string | null {
    return this.namespace ?? null;
  }
  get childNodes(): readonly (FakeElement | FakeText)[] {
    return this.children;
  }
  setAttribute(name: string, value: string): void {
    if (/^on/i.test(name)) throw new Error(`render set an event-handler attribute: ${name}`);
    this.attributes.set(name, value);
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  getAttributeNames(): string[] {
    return [...this.attributes.keys()];
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
  append(...nodes: (FakeElement | FakeText | string)[]): void {
    for (const node of nodes) {
      if (typeof node === 'string') throw new Error('append() with a raw string: use text nodes');
      this.insertBefore(node, null);
    }
  }
  /** As the DOM's: a node already in a tree leaves its old place first. */
  insertBefore<T extends FakeElement | FakeText>(node: T, reference: FakeElement | FakeText | null): T {
    node.parentNode?.removeChild(node);
    const index = reference === null ? this.children.length : this.children.indexOf(reference);
    if (index < 0) throw new Error('insertBefore: the reference is not a child');
    this.children.splice(index, 0, node);
    node.parentNode = this;
    return node;
  }
  removeChild<T extends FakeElement | FakeText>(node: T): T {
    const index = this.children.indexOf(node);
    if (index < 0) throw new Error('removeChild: not a child');
    this.children.splice(index, 1);
    node.parentNode = null;
    return node;
  }
  addEventListener(type: string, listener: () => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  click(): void {
    for (const listener of this.listeners.get('click') ?? []) listener();
  }
  get textContent(): string {
    return this.children.map((child) => child.textContent).join('');
  }
  set innerHTML(_value: string) {
    throw new Error('innerHTML used');
  }
  set outerHTML(_value: string) {
    throw new Error('outerHTML used');
  }
  insertAdjacentHTML(): void {
    throw new Error('insertAdjacentHTML used');
  }
  /** Every element below (and including) this one, depth first. */
  *walk(): Generator<FakeElement> {
    yield this;
    for (const child of this.children) if (child instanceof FakeElement) yield* child.walk();
  }
  find(predicate: (element: FakeElement) => boolean): FakeElement | undefined {
    for (const element of this.walk()) if (predicate(element)) return element;
    return undefined;
  }
  findAll(predicate: (element: FakeElement) => boolean): FakeElement[] {
    return [...this.walk()].filter(predicate);
  }
}

export const fakeDocument = {
  createElement: (tag: string) => new FakeElement(tag.toLowerCase()),
  createElementNS: (namespace: string, tag: string) => new FakeElement(tag, namespace),
  createTextNode: (data: string) => new FakeText(data),
};

/** The fake as the render code's parameter type. */
export const panelDocument = fakeDocument as unknown as Document;
