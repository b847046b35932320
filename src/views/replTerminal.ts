import * as vscode from 'vscode';
import { OperationAbortedError, PortClosedError, isModemToolError } from '../core/errors';
import { Deadline } from '../core/time/deadline';
import { anyBytes } from '../core/transport/framers';
import type { ByteTransport } from '../core/transport/byteTransport';
import { isYieldAbort, type PortOwner, type TurnContext } from '../core/transport/portOwner';
import type { SerialPortChoice } from '../glue/modemCore';

export interface ReplTerminalOptions {
  portPath: string;
  baudRate: number;
  /** The one owner of the port in this window (shared with the other commands). */
  ownerFor(portPath: string): Promise<Pick<PortOwner, 'run'>>;
  /**
   * Readies the board before each connect (the simulated GPy is power-cycled out of
   * mirror mode); returns a note for the terminal when it did something.
   */
  beforeConnect?: () => Promise<string | undefined>;
  /** The tool power-cycles this board itself (beforeConnect), so mirror mode needs no unplugging. */
  canPowerCycle?: boolean;
  /** Tells when ports come and go, to reconnect after a board reboot; absent for the simulator. */
  ports?: {
    onDidChangePorts: vscode.Event<readonly SerialPortChoice[]>;
    refresh(): Promise<readonly SerialPortChoice[]>;
    /** Keeps a path the OS does not list (a socat pty) in the list while it exists on disk. */
    watchPath?(path: string): vscode.Disposable;
  };
}

type ReplState = 'idle' | 'connecting' | 'connected' | 'lent' | 'afterMirror' | 'waitingForBoard' | 'failed' | 'closed';

/**
 * Pasted text goes out in pieces: the board's UART receive buffer is small, and each
 * write resolves only once the OS has sent it, which keeps a paste from outrunning it.
 */
const PASTE_CHUNK_BYTES = 128;

const CTRL_B = new Uint8Array([0x02]);

const NOTE = (text: string) => `\r\n\x1b[2m[${text}]\x1b[0m\r\n`;

/**
 * The board's REPL as a VS Code terminal. Its session is a yielding turn on the port's
 * owner: when an upgrade or a file push asks for the port, the terminal gives way, the
 * job gets the same open handle, and the terminal resumes on it when the job ends (unless
 * the job left the board in mirror mode). It reconnects when the board reboots and its
 * USB port comes back.
 */
export class ReplPseudoterminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;

  private state: ReplState = 'idle';
  private io: ByteTransport | undefined;
  private turn: { controller: AbortController; done: Promise<void> } | undefined;
  private portWatch: vscode.Disposable | undefined;
  private pathWatch: vscode.Disposable | undefined;
  private dimensions: vscode.TerminalDimensions | undefined;
  private inputQueue: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReplTerminalOptions) {}

  get portPath(): string {
    return this.options.portPath;
  }

  get currentState(): ReplState {
    return this.state;
  }

  /** Last size the terminal reported; the REPL itself does not use it. */
  get size(): vscode.TerminalDimensions | undefined {
    return this.dimensions;
  }

  open(initialDimensions: vscode.TerminalDimensions | undefined): void {
    this.dimensions = initialDimensions;
    void this.connect();
  }

  close(): void {
    this.state = 'closed';
    this.stopWatchingPorts();
    void this.disconnect();
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    this.dimensions = dimensions;
  }

  handleInput(data: string): void {
    if ((this.state === 'failed' || this.state === 'waitingForBoard') && data === '\r') {
      this.stopWatchingPorts();
      this.state = 'idle';
      void this.connect();
      return;
    }
    const io = this.io;
    if (this.state !== 'connected' || !io) return;
    const bytes = new TextEncoder().encode(data);
    // Keys and pastes go out in order, one write at a time.
    this.inputQueue = this.inputQueue.then(async () => {
      for (let offset = 0; offset < bytes.length; offset += PASTE_CHUNK_BYTES) {
        if (this.io !== io) return;
        await io.write(bytes.subarray(offset, offset + PASTE_CHUNK_BYTES)).catch(() => undefined);
      }
    });
  }

  private async connect(): Promise<void> {
    if (this.state === 'closed' || this.state === 'connecting' || this.state === 'connected') return;
    this.state = 'connecting';
    const { portPath, baudRate } = this.options;
    const controller = new AbortController();
    const done = this.ready()
      .then(() => this.options.ownerFor(portPath))
      .then((owner) =>
        // A yielding turn: any job queued on the port takes it over on the same handle.
        owner.run((io, signal, turn) => this.session(io, signal, turn), { settings: { baudRate }, signal: controller.signal, isYielding: true }),
      )
      .then(() => this.afterResumedTurn())
      .catch((error: unknown) => this.sessionEnded(error, controller.signal));
    this.turn = { controller, done };
  }

  private async ready(): Promise<void> {
    const note = await this.options.beforeConnect?.();
    if (note) this.write(NOTE(note));
  }

  /** The terminal's turn on the port: it lasts until the port closes or someone needs it. */
  private async session(io: ByteTransport, signal: AbortSignal, turn: TurnContext): Promise<void> {
    if (turn.previous?.isBoardInMirrorMode) {
      // The board now bridges the port to the modem at 921600 and has no REPL; talking
      // to it at the REPL rate would send garbage to the modem. A power cycle ends it.
      turn.leave({ isBoardInMirrorMode: true });
      this.state = 'afterMirror';
      return;
    }
    const isResuming = this.state === 'lent';
    this.io = io;
    this.state = 'connected';
    this.write(
      NOTE(
        isResuming
          ? vscode.l10n.t('port back from the modem job: {0} at {1} baud, same connection', this.portPath, this.options.baudRate)
          : vscode.l10n.t('connected to {0} at {1} baud: Ctrl-C interrupts, Ctrl-D soft-reboots', this.portPath, this.options.baudRate),
      ),
    );
    // Ctrl-B leaves a raw REPL another tool may have left behind, and at the friendly
    // prompt it prints the banner and a fresh prompt: the user sees where the board stands.
    await io.write(CTRL_B, signal).catch(() => undefined);
    const decoder = new TextDecoder('utf-8');
    try {
      for (;;) {
        const bytes = await io.read(anyBytes, { deadline: Deadline.never('board output'), signal });
        this.write(decoder.decode(bytes, { stream: true }));
      }
    } finally {
      if (this.io === io) this.io = undefined;
    }
  }

  private sessionEnded(error: unknown, signal: AbortSignal): void {
    if (this.state === 'closed') return;
    if (isYieldAbort(error)) {
      // Another job asked for the port: it has the handle now; queue to get it back.
      this.io = undefined;
      this.turn = undefined;
      this.state = 'lent';
      this.write(NOTE(vscode.l10n.t('port lent to the modem job')));
      void this.queueAfterJob();
      return;
    }
    if (error instanceof OperationAbortedError || signal.aborted) {
      if (this.state === 'connecting' || this.state === 'connected') this.state = 'idle';
      return;
    }
    if (error instanceof PortClosedError && error.reason === 'vanished') {
      this.waitForBoard();
      return;
    }
    this.state = 'failed';
    const message = error instanceof Error ? error.message : String(error);
    const action = isModemToolError(error) ? ` ${error.action}` : '';
    this.write(NOTE(vscode.l10n.t('{0}{1} Press Enter to retry.', message, action)));
  }

  /** The board rebooted or was unplugged: reconnect when its port is listed again. */
  private waitForBoard(
    why = vscode.l10n.t('{0} disappeared (board reset or unplugged): waiting for it to come back', this.portPath),
    { mustVanishFirst = false } = {},
  ): void {
    if (this.state === 'closed') return;
    this.state = 'waitingForBoard';
    this.write(NOTE(why));
    const ports = this.options.ports;
    if (!ports) {
      this.state = 'failed';
      this.write(NOTE(vscode.l10n.t('Press Enter to reconnect.')));
      return;
    }
    this.stopWatchingPorts();
    // A power cycle shows as the port leaving the list, then coming back.
    let hasVanished = !mustVanishFirst;
    this.pathWatch = ports.watchPath?.(this.portPath);
    this.portWatch = ports.onDidChangePorts((list) => {
      const isListed = list.some((p) => p.path === this.portPath);
      if (!isListed) hasVanished = true;
      if (this.state === 'waitingForBoard' && isListed && hasVanished) {
        this.stopWatchingPorts();
        this.state = 'idle';
        void this.connect();
      }
    });
    void ports.refresh().catch(() => undefined);
  }

  private stopWatchingPorts(): void {
    this.portWatch?.dispose();
    this.portWatch = undefined;
    this.pathWatch?.dispose();
    this.pathWatch = undefined;
  }

  /** Queued behind the job that took the port: resumes on the same handle when it ends. */
  private async queueAfterJob(): Promise<void> {
    const { portPath, baudRate } = this.options;
    const controller = new AbortController();
    const done = this.options
      .ownerFor(portPath)
      .then((owner) => owner.run((io, signal, turn) => this.session(io, signal, turn), { settings: { baudRate }, signal: controller.signal, isYielding: true }))
      .then(() => this.afterResumedTurn())
      .catch((error: unknown) => this.sessionEnded(error, controller.signal));
    this.turn = { controller, done };
    await done;
  }

  /** A resumed turn that found the board in mirror mode ends at once: wait for the power cycle. */
  private afterResumedTurn(): void {
    if (this.state !== 'afterMirror') return;
    this.state = 'idle';
    if (this.options.canPowerCycle && this.options.beforeConnect) {
      // A board the tool power-cycles itself: a click away, not a cable.
      this.write(NOTE(vscode.l10n.t('port back from the modem job: power-cycling the simulated board and reconnecting')));
      void this.connect();
      return;
    }
    this.waitForBoard(vscode.l10n.t('the board is in mirror mode until power-cycled: unplug it and plug it back in (or press Enter to reconnect now)'), {
      mustVanishFirst: true,
    });
  }

  private async disconnect(): Promise<void> {
    const turn = this.turn;
    this.turn = undefined;
    this.io = undefined;
    turn?.controller.abort(new OperationAbortedError('the REPL terminal let go of the port'));
    await turn?.done;
  }

  private write(text: string): void {
    if (this.state !== 'closed' || text.length === 0) this.written.fire(text);
  }
}

export function createReplTerminal(options: ReplTerminalOptions): { terminal: vscode.Terminal; pty: ReplPseudoterminal } {
  const pty = new ReplPseudoterminal(options);
  const terminal = vscode.window.createTerminal({
    name: vscode.l10n.t('Pycom REPL ({0})', options.portPath),
    pty,
    iconPath: new vscode.ThemeIcon('terminal'),
  });
  return { terminal, pty };
}
