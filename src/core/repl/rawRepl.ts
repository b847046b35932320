import { ProtocolError, ReadTimeoutError } from '../errors';
import { BoardCodeTimeoutError, BoardSilentError } from './replErrors';

export { BoardCodeTimeoutError, BoardSilentError };
import type { ByteTransport, Framer } from '../transport/byteTransport';
import { bytesToLatin1, untilBytes } from '../transport/framers';
import { Deadline } from '../time/deadline';
import { BoardExecError } from './replOutput';

/**
 * A client for the MicroPython raw REPL as Pycom firmware 1.20 (MicroPython 1.11)
 * speaks it (PROTOCOL.md section 7): code, Ctrl-D, then `OK`, stdout, `\x04`,
 * stderr, `\x04>`. Raw-paste mode came in MicroPython 1.13, so it is never probed.
 *
 * Flow control. The raw REPL echoes nothing while it receives code, so there is no
 * acknowledgement to wait for inside one exec. It needs none: while receiving, the
 * board's REPL loop takes each byte off the UART as it lands, and the 115200 line
 * itself paces the host. Bytes are lost only when they arrive while the board is busy
 * running code and its small UART buffer fills. This client therefore never writes
 * while code runs: one exec at a time, the next code only after the `\x04>` prompt.
 * That reply is the acknowledgement the small buffer needs. (Code that reads its own
 * stdin while it runs gets data through `io` under its own flow control: see
 * board/streamedPartWriter.ts.)
 *
 * Control bytes this client sends: Ctrl-C (interrupt), Ctrl-A (enter raw), Ctrl-D
 * (run the code just sent; never alone: alone it soft-reboots), Ctrl-B (leave raw).
 * Never Ctrl-F: Pycom firmware reboots into safe boot on it.
 */

export const RAW_REPL_BANNER = 'raw REPL; CTRL-B to exit\r\n>';
const FRIENDLY_PROMPT = '>>> ';

const CTRL_A = 0x01;
const CTRL_B = 0x02;
const CTRL_C = 0x03;
const CTRL_D = 0x04;

/** Line rate of the REPL UART: bytes per second for 8N1 (10 bits per byte). */
function bytesPerSecond(baudRate: number): number {
  return baudRate / 10;
}

/** Time the board needs to answer Ctrl-A when it is idle, beyond the line time. */
export const ENTER_REPLY_TIMEOUT_MS = 1_500;
/** A program stopped by Ctrl-C may print a long traceback and run `finally` blocks. */
export const INTERRUPT_TIMEOUT_MS = 5_000;
/** Default budget for running one piece of board code, on top of the time the line needs to carry it. */
export const DEFAULT_EXEC_TIMEOUT_MS = 10_000;

export interface ReplWaitOptions {
  signal?: AbortSignal;
  deadline?: Deadline;
  /** How long an idle board may take to answer a control key (default ENTER_REPLY_TIMEOUT_MS). */
  replyTimeoutMs?: number;
  /** How long a program stopped by Ctrl-C may take to reach the prompt (default INTERRUPT_TIMEOUT_MS). */
  interruptTimeoutMs?: number;
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** Budget for the board to run the code, beyond the time the line needs to carry it. */
  timeoutMs?: number;
  /** An outer deadline; the sooner of it and timeoutMs applies. */
  deadline?: Deadline;
  /** Called with stdout text as it arrives (\r\n line ends as the board sends them). */
  onStdout?: (text: string) => void;
}

export interface ExecResult {
  stdout: string;
  /** The traceback text, empty when the code ran without an exception. */
  stderr: string;
}

/** Where the client believes the board's REPL stands. */
export type ReplState = 'raw' | 'running' | 'friendly' | 'unknown' | 'detached';

/** Stdout up to the \x04 that ends it, or what has arrived so far when it has not come yet. */
const stdoutChunkFramer: Framer<{ bytes: Uint8Array; hasEnded: boolean }> = {
  description: "the board's output (ended by \\x04)",
  frame(pending) {
    const end = pending.indexOf(CTRL_D);
    if (end === -1) return { value: { bytes: pending.slice(), hasEnded: false }, consumed: pending.length };
    return { value: { bytes: pending.slice(0, end), hasEnded: true }, consumed: end + 1 };
  },
};

/**
 * The `OK` that accepts the code. A raw REPL banner before it is skipped: after a slow
 * resync the board may still be answering an earlier Ctrl-A, and the wire keeps order,
 * so such a late banner always comes before the OK.
 */
function okFramer(): Framer<true> {
  const banner = `\r\n${RAW_REPL_BANNER}`;
  return {
    description: "the raw REPL's OK",
    frame(pending) {
      let text = bytesToLatin1(pending);
      let skipped = 0;
      for (;;) {
        const lead = text.startsWith('\r\n') ? 2 : 0;
        if (text.startsWith(RAW_REPL_BANNER, lead)) {
          skipped += lead + RAW_REPL_BANNER.length;
          text = text.slice(lead + RAW_REPL_BANNER.length);
          continue;
        }
        break;
      }
      if (text.startsWith('OK')) return { value: true, consumed: skipped + 2 };
      if ('OK'.startsWith(text) || banner.startsWith(text) || RAW_REPL_BANNER.startsWith(text)) return undefined;
      throw new ProtocolError(
        text.includes('soft reboot')
          ? 'The board restarted its REPL instead of running the code (it received Ctrl-D on an empty line).'
          : `The board did not accept the code: expected "OK", got ${JSON.stringify(text.slice(0, 80))}.`,
        'Reset the board (press its reset button) and run the command again.',
        pending.slice(),
      );
    },
  };
}

function encodeCode(code: string): Uint8Array {
  const bytes = new TextEncoder().encode(code.trim() === '' ? 'pass' : code);
  if (bytes.includes(CTRL_C) || bytes.includes(CTRL_D)) {
    // A 0x03 would clear the raw REPL's line and a 0x04 would run half the code.
    throw new Error('board code must not contain the bytes 0x03 or 0x04; build literals with pyStr/pyBytes');
  }
  return bytes;
}

export class RawRepl {
  private replState: ReplState = 'raw';
  /** Remembered from enter() for later resyncs. */
  private replyTimeoutMs = ENTER_REPLY_TIMEOUT_MS;
  private interruptTimeoutMs = INTERRUPT_TIMEOUT_MS;

  private constructor(readonly io: ByteTransport) {}

  get state(): ReplState {
    return this.replState;
  }

  /**
   * Stops whatever runs on the board and enters the raw REPL. Tolerates any output
   * (a running program's prints, a traceback, the banner). Fails with a typed error
   * when the board does not answer: wrong port, board in mirror mode, or a program
   * that disabled Ctrl-C.
   */
  static async enter(io: ByteTransport, options: ReplWaitOptions = {}): Promise<RawRepl> {
    const repl = new RawRepl(io);
    if (options.replyTimeoutMs !== undefined) repl.replyTimeoutMs = options.replyTimeoutMs;
    if (options.interruptTimeoutMs !== undefined) repl.interruptTimeoutMs = options.interruptTimeoutMs;
    await repl.resync(options);
    return repl;
  }

  /** Brings an out-of-step REPL back to the raw prompt (after an abort or an unknown state). */
  async resync({
    signal,
    deadline,
    replyTimeoutMs = this.replyTimeoutMs,
    interruptTimeoutMs = this.interruptTimeoutMs,
  }: ReplWaitOptions = {}): Promise<void> {
    this.throwIfDetached();
    const outer = deadline ?? Deadline.in(replyTimeoutMs * 2 + interruptTimeoutMs, 'the raw REPL prompt');
    this.replState = 'unknown';
    /** Bytes that came back but were no prompt: tells "silent" from "wrong baud rate" in the error. */
    let strayBytes = 0;
    const readOrTimeout = async (marker: string, budgetMs: number, label: string): Promise<boolean> => {
      try {
        await this.io.read(untilBytes(marker, label), { deadline: outer.within(budgetMs).withLabel(label), signal });
        return true;
      } catch (error) {
        if (!(error instanceof ReadTimeoutError)) throw error;
        strayBytes += error.lastBytes.length;
        return false;
      }
    };
    // Fast path: an idle board (friendly or raw prompt) answers Ctrl-A at once.
    this.io.drain();
    await this.io.write(new Uint8Array([0x0d, CTRL_C, CTRL_C, CTRL_A]), signal);
    if (await readOrTimeout(RAW_REPL_BANNER, replyTimeoutMs, 'raw REPL after Ctrl-C, Ctrl-A')) {
      this.replState = 'raw';
      return;
    }
    // Slow path: a program was running. Some UART drivers drop pending input when
    // Ctrl-C arrives, which can swallow the Ctrl-A: wait for the friendly prompt first.
    // A board already in the raw REPL prints no prompt on Ctrl-C; Ctrl-A still works there.
    await this.io.write(new Uint8Array([CTRL_C, CTRL_C]), signal);
    await readOrTimeout(FRIENDLY_PROMPT, interruptTimeoutMs, '>>> prompt after Ctrl-C');
    strayBytes += this.io.drain().length;
    await this.io.write(new Uint8Array([CTRL_A]), signal);
    if (!(await readOrTimeout(RAW_REPL_BANNER, replyTimeoutMs, 'raw REPL after Ctrl-A'))) {
      throw new BoardSilentError(this.io.path, outer.budgetMs, strayBytes);
    }
    this.replState = 'raw';
  }

  /**
   * Runs code and collects its output. A traceback comes back in `stderr`, not thrown
   * (see execOrThrow). Abort leaves the board running the code; the next call resyncs.
   */
  async exec(code: string, options: ExecOptions = {}): Promise<ExecResult> {
    const deadline = await this.start(code, options);
    return this.follow({ ...options, deadline });
  }

  /** Runs code; a traceback becomes a BoardExecError. Returns stdout. */
  async execOrThrow(code: string, options: ExecOptions & { context?: string } = {}): Promise<string> {
    const { stdout, stderr } = await this.exec(code, options);
    if (stderr.trim() !== '') throw BoardExecError.fromStderr(stderr, options.context ? { context: options.context } : undefined);
    return stdout;
  }

  /** The board's repr() of an expression, as text (one line, line end removed). */
  async eval(expression: string, options: ExecOptions = {}): Promise<string> {
    const stdout = await this.execOrThrow(`print(repr(${expression}))`, options);
    return stdout.replace(/\r?\n$/, '');
  }

  /**
   * Sends code and Ctrl-D and waits for the board's `OK`; does not wait for the code to
   * finish (for code that never returns, such as the mirror-mode trigger). Returns the
   * deadline that bounds the run.
   */
  async start(code: string, { signal, timeoutMs, deadline }: ExecOptions = {}): Promise<Deadline> {
    this.throwIfDetached();
    if (this.replState !== 'raw') await this.resync(signal ? { signal } : {});
    const bytes = encodeCode(code);
    const lineMs = ((bytes.length + 1) / bytesPerSecond(this.io.settings.baudRate)) * 1000;
    const budget = Deadline.in(lineMs + (timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS), 'board code to finish');
    const runDeadline = deadline && deadline.atMs < budget.atMs ? deadline : budget;
    // Stale input would be taken for the reply.
    this.io.drain();
    this.replState = 'unknown';
    const sent = new Uint8Array(bytes.length + 1);
    sent.set(bytes, 0);
    sent[bytes.length] = CTRL_D;
    await this.io.write(sent, signal);
    await this.io.read(okFramer(), { deadline: runDeadline.withLabel('OK after the code'), signal });
    this.replState = 'running';
    return runDeadline;
  }

  /** Collects the output of code started with start(), up to the `\x04>` prompt. */
  async follow({ signal, deadline, onStdout }: ExecOptions = {}): Promise<ExecResult> {
    if (this.replState !== 'running') throw new Error('follow() without a running exec');
    const runDeadline = deadline ?? Deadline.in(DEFAULT_EXEC_TIMEOUT_MS, 'board code to finish');
    const decoder = new TextDecoder('utf-8');
    let stdout = '';
    try {
      for (;;) {
        const chunk = await this.io.read(stdoutChunkFramer, { deadline: runDeadline, signal });
        const text = decoder.decode(chunk.bytes, { stream: !chunk.hasEnded });
        if (text) {
          stdout += text;
          onStdout?.(text);
        }
        if (chunk.hasEnded) break;
      }
      const stderrBytes = await this.io.read(untilBytes('\x04>', 'the end of the traceback'), {
        deadline: runDeadline,
        signal,
      });
      this.replState = 'raw';
      return { stdout, stderr: new TextDecoder('utf-8').decode(stderrBytes.subarray(0, stderrBytes.length - 2)) };
    } catch (error) {
      this.replState = 'unknown';
      if (error instanceof ReadTimeoutError) throw new BoardCodeTimeoutError(error, stdout);
      throw error;
    }
  }

  /** Leaves the raw REPL for the friendly `>>>` prompt (a terminal can take over). */
  async exit({ signal, deadline, replyTimeoutMs = this.replyTimeoutMs }: ReplWaitOptions = {}): Promise<void> {
    this.throwIfDetached();
    this.io.drain();
    await this.io.write(new Uint8Array([CTRL_B]), signal);
    await this.io.read(untilBytes(FRIENDLY_PROMPT, 'the >>> prompt'), {
      deadline: deadline ?? Deadline.in(replyTimeoutMs, '>>> prompt after Ctrl-B'),
      signal,
    });
    this.replState = 'friendly';
  }

  /** The REPL is gone (the board switched to mirror mode): every later call fails at once. */
  detach(): void {
    this.replState = 'detached';
  }

  private throwIfDetached(): void {
    if (this.replState === 'detached') {
      throw new ProtocolError(
        'The board has left its REPL (it is in mirror mode).',
        'Power-cycle the board (unplug it) to get the REPL back.',
      );
    }
  }
}
