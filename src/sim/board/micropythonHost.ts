import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { MICROPYTHON_WORKER_SOURCE } from './micropythonWorkerSource';

/** Indexes of the shared control words (must match the worker script). */
export const CONTROL = { INTERRUPT: 0, RX_WRITTEN: 1, RX_READ: 2, INTR_CHAR: 3, WAKE: 4, SLEEPING: 5, ANSWERED: 6 } as const;
const CONTROL_WORDS = 8;
const CTRL_C = 0x03;
/** How often bytes held back for code that is reading are moved into its buffer. */
const BACKLOG_POLL_MS = 1;

export interface BoardConfig {
  /** os.uname() fields: sysname, nodename, release, version, machine. */
  uname: [string, string, string, string, string];
  flashBytes: number;
  hasSqnsupgrade: boolean;
  /** An SD card is in the slot (its files under SD_CARD_STORE until the code mounts /sd). */
  hasSdCard?: boolean;
}

export interface MicroPythonHostOptions {
  timeScale: number;
  /** Flash write speed in board time; writes block the interpreter that long. */
  flashBytesPerSecond: number;
  /** The UART receive buffer the board's code reads while it runs (bytes beyond it are dropped). */
  rxBufferBytes: number;
  /** Bytes lost from the held-back line input (see pushRx) once the code stopped reading. */
  onRxDropped?: (byteCount: number) => void;
  boardConfig: BoardConfig;
  /** Files put in the interpreter's file system before the prelude runs. */
  files: ReadonlyArray<{ path: string; bytes: Uint8Array }>;
  prelude: string;
  heapBytes?: number;
}

/** How code is run: `exec` = file input in __main__ (raw REPL, paste mode), `single` = a REPL line (prints values), `file` = a script path (boot.py). */
export type RunHow = 'exec' | 'single' | 'file';

export interface RunOutcome {
  isOk: boolean;
  exceptionType?: string;
  /** MicroPython's traceback text, `\n` line ends. */
  traceback?: string;
  /** True when the code ran under a one-line wrapper whose frame heads the traceback. */
  isWrapped?: boolean;
}

/** What `_simhost.ask(what, arg)` may get back in Python (None for null). */
export type AskAnswer = string | number | boolean | null;

export interface RunOptions {
  /**
   * Answers the running code's `_simhost.ask(what, arg)` (modem facts, board faults,
   * orders to the modem), synchronously: the code waits for the answer.
   */
  onAsk?: (what: string, arg: string | null) => AskAnswer;
  onOutput: (bytes: Uint8Array) => void;
}

type WorkerMessage =
  | { kind: 'ready'; loadMs: number }
  | { kind: 'failed'; message: string }
  | { kind: 'out'; bytes: Uint8Array }
  | { kind: 'ask'; what: string; arg: string | null }
  | { kind: 'done'; id: number; ok: boolean; exceptionType?: string; traceback?: string; wrapped?: boolean }
  | { kind: 'fileDone'; id: number; bytes?: Uint8Array; exists?: boolean; error?: string };

function micropythonModuleUrl(): string {
  return pathToFileURL(require.resolve('@micropython/micropython-webassembly-pyscript/micropython.mjs')).href;
}

/**
 * One MicroPython interpreter in a worker thread, loaded once per board and kept
 * across soft reboots (its /flash lives in the worker's emscripten file system).
 */
export class MicroPythonHost {
  private readonly control: Int32Array;
  private readonly rxRing: Uint8Array;
  private nextId = 1;
  private running:
    | {
        id: number;
        resolve: (outcome: RunOutcome) => void;
        onOutput: (bytes: Uint8Array) => void;
        onAsk: RunOptions['onAsk'];
        finished: Promise<void>;
      }
    | undefined;
  /**
   * Bytes that arrived in one burst beyond the free buffer while the code reads: on a real
   * line they would still be crossing it, one by one, while a reading board drains its
   * buffer far faster. The simulator delivers the line in pieces (and scaled time makes
   * them large), so the part that does not fit yet waits here, in order.
   */
  private rxBacklog: number[] = [];
  private backlogTimer: ReturnType<typeof setTimeout> | undefined;
  private fileWaiters = new Map<number, (message: Extract<WorkerMessage, { kind: 'fileDone' }>) => void>();
  private exited = false;

  private constructor(
    private readonly worker: Worker,
    control: SharedArrayBuffer,
    rxRing: SharedArrayBuffer,
    /** Wall-clock ms the wasm took to load and the prelude to run. */
    readonly loadMs: number,
    private readonly onRxDropped: (byteCount: number) => void,
    private readonly askPort: MessagePort,
  ) {
    this.control = new Int32Array(control);
    this.rxRing = new Uint8Array(rxRing);
    worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    worker.on('exit', () => this.handleExit(new Error('MicroPython worker exited')));
    worker.on('error', (error) => this.handleExit(error));
  }

  static async start(options: MicroPythonHostOptions): Promise<MicroPythonHost> {
    const control = new SharedArrayBuffer(CONTROL_WORDS * 4);
    const rxRing = new SharedArrayBuffer(options.rxBufferBytes);
    new Int32Array(control)[CONTROL.INTR_CHAR] = -1;
    const asks = new MessageChannel();
    const worker = new Worker(MICROPYTHON_WORKER_SOURCE, {
      eval: true,
      transferList: [asks.port2],
      workerData: {
        askPort: asks.port2,
        moduleUrl: micropythonModuleUrl(),
        heapBytes: options.heapBytes ?? 2 * 1024 * 1024,
        timeScale: options.timeScale,
        flashBytesPerSecond: options.flashBytesPerSecond,
        prelude: options.prelude,
        boardConfig: options.boardConfig,
        files: options.files,
        control,
        rxRing,
      },
    });
    const loadMs = await new Promise<number>((resolve, reject) => {
      const onMessage = (message: WorkerMessage) => {
        if (message.kind === 'ready') finish(() => resolve(message.loadMs));
        else if (message.kind === 'failed') finish(() => reject(new Error(`MicroPython did not start: ${message.message}`)));
      };
      const onError = (error: Error) => finish(() => reject(error));
      const finish = (settle: () => void) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        settle();
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
    });
    return new MicroPythonHost(worker, control, rxRing, loadMs, options.onRxDropped ?? (() => undefined), asks.port1);
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Resolves when the code running now (if any) has finished. */
  whenIdle(): Promise<void> {
    return this.running ? this.running.finished : Promise.resolve();
  }

  get hasExited(): boolean {
    return this.exited;
  }

  /** The character that interrupts running code (3 = Ctrl-C, -1 = disabled by kbd_intr(-1) or idle). */
  get interruptChar(): number {
    return Atomics.load(this.control, CONTROL.INTR_CHAR);
  }

  run(code: string, how: RunHow, options: RunOptions): Promise<RunOutcome> {
    if (this.exited) return Promise.reject(new Error('MicroPython worker has exited'));
    if (this.running) return Promise.reject(new Error('MicroPython is already running code'));
    const id = this.nextId++;
    this.resetRing();
    // pyexec enables Ctrl-C before the code starts: a Ctrl-C sent right after "OK" must interrupt.
    Atomics.store(this.control, CONTROL.INTR_CHAR, CTRL_C);
    Atomics.store(this.control, CONTROL.INTERRUPT, 0);
    let markFinished = () => {};
    const finished = new Promise<void>((resolve) => (markFinished = resolve));
    return new Promise<RunOutcome>((resolve) => {
      const settle = (outcome: RunOutcome) => {
        markFinished();
        resolve(outcome);
      };
      this.running = { id, resolve: settle, onOutput: options.onOutput, onAsk: options.onAsk, finished };
      this.worker.postMessage({ kind: 'run', id, code, how });
    });
  }

  /** A Ctrl-C arrived while code runs: true when it interrupts (Ctrl-C enabled), false when it is data. */
  interruptIfEnabled(byte: number): boolean {
    if (!this.running || byte !== CTRL_C || this.interruptChar !== CTRL_C) return false;
    Atomics.store(this.control, CONTROL.INTERRUPT, 1);
    Atomics.add(this.control, CONTROL.WAKE, 1);
    Atomics.notify(this.control, CONTROL.WAKE);
    Atomics.notify(this.control, CONTROL.RX_WRITTEN);
    return true;
  }

  /**
   * Puts a received byte in the UART buffer the running code reads; false when it is
   * lost: the buffer is full and the code is not reading (it sleeps, e.g. in a flash
   * write). A byte that finds the buffer full while the code reads waits in the backlog.
   */
  pushRx(byte: number): boolean {
    this.moveBacklog();
    if (this.rxBacklog.length === 0 && this.putInRing(byte)) return true;
    if (this.isSleeping) return false;
    this.rxBacklog.push(byte);
    this.scheduleBacklog();
    return true;
  }

  /** Takes the bytes the code left unread (the REPL reads them next). Only while idle. */
  takeRx(): Uint8Array {
    const written = Atomics.load(this.control, CONTROL.RX_WRITTEN);
    let read = Atomics.load(this.control, CONTROL.RX_READ);
    const out = new Uint8Array(written - read + this.rxBacklog.length);
    let at = 0;
    for (; read < written; at++, read++) out[at] = this.rxRing[read % this.rxRing.length]!;
    out.set(this.rxBacklog, at);
    this.resetRing();
    return out;
  }

  private get isSleeping(): boolean {
    return Atomics.load(this.control, CONTROL.SLEEPING) === 1;
  }

  private putInRing(byte: number): boolean {
    const written = Atomics.load(this.control, CONTROL.RX_WRITTEN);
    const read = Atomics.load(this.control, CONTROL.RX_READ);
    if (written - read >= this.rxRing.length) return false;
    this.rxRing[written % this.rxRing.length] = byte;
    Atomics.store(this.control, CONTROL.RX_WRITTEN, written + 1);
    Atomics.notify(this.control, CONTROL.RX_WRITTEN);
    return true;
  }

  /** Moves held-back bytes into the buffer as it frees; once the code sleeps, what does not fit is lost. */
  private moveBacklog(): void {
    let moved = 0;
    while (moved < this.rxBacklog.length && this.putInRing(this.rxBacklog[moved]!)) moved++;
    if (moved > 0) this.rxBacklog.splice(0, moved);
    if (this.rxBacklog.length > 0 && this.isSleeping) {
      const lost = this.rxBacklog.length;
      this.rxBacklog = [];
      this.onRxDropped(lost);
    }
  }

  private scheduleBacklog(): void {
    if (this.backlogTimer) return;
    this.backlogTimer = setTimeout(() => {
      this.backlogTimer = undefined;
      if (!this.running) return;
      this.moveBacklog();
      if (this.rxBacklog.length > 0) this.scheduleBacklog();
    }, BACKLOG_POLL_MS);
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.fileOp({ op: 'read', path }).then((m) => m.bytes ?? new Uint8Array(0));
  }

  async writeFile(path: string, bytes: Uint8Array): Promise<void> {
    await this.fileOp({ op: 'write', path, bytes });
  }

  async exists(path: string): Promise<boolean> {
    return (await this.fileOp({ op: 'exists', path })).exists === true;
  }

  async terminate(): Promise<void> {
    this.askPort.close();
    if (this.exited) return;
    await this.worker.terminate();
  }

  private resetRing(): void {
    Atomics.store(this.control, CONTROL.RX_WRITTEN, 0);
    Atomics.store(this.control, CONTROL.RX_READ, 0);
    this.rxBacklog = [];
    if (this.backlogTimer) clearTimeout(this.backlogTimer);
    this.backlogTimer = undefined;
  }

  private fileOp(request: { op: 'read' | 'write' | 'exists'; path: string; bytes?: Uint8Array }) {
    if (this.exited) return Promise.reject(new Error('MicroPython worker has exited'));
    const id = this.nextId++;
    return new Promise<Extract<WorkerMessage, { kind: 'fileDone' }>>((resolve, reject) => {
      this.fileWaiters.set(id, (message) => (message.error ? reject(new Error(`${request.op} ${request.path}: ${message.error}`)) : resolve(message)));
      this.worker.postMessage({ kind: 'file', id, ...request });
    });
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.kind) {
      case 'out':
        this.running?.onOutput(message.bytes);
        break;
      case 'ask':
        this.answer(message.what, message.arg);
        break;
      case 'done': {
        const running = this.running;
        if (!running || running.id !== message.id) return;
        this.running = undefined;
        running.resolve({
          isOk: message.ok,
          exceptionType: message.exceptionType,
          traceback: message.traceback,
          isWrapped: message.wrapped,
        });
        break;
      }
      case 'fileDone': {
        const waiter = this.fileWaiters.get(message.id);
        this.fileWaiters.delete(message.id);
        waiter?.(message);
        break;
      }
      default:
        break;
    }
  }

  /** The code waits for every question to be answered: one nobody answers gets None. */
  private answer(what: string, arg: string | null): void {
    let value: AskAnswer = null;
    try {
      value = this.running?.onAsk?.(what, arg) ?? null;
    } catch {
      // The answerer reports its own failures; the code must not wait for ever.
      value = null;
    }
    this.askPort.postMessage({ value });
    Atomics.add(this.control, CONTROL.ANSWERED, 1);
    Atomics.notify(this.control, CONTROL.ANSWERED);
  }

  private handleExit(error: Error): void {
    if (this.exited) return;
    this.exited = true;
    const running = this.running;
    this.running = undefined;
    running?.resolve({ isOk: false, exceptionType: 'WorkerExited', traceback: error.message });
    for (const waiter of this.fileWaiters.values()) waiter({ kind: 'fileDone', id: 0, error: error.message });
    this.fileWaiters.clear();
  }
}
