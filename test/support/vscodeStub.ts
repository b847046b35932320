/**
 * A small stand-in for the `vscode` module: only what the extension glue touches, with
 * recorders and scripted answers for tests. Mapped to `vscode` by registerVscodeStub.ts.
 * Prompts without a scripted answer resolve to undefined (the user dismissed them).
 */
import { join, posix } from 'node:path';

type Listener<T> = (event: T) => unknown;

export class Disposable {
  constructor(private readonly callOnDispose: () => unknown) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  dispose(): void {
    this.callOnDispose();
  }
}

export type Event<T> = (listener: Listener<T>, thisArgs?: unknown, disposables?: Disposable[]) => Disposable;

export class EventEmitter<T> {
  private listeners = new Set<Listener<T>>();
  readonly event: Event<T> = (listener, _thisArgs, disposables) => {
    this.listeners.add(listener);
    const disposable = new Disposable(() => this.listeners.delete(listener));
    disposables?.push(disposable);
    return disposable;
  };
  fire(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', path);
  }
  static parse(value: string): Uri {
    const match = /^([a-z][\w+.-]*):(.*)$/i.exec(value);
    return match ? new Uri(match[1]!, match[2]!.replace(/^\/\//, '')) : new Uri('file', value);
  }
  static joinPath(base: Uri, ...segments: string[]): Uri {
    return new Uri(base.scheme, posix.join(base.path, ...segments));
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export enum ViewColumn {
  Active = -1,
  Beside = -2,
  One = 1,
  Two = 2,
}
export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}
export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}
export enum QuickPickItemKind {
  Separator = -1,
  Default = 0,
}
export enum TreeItemCollapsibleState {
  None = 0,
  Collapsed = 1,
  Expanded = 2,
}
export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}

export class ThemeIcon {
  constructor(
    readonly id: string,
    readonly color?: ThemeColor,
  ) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export class MarkdownString {
  constructor(
    public value = '',
    public supportThemeIcons = false,
  ) {}
}
export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: string | MarkdownString;
  iconPath?: ThemeIcon;
  contextValue?: string;
  command?: unknown;
  constructor(
    public label: string,
    public collapsibleState: TreeItemCollapsibleState = TreeItemCollapsibleState.None,
  ) {}
}

export class CancellationTokenSource {
  private readonly emitter = new EventEmitter<void>();
  readonly token = {
    isCancellationRequested: false,
    onCancellationRequested: this.emitter.event,
  };
  cancel(): void {
    if (this.token.isCancellationRequested) return;
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {
    this.emitter.dispose();
  }
}

// ---------- recorders ----------

export class StubStatusBarItem {
  text = '';
  tooltip: string | MarkdownString | undefined;
  command: string | undefined;
  name: string | undefined;
  backgroundColor: ThemeColor | undefined;
  isVisible = false;
  constructor(
    readonly id: string,
    readonly alignment: StatusBarAlignment,
    readonly priority: number,
  ) {}
  show(): void {
    this.isVisible = true;
  }
  hide(): void {
    this.isVisible = false;
  }
  dispose(): void {
    this.isVisible = false;
  }
}

export class StubWebview {
  html = '';
  options: unknown;
  readonly cspSource = 'vscode-resource:';
  readonly posted: unknown[] = [];
  readonly received = new EventEmitter<unknown>();
  readonly onDidReceiveMessage = this.received.event;
  asWebviewUri(uri: Uri): Uri {
    return Uri.parse(`vscode-resource:${uri.path}`);
  }
  async postMessage(message: unknown): Promise<boolean> {
    // Through JSON, as the real channel serialises.
    this.posted.push(JSON.parse(JSON.stringify(message)));
    return true;
  }
}

export class StubWebviewPanel {
  readonly webview = new StubWebview();
  iconPath: unknown;
  isDisposed = false;
  revealCount = 0;
  private readonly disposeEmitter = new EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  constructor(
    readonly viewType: string,
    public title: string,
    readonly showOptions: unknown,
    options: unknown,
  ) {
    this.webview.options = options;
  }
  reveal(): void {
    this.revealCount++;
  }
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.disposeEmitter.fire();
  }
  /** Test helper: the page posts a message to the host. */
  sendFromPage(data: unknown): void {
    this.webview.received.fire(data);
  }
}

export class StubLogChannel {
  readonly lines: { level: string; text: string }[] = [];
  isShown = false;
  constructor(readonly name: string) {}
  private add(level: string, text: string) {
    this.lines.push({ level, text });
  }
  trace(text: string) {
    this.add('trace', text);
  }
  debug(text: string) {
    this.add('debug', text);
  }
  info(text: string) {
    this.add('info', text);
  }
  warn(text: string) {
    this.add('warn', text);
  }
  error(text: string | Error) {
    this.add('error', String(text));
  }
  appendLine(text: string) {
    this.add('info', text);
  }
  show() {
    this.isShown = true;
  }
  dispose() {}
}

type Answer<T> = T | ((...args: any[]) => T | Promise<T>);

interface ProgressRun {
  title?: string;
  location: ProgressLocation;
  reports: { message?: string; increment?: number }[];
  tokenSource: CancellationTokenSource;
}

function createStubState() {
  return {
    statusBarItems: [] as StubStatusBarItem[],
    panels: [] as StubWebviewPanel[],
    serializers: new Map<string, { deserializeWebviewPanel(panel: StubWebviewPanel, state: unknown): Promise<void> }>(),
    terminals: [] as { options: { name: string; pty: any } }[],
    treeViews: [] as { id: string; options: { treeDataProvider: any } }[],
    channels: [] as StubLogChannel[],
    messages: [] as { severity: 'info' | 'warning' | 'error'; message: string; options?: unknown; items: string[] }[],
    quickPicks: [] as { items: any[]; options: unknown }[],
    progressRuns: [] as ProgressRun[],
    commands: new Map<string, (...args: unknown[]) => unknown>(),
    executed: [] as { command: string; args: unknown[] }[],
    contexts: new Map<string, unknown>(),
    clipboard: '',
    configuration: new Map<string, unknown>(),
    openedDocuments: [] as string[],
    /** Files of a remote file system (key: the URI's string), served by workspace.fs.readFile. */
    remoteFiles: new Map<string, Uint8Array>(),
    /** URIs read through workspace.fs.readFile, in order. */
    fsReads: [] as string[],
    /** Text document content providers by scheme. */
    contentProviders: new Map<string, { provideTextDocumentContent(uri: Uri): string }>(),
    // Scripted answers, taken in order.
    quickPickAnswers: [] as Answer<unknown>[],
    inputBoxAnswers: [] as Answer<string | undefined>[],
    openDialogAnswers: [] as Answer<Uri[] | undefined>[],
    messageAnswers: [] as Answer<string | undefined>[],
    windowFocus: new EventEmitter<{ focused: boolean }>(),
    isFocused: true,
    /** Fire with `__stub.changeConfiguration(key, value)`: sets the value and tells the listeners. */
    configurationChanged: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),
    terminalProfileProviders: new Map<string, { provideTerminalProfile(token: unknown): unknown }>(),
    /** Tree views by id, with a visibility switch: `__stub.treeViewHandles.get(id)!.setVisible(true)`. */
    treeViewHandles: new Map<string, { visible: boolean; setVisible(visible: boolean): void }>(),
  };
}

/** Test control: recorders and scripted answers. Call __stub.reset() in beforeEach. */
export const __stub = Object.assign(createStubState(), {
  reset() {
    Object.assign(__stub, createStubState());
  },
  /** Sets a setting and fires onDidChangeConfiguration for it, as the Settings UI does. */
  changeConfiguration(key: string, value: unknown) {
    if (value === undefined) __stub.configuration.delete(key);
    else __stub.configuration.set(key, value);
    __stub.configurationChanged.fire({ affectsConfiguration: (section: string) => key === section || key.startsWith(`${section}.`) });
  },
});

async function answer<T>(queue: Answer<T>[], ...args: unknown[]): Promise<T | undefined> {
  if (queue.length === 0) return undefined;
  const next = queue.shift()!;
  return typeof next === 'function' ? await (next as (...a: unknown[]) => T | Promise<T>)(...args) : next;
}

function message(severity: 'info' | 'warning' | 'error') {
  return async (text: string, ...rest: unknown[]): Promise<string | undefined> => {
    const options = typeof rest[0] === 'object' && rest[0] !== null ? rest.shift() : undefined;
    const items = rest.filter((r): r is string => typeof r === 'string');
    __stub.messages.push({ severity, message: text, options, items });
    return answer(__stub.messageAnswers, text, items, options);
  };
}

export const window = {
  get state() {
    return { focused: __stub.isFocused };
  },
  get onDidChangeWindowState() {
    return __stub.windowFocus.event;
  },
  createStatusBarItem(id: string, alignment = StatusBarAlignment.Left, priority = 0) {
    const item = new StubStatusBarItem(id, alignment, priority);
    __stub.statusBarItems.push(item);
    return item;
  },
  async showQuickPick(items: unknown, options?: unknown) {
    const resolved = (await items) as any[];
    __stub.quickPicks.push({ items: resolved, options });
    return answer(__stub.quickPickAnswers, resolved, options);
  },
  showInputBox: (options?: unknown) => answer(__stub.inputBoxAnswers, options),
  showOpenDialog: (options?: unknown) => answer(__stub.openDialogAnswers, options),
  showInformationMessage: message('info'),
  showWarningMessage: message('warning'),
  showErrorMessage: message('error'),
  createOutputChannel(name: string) {
    const channel = new StubLogChannel(name);
    __stub.channels.push(channel);
    return channel;
  },
  createTerminal(options: { name: string; pty: any }) {
    const terminal = { options, show() {}, dispose() {} };
    __stub.terminals.push(terminal);
    return terminal;
  },
  createTreeView(id: string, options: { treeDataProvider: any }) {
    __stub.treeViews.push({ id, options });
    const visibility = new EventEmitter<{ visible: boolean }>();
    const handle = {
      visible: false,
      setVisible(visible: boolean) {
        handle.visible = visible;
        visibility.fire({ visible });
      },
    };
    __stub.treeViewHandles.set(id, handle);
    return {
      get visible() {
        return handle.visible;
      },
      onDidChangeVisibility: visibility.event,
      dispose() {},
    };
  },
  registerTerminalProfileProvider(id: string, provider: { provideTerminalProfile(token: unknown): unknown }) {
    __stub.terminalProfileProviders.set(id, provider);
    return new Disposable(() => __stub.terminalProfileProviders.delete(id));
  },
  registerTreeDataProvider(id: string, provider: any) {
    __stub.treeViews.push({ id, options: { treeDataProvider: provider } });
    return new Disposable(() => undefined);
  },
  createWebviewPanel(viewType: string, title: string, showOptions: unknown, options: unknown) {
    const panel = new StubWebviewPanel(viewType, title, showOptions, options);
    __stub.panels.push(panel);
    return panel;
  },
  registerWebviewPanelSerializer(viewType: string, serializer: any) {
    __stub.serializers.set(viewType, serializer);
    return new Disposable(() => __stub.serializers.delete(viewType));
  },
  async withProgress<R>(
    options: { title?: string; location: ProgressLocation },
    task: (progress: { report(value: { message?: string; increment?: number }): void }, token: CancellationTokenSource['token']) => Promise<R>,
  ): Promise<R> {
    const run: ProgressRun = { title: options.title, location: options.location, reports: [], tokenSource: new CancellationTokenSource() };
    __stub.progressRuns.push(run);
    return task({ report: (value) => run.reports.push(value) }, run.tokenSource.token);
  },
  async showTextDocument(document: { uri: Uri }) {
    return { document };
  },
};

export const commands = {
  registerCommand(id: string, handler: (...args: unknown[]) => unknown) {
    if (__stub.commands.has(id)) throw new Error(`command '${id}' already exists`);
    __stub.commands.set(id, handler);
    return new Disposable(() => __stub.commands.delete(id));
  },
  async executeCommand(id: string, ...args: unknown[]) {
    __stub.executed.push({ command: id, args });
    if (id === 'setContext') {
      __stub.contexts.set(args[0] as string, args[1]);
      return undefined;
    }
    const handler = __stub.commands.get(id);
    return handler ? handler(...args) : undefined;
  },
  async getCommands() {
    return [...__stub.commands.keys()];
  },
};

export const workspace = {
  getConfiguration(section?: string) {
    const prefix = section ? `${section}.` : '';
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const full = prefix + key;
        return (__stub.configuration.has(full) ? __stub.configuration.get(full) : fallback) as T | undefined;
      },
      has: (key: string) => __stub.configuration.has(prefix + key),
      // Everything the stub holds counts as a user (global) value.
      inspect: (key: string) => ({ key: prefix + key, globalValue: __stub.configuration.get(prefix + key) }),
      update: async (key: string, value: unknown) => void __stub.configuration.set(prefix + key, value),
    };
  },
  get onDidChangeConfiguration() {
    return __stub.configurationChanged.event;
  },
  fs: {
    async readFile(uri: Uri): Promise<Uint8Array> {
      __stub.fsReads.push(uri.toString());
      const remote = __stub.remoteFiles.get(uri.toString());
      if (remote) return remote;
      if (uri.scheme !== 'file') throw new Error(`EntryNotFound (FileSystemError): ${uri.toString()}`);
      const { readFile } = await import('node:fs/promises');
      return new Uint8Array(await readFile(uri.fsPath));
    },
    async createDirectory(uri: Uri) {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(uri.fsPath, { recursive: true });
    },
  },
  registerTextDocumentContentProvider(scheme: string, provider: { provideTextDocumentContent(uri: Uri): string }) {
    __stub.contentProviders.set(scheme, provider);
    return { dispose: () => __stub.contentProviders.delete(scheme) };
  },
  async openTextDocument(uri: Uri) {
    __stub.openedDocuments.push(uri.fsPath);
    return { uri };
  },
};

export const env = {
  clipboard: {
    async writeText(text: string) {
      __stub.clipboard = text;
    },
    async readText() {
      return __stub.clipboard;
    },
  },
};

export const version = '1.95.0-stub';

export class TerminalProfile {
  constructor(readonly options: { name?: string; pty?: unknown; iconPath?: unknown }) {}
}

/** vscode.l10n with no bundle loaded: the English message with its {0} / {name} placeholders filled. */
export const l10n = {
  t(message: string | { message: string; args?: unknown[] | Record<string, unknown> }, ...rest: unknown[]): string {
    const text = typeof message === 'string' ? message : message.message;
    const given = typeof message === 'string' ? rest : message.args ?? [];
    const args: Record<string, unknown> =
      Array.isArray(given) && given.length === 1 && typeof given[0] === 'object' && given[0] !== null && !Array.isArray(given[0])
        ? (given[0] as Record<string, unknown>)
        : (given as Record<string, unknown>);
    return text.replace(/\{([^}]+)\}/g, (whole, key: string) => (key in args ? String(args[key]) : whole));
  },
};

export class StubMemento {
  private readonly values = new Map<string, unknown>();
  get<T>(key: string, fallback?: T): T | undefined {
    return (this.values.has(key) ? this.values.get(key) : fallback) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this.values.delete(key);
    else this.values.set(key, value);
  }
  keys(): readonly string[] {
    return [...this.values.keys()];
  }
}

/** An ExtensionContext with what activate() uses. */
export function createExtensionContext(root = join(__dirname, '..', '..'), storage = join(root, '.test-storage')) {
  return {
    subscriptions: [] as { dispose(): unknown }[],
    workspaceState: new StubMemento(),
    globalState: new StubMemento(),
    extensionUri: Uri.file(root),
    extensionPath: root,
    globalStorageUri: Uri.file(storage),
    logUri: Uri.file(join(storage, 'logs')),
    extension: { packageJSON: { version: '0.0.0-test' } },
  };
}
