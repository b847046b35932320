/**
 * Just enough DOM for the panel's render functions: elements, attributes, text nodes,
 * listeners. Writing markup (innerHTML and friends) throws, so a render path that
 * tried it fails the test instead of passing silently.
 */
export class FakeText {
  readonly nodeType = 3;
  constructor(public data: string) {}
  get textContent(): string {
    return this.data;
  }
}

export class FakeElement {
  readonly nodeType = 1;
  readonly attributes = new Map<string, string>();
  readonly children: (FakeElement | FakeText)[] = [];
  readonly listeners = new Map<string, (() => void)[]>();
  constructor(
    readonly tagName: string,
    readonly namespace?: string,
  ) {}
  setAttribute(name: string, value: string): void {
    if (/^on/i.test(name)) throw new Error(`render set an event-handler attribute: ${name}`);
    this.attributes.set(name, value);
  }
  getAttribute(name: string): string | undefined {
    return this.attributes.get(name);
  }
  append(...nodes: (FakeElement | FakeText | string)[]): void {
    for (const node of nodes) {
      if (typeof node === 'string') throw new Error('append() with a raw string: use text nodes');
      this.children.push(node);
    }
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
