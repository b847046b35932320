import * as vscode from 'vscode';
import { stat } from 'node:fs/promises';
import type { SerialPortChoice } from '../glue/modemCore';
import { portCapabilities } from '../glue/portProviders';

/** Whether a path names something on disk; stat follows symlinks, so a link to a vanished pty is absent. */
export async function pathExistsOnDisk(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** How a watched path that the OS does not list as a serial port appears in the list. */
export const ON_DISK_DESCRIPTION = vscode.l10n.t('not a listed serial port; present on disk (a pty or a link)');

/**
 * Notices boards being plugged and unplugged by listing ports every few seconds, but
 * only while this window has focus (a background window costs nothing) and whenever
 * someone asks (the picker opening, the terminal waiting for a board to come back).
 *
 * The OS lists USB serial ports only: a typed path (a socat pty such as /tmp/x/host →
 * /dev/pts/3, a /dev/serial/by-id link) is never in that list. Such a path, once
 * watched (`watchPath`), counts as present while it exists on disk, and joins the list.
 */
export class PortWatcher implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<readonly SerialPortChoice[]>();
  readonly onDidChangePorts = this.changed.event;
  private latestPorts: readonly SerialPortChoice[] | undefined;
  private inFlight: Promise<readonly SerialPortChoice[]> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private isStarted = false;
  /** Watched paths with their number of watchers. */
  private readonly watchedPaths = new Map<string, number>();

  constructor(
    private readonly listPorts: () => Promise<SerialPortChoice[]>,
    private readonly pollIntervalMs = 3000,
    private readonly pathExists: (path: string) => Promise<boolean> = pathExistsOnDisk,
  ) {}

  /** Keeps `path` in the list while it exists on disk, even when the OS does not list it; until disposed. */
  watchPath(path: string): vscode.Disposable {
    if (!portCapabilities(path).isListedByOs) return { dispose: () => undefined };
    this.watchedPaths.set(path, (this.watchedPaths.get(path) ?? 0) + 1);
    let isDisposed = false;
    return {
      dispose: () => {
        if (isDisposed) return;
        isDisposed = true;
        const count = (this.watchedPaths.get(path) ?? 1) - 1;
        if (count > 0) this.watchedPaths.set(path, count);
        else this.watchedPaths.delete(path);
      },
    };
  }

  get latest(): readonly SerialPortChoice[] | undefined {
    return this.latestPorts;
  }

  /** Starts polling while focused. Separate from the constructor: activation must not list ports. */
  start(): void {
    if (this.isStarted) return;
    this.isStarted = true;
    this.disposables.push(vscode.window.onDidChangeWindowState((state) => this.setPolling(state.focused)));
    this.setPolling(vscode.window.state.focused);
  }

  private setPolling(isFocused: boolean): void {
    if (isFocused && !this.timer) {
      this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.pollIntervalMs);
      void this.refresh().catch(() => undefined);
    } else if (!isFocused && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Lists ports now (one listing at a time); fires onDidChangePorts when the set changed. */
  refresh(): Promise<readonly SerialPortChoice[]> {
    this.inFlight ??= this.listPorts()
      .then((listed) => this.withPathsOnDisk(listed))
      .then((ports) => {
        const before = this.latestPorts;
        this.latestPorts = ports;
        if (!before || !samePorts(before, ports)) this.changed.fire(ports);
        return ports;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async withPathsOnDisk(listed: SerialPortChoice[]): Promise<SerialPortChoice[]> {
    const unlisted = [...this.watchedPaths.keys()].filter((path) => !listed.some((p) => p.path === path));
    const present = await Promise.all(unlisted.map(async (path) => ((await this.pathExists(path)) ? [path] : [])));
    return [...listed, ...present.flat().map((path) => ({ path, description: ON_DISK_DESCRIPTION, isLikelyPycom: false }))];
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.changed.dispose();
  }
}

function samePorts(a: readonly SerialPortChoice[], b: readonly SerialPortChoice[]): boolean {
  const key = (ports: readonly SerialPortChoice[]) =>
    ports
      .map((p) => `${p.path}\u0000${p.description}`)
      .sort()
      .join('\u0001');
  return key(a) === key(b);
}
