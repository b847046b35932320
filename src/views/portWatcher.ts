import * as vscode from 'vscode';
import type { SerialPortChoice } from '../commands/modemCore';

/**
 * Notices boards being plugged and unplugged by listing ports every few seconds, but
 * only while this window has focus (a background window costs nothing) and whenever
 * someone asks (the picker opening, the terminal waiting for a board to come back).
 */
export class PortWatcher implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<readonly SerialPortChoice[]>();
  readonly onDidChangePorts = this.changed.event;
  private latestPorts: readonly SerialPortChoice[] | undefined;
  private inFlight: Promise<readonly SerialPortChoice[]> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private isStarted = false;

  constructor(
    private readonly listPorts: () => Promise<SerialPortChoice[]>,
    private readonly pollIntervalMs = 3000,
  ) {}

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
