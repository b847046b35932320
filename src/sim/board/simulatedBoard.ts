import type { ByteTransport } from '../../core/transport/byteTransport';
import { latin1ToBytes } from '../../core/transport/framers';
import { Deadline } from '../../core/time/deadline';
import { TypedEmitter } from '../../core/events/typedEmitter';
import { MicroPythonHost, type BoardConfig, type RunHow } from './micropythonHost';
import { PRELUDE_SOURCE, SIMBOARD_MODULE_SOURCE } from './boardPrelude';
import { SQNSUPGRADE_STAND_IN_SOURCE } from './sqnsupgradeStandIn';
import { PycomRepl, CTRL_F, type ExecResult, type ReplExit, type ReplIo } from './pycomRepl';
import { findPost111Syntax, syntaxErrorTraceback } from './micropython111Syntax';
import { boardTraceback, cookBytes } from './boardTraceback';
import { UartModel } from './uartModel';
import { MirrorBridge } from './mirrorBridge';
import { answerBoardQuestion, type BoardAnswerSources } from './boardAnswers';
import {
  DEFAULT_FLASH_BYTES,
  DEFAULT_FLASH_BYTES_PER_SECOND,
  DEFAULT_RX_BUFFER_BYTES,
  MIRROR_BAUD_RATE,
  compareRelease,
  flashPath,
  sdCardPath,
  type BoardEvent,
  type BoardState,
  type BoardStats,
  type SimulatedBoardOptions,
} from './boardOptions';

export * from './boardOptions';

/** How long a reset waits for running code to take Ctrl-C before it restarts the interpreter. */
const INTERRUPT_GRACE_MS = 500;
const UTF8 = new TextDecoder('utf-8');

interface Session {
  readonly controller: AbortController;
  wake?: () => void;
}

/**
 * A Pycom board on a UART: a real MicroPython interpreter behind Pycom's REPL, a
 * small /flash, a small receive buffer, and mirror mode to the modem.
 */
export class SimulatedBoard {
  readonly events = new TypedEmitter<BoardEvent>();
  readonly stats: BoardStats = {
    ctrlFReceived: 0,
    safeBoots: 0,
    softReboots: 0,
    hardResets: 0,
    rxDroppedBytes: 0,
    execs: 0,
    interpreterRestarts: 0,
  };
  private host: MicroPythonHost | undefined;
  private readonly uart: UartModel;
  private readonly replInput: number[] = [];
  private session: Session | undefined;
  private repl: PycomRepl | undefined;
  private currentState: BoardState = 'off';
  private mirror: MirrorBridge | undefined;
  private readonly options: Required<Omit<SimulatedBoardOptions, 'modemFacts' | 'modemActions' | 'modemIo' | 'log' | 'files' | 'faults' | 'sdCard'>> &
    Pick<SimulatedBoardOptions, 'modemFacts' | 'modemActions' | 'modemIo' | 'log' | 'files' | 'sdCard'>;
  private readonly answers: BoardAnswerSources;
  private lifecycle: Promise<void> = Promise.resolve();

  constructor(io: ByteTransport, options: SimulatedBoardOptions = {}) {
    const release = options.release ?? '1.20.2.r6';
    this.options = {
      machine: options.machine ?? 'GPy',
      release,
      micropythonTag: options.micropythonTag ?? 'v1.11-c5a0a97',
      buildDate: options.buildDate ?? '2021-10-28',
      hasSqnsupgrade: options.hasSqnsupgrade ?? compareRelease(release, '1.20') >= 0,
      flashBytes: options.flashBytes ?? DEFAULT_FLASH_BYTES,
      timeScale: options.timeScale ?? 1,
      isPaced: options.isPaced ?? true,
      rxBufferBytes: options.rxBufferBytes ?? DEFAULT_RX_BUFFER_BYTES,
      flashBytesPerSecond: options.flashBytesPerSecond ?? DEFAULT_FLASH_BYTES_PER_SECOND,
      files: options.files,
      sdCard: options.sdCard,
      modemFacts: options.modemFacts,
      modemActions: options.modemActions,
      lteAutostart: options.lteAutostart ?? false,
      modemIo: options.modemIo,
      log: options.log,
    };
    this.answers = {
      modemFacts: options.modemFacts,
      modemActions: options.modemActions,
      faults: new Set(options.faults ?? []),
      lteAutostart: this.options.lteAutostart,
      log: options.log,
    };
    this.uart = new UartModel(io, {
      timeScale: this.options.timeScale,
      isPaced: this.options.isPaced,
      onReceive: (bytes) => this.onReceive(bytes),
    });
  }

  get state(): BoardState {
    return this.currentState;
  }

  /** Whether the REPL is in raw mode (undefined outside the REPL). */
  get replMode(): 'friendly' | 'raw' | undefined {
    return this.currentState === 'repl' ? this.repl?.mode : undefined;
  }

  /** Wall-clock ms the MicroPython wasm took to load (once per board). */
  get interpreterLoadMs(): number {
    return this.host?.loadMs ?? 0;
  }

  get banner(): string {
    const { release, micropythonTag, buildDate, machine } = this.options;
    return `Pycom MicroPython ${release} [${micropythonTag}] on ${buildDate}; ${machine} with ESP32\r\nType "help()" for more information.\r\n`;
  }

  /** Power on: loads the interpreter and boots to the REPL (the banner goes out on the UART). */
  async start(): Promise<void> {
    if (this.currentState !== 'off') return;
    this.setState('booting');
    this.host = await this.startInterpreter();
    this.uart.start();
    this.boot('power-on');
  }

  /**
   * The reset button (or a power-cycle of the board alone): the REPL restarts at 115200
   * in friendly mode and mirror mode ends. It does not reset the modem.
   */
  async resetBoard(): Promise<void> {
    if (this.currentState === 'off' || this.currentState === 'stopped') return;
    this.stats.hardResets++;
    this.endSession();
    this.uart.clearTx();
    this.replInput.length = 0;
    await this.mirror?.stop();
    this.mirror = undefined;
    await this.stopRunningCode();
    if (this.repl) this.repl.mode = 'friendly';
    this.boot('hard-reset');
  }

  async stop(): Promise<void> {
    if (this.currentState === 'stopped') return;
    this.setState('stopped');
    this.endSession();
    await this.mirror?.stop();
    await this.uart.stop();
    await this.host?.terminate();
  }

  /** Reads a file straight from the board's file system (test and demo set-up; no UART). */
  readFile(path: string): Promise<Uint8Array> {
    return this.requireHost().readFile(flashPath(path));
  }

  writeFile(path: string, bytes: Uint8Array | string): Promise<void> {
    return this.requireHost().writeFile(flashPath(path), typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
  }

  exists(path: string): Promise<boolean> {
    return this.requireHost().exists(flashPath(path));
  }

  /** Resolves when the board reaches `state` (e.g. 'repl' after boot, 'mirror'), or rejects at the deadline. */
  whenState(state: BoardState, deadline: Deadline): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.currentState === state) return resolve();
      const timer = setTimeout(() => {
        off();
        reject(new Error(`board not ${state} within ${deadline.budgetMs} ms (it is ${this.currentState})`));
      }, deadline.remainingMs());
      const off = this.events.on((event) => {
        if (event.kind !== 'state' || event.state !== state) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  private setState(state: BoardState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.events.emit({ kind: 'state', state });
  }

  private requireHost(): MicroPythonHost {
    if (!this.host) throw new Error('the simulated board is not started');
    return this.host;
  }

  private async startInterpreter(): Promise<MicroPythonHost> {
    const { machine, release, micropythonTag, buildDate } = this.options;
    const config: BoardConfig = {
      uname: [machine, machine, release, `${micropythonTag} on ${buildDate}`, `${machine} with ESP32`],
      flashBytes: this.options.flashBytes,
      hasSqnsupgrade: this.options.hasSqnsupgrade,
      hasSdCard: this.options.sdCard !== undefined,
    };
    const encode = (text: string) => new TextEncoder().encode(text);
    const files = [
      { path: '/_sim/_simboard.py', bytes: encode(SIMBOARD_MODULE_SOURCE) },
      { path: '/frozen/sqnsupgrade.py', bytes: encode(SQNSUPGRADE_STAND_IN_SOURCE) },
      { path: '/flash/boot.py', bytes: encode('# boot.py -- run on boot-up\n') },
      { path: '/flash/main.py', bytes: encode('# main.py -- put your code here!\n') },
      { path: '/flash/lib/.keep', bytes: new Uint8Array(0) },
      ...Object.entries(this.options.files ?? {}).map(([path, content]) => ({
        path: flashPath(path),
        bytes: typeof content === 'string' ? encode(content) : content,
      })),
      ...Object.entries(this.options.sdCard ?? {}).map(([name, content]) => ({
        path: sdCardPath(name),
        bytes: typeof content === 'string' ? encode(content) : content,
      })),
    ];
    const host = await MicroPythonHost.start({
      timeScale: this.options.timeScale,
      flashBytesPerSecond: this.options.flashBytesPerSecond,
      rxBufferBytes: this.options.rxBufferBytes,
      onRxDropped: (byteCount) => this.countDropped(byteCount),
      boardConfig: config,
      files,
      prelude: PRELUDE_SOURCE,
    });
    await host.run('import os\nos.remove("/flash/lib/.keep")', 'exec', { onOutput: () => undefined });
    this.options.log?.(`MicroPython loaded in ${host.loadMs.toFixed(0)} ms`);
    return host;
  }

  /** Runs the boot sequence then the REPL, one after the other, never two at once. */
  private boot(reason: 'power-on' | 'soft-reboot' | 'safe-boot' | 'hard-reset'): void {
    const session: Session = { controller: new AbortController() };
    this.session = session;
    this.lifecycle = this.lifecycle.then(() => this.runSession(session, reason)).catch((error) => {
      if (!session.controller.signal.aborted) this.options.log?.(`board session ended: ${String(error)}`);
    });
  }

  private async runSession(session: Session, reason: 'power-on' | 'soft-reboot' | 'safe-boot' | 'hard-reset'): Promise<void> {
    if (session.controller.signal.aborted) return;
    this.setState('booting');
    const host = this.requireHost();
    if (reason === 'soft-reboot') this.send(session, 'PYB: soft reboot\r\n');
    if (reason !== 'power-on') await host.run('_simboard.soft_reset(globals())', 'exec', { onOutput: () => undefined });
    // pyexec's mode survives a soft reboot: a reboot from the raw REPL comes back raw.
    const repl = new PycomRepl(this.replIo(session), reason === 'soft-reboot' ? (this.repl?.mode ?? 'friendly') : 'friendly');
    this.repl = repl;
    if (reason !== 'safe-boot') {
      const bootExit = await this.runScript(session, 'boot.py');
      if (bootExit) return this.afterExit(session, bootExit);
      if (repl.mode === 'friendly') {
        const mainExit = await this.runScript(session, 'main.py');
        if (mainExit) return this.afterExit(session, mainExit);
      }
    }
    if (session.controller.signal.aborted) return;
    // 'repl' once the banner and prompt are out: a host that opens the port now sees a quiet line.
    const running = repl.run();
    await this.uart.whenSent();
    if (!session.controller.signal.aborted) {
      this.setState('repl');
      this.events.emit({ kind: 'booted', reason });
    }
    const exit = await running;
    await this.afterExit(session, exit);
  }

  private async afterExit(session: Session, exit: ReplExit): Promise<void> {
    if (session.controller.signal.aborted) return;
    switch (exit) {
      case 'soft-reboot':
        this.stats.softReboots++;
        this.boot('soft-reboot');
        return;
      case 'safe-boot':
        this.stats.safeBoots++;
        this.boot('safe-boot');
        return;
      case 'hard-reset':
        this.stats.hardResets++;
        this.uart.clearTx();
        this.boot('hard-reset');
        return;
      case 'mirror':
        await this.enterMirror(session);
        return;
    }
  }

  /** boot.py / main.py: run when present; their tracebacks print as in the friendly REPL. */
  private async runScript(session: Session, name: string): Promise<ReplExit | undefined> {
    const host = this.requireHost();
    if (!(await host.exists(`/flash/${name}`))) return undefined;
    const result = await this.execute(session, name, 'file');
    if (result.exceptionType === 'EnterMirror') return 'mirror';
    if (result.exceptionType === 'BoardReset') return 'hard-reset';
    if (result.exceptionType === 'SystemExit') return undefined;
    if (!result.isOk) this.send(session, result.traceback);
    return undefined;
  }

  private replIo(session: Session): ReplIo {
    return {
      readByte: () => this.readByte(session),
      write: (text) => this.send(session, text),
      execute: (code, how) => this.execute(session, code, how),
      banner: () => this.banner,
    };
  }

  private send(session: Session, text: string | Uint8Array): void {
    if (session !== this.session || session.controller.signal.aborted) return;
    this.uart.send(typeof text === 'string' ? latin1ToBytes(text) : text);
  }

  private readByte(session: Session): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const attempt = () => {
        if (session.controller.signal.aborted) {
          reject(new Error('board reset'));
          return;
        }
        const byte = this.replInput.shift();
        if (byte === undefined) {
          session.wake = attempt;
          return;
        }
        session.wake = undefined;
        resolve(byte);
      };
      attempt();
    });
  }

  private async execute(session: Session, code: string, how: RunHow): Promise<ExecResult> {
    this.stats.execs++;
    this.events.emit({ kind: 'exec', how, code });
    if (how !== 'file') {
      const rejection = findPost111Syntax(code);
      if (rejection) {
        return { isOk: false, exceptionType: 'SyntaxError', traceback: boardTraceback(syntaxErrorTraceback(rejection)) };
      }
    }
    const host = this.requireHost();
    // The REPL collects raw bytes; MicroPython source is UTF-8.
    const source = how === 'file' ? code : UTF8.decode(latin1ToBytes(code));
    const outcome = await host.run(source, how, {
      onAsk: (what, arg) => answerBoardQuestion(what, arg, this.answers),
      onOutput: (bytes) => this.send(session, cookBytes(bytes)),
    });
    // What the code left unread in the UART buffer is the REPL's next input.
    if (!host.hasExited) this.replInput.unshift(...host.takeRx());
    return {
      isOk: outcome.isOk,
      exceptionType: outcome.exceptionType,
      traceback: outcome.isOk ? '' : boardTraceback(outcome.traceback ?? '', { isWrapped: outcome.isWrapped }),
    };
  }

  private onReceive(bytes: Uint8Array): void {
    if (this.mirror) {
      this.mirror.fromHost(bytes);
      return;
    }
    const host = this.host;
    let dropped = 0;
    for (const byte of bytes) {
      if (byte === CTRL_F) {
        this.stats.ctrlFReceived++;
        this.events.emit({ kind: 'ctrlF' });
      }
      if (host?.isRunning) {
        if (host.interruptIfEnabled(byte)) continue;
        if (!host.pushRx(byte)) dropped++;
      } else if (this.currentState === 'repl' || this.replInput.length < this.options.rxBufferBytes) {
        this.replInput.push(byte);
      } else {
        dropped++;
      }
    }
    this.countDropped(dropped);
    this.session?.wake?.();
  }

  private countDropped(byteCount: number): void {
    if (byteCount === 0) return;
    this.stats.rxDroppedBytes += byteCount;
    this.events.emit({ kind: 'rxDropped', byteCount });
  }

  private async enterMirror(session: Session): Promise<void> {
    // The last line goes out at 115200; only then does the UART change speed.
    await this.uart.whenSent();
    if (session.controller.signal.aborted) return;
    this.mirror = new MirrorBridge(this.uart, this.options.modemIo, this.options.log);
    await this.mirror.start();
    this.setState('mirror');
    this.events.emit({ kind: 'mirror', baudRate: MIRROR_BAUD_RATE });
  }

  private endSession(): void {
    const session = this.session;
    if (!session) return;
    session.controller.abort();
    session.wake?.();
  }

  /** Running code must stop for a reset: Ctrl-C first; code that ignores it costs the interpreter. */
  private async stopRunningCode(): Promise<void> {
    const host = this.host;
    if (!host?.isRunning) {
      await this.lifecycle;
      return;
    }
    host.interruptIfEnabled(0x03);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, INTERRUPT_GRACE_MS)));
    await Promise.race([host.whenIdle(), graceOver]);
    clearTimeout(timer);
    if (host.isRunning) {
      this.stats.interpreterRestarts++;
      this.options.log?.('running code ignored Ctrl-C: restarting the interpreter (/flash contents are lost)');
      await host.terminate();
      this.host = await this.startInterpreter();
    }
    await this.lifecycle;
  }
}
