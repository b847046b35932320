import { OperationAbortedError, ReadTimeoutError, UsageError } from '../errors';
import { Deadline } from '../time/deadline';
import type { ByteTransport, Framer } from '../transport/byteTransport';
import { latin1ToBytes } from '../transport/framers';
import { GarbledReplyError } from './atErrors';
import { countGarbageBytes, isFinalResultCode, isGarbledLine, splitCompleteLines, type AtReply } from './atReply';
import { atReplyFramer, nonBlankLineFramer, type FramedAtReply, type StaleReply } from './atReplyFramer';
import { binaryReplyFramer, type FramedBinaryReply } from './binaryReplyFramer';

/**
 * Most replies take milliseconds; the engine passes longer budgets for the commands
 * that take seconds (reboots, upgrade polling), so this only bounds a forgotten one.
 */
export const DEFAULT_REPLY_TIMEOUT_MS = 10_000;

/** A crash dump is tens of kilobytes: well under a second at 921600 baud, more at 115200. */
export const DEFAULT_FILE_READ_TIMEOUT_MS = 30_000;

/** Timed-out commands remembered for their late replies; a modem that never answers cannot grow the list. */
export const MAX_REMEMBERED_LATE_COMMANDS = 8;

/** Unsolicited lines kept for waitForLine; the oldest go first, a chatty modem cannot grow memory. */
export const MAX_QUEUED_UNSOLICITED_LINES = 64;

export interface AtExchange {
  command: string;
  reply?: AtReply;
  error?: unknown;
  /** performance.now() when the command was written. */
  atMs: number;
}

export interface AtChannelOptions {
  onExchange?: (exchange: AtExchange) => void;
  onUnsolicited?: (line: string) => void;
  /** Input that was waiting before a command and was neither a reply nor an unsolicited line. */
  onStaleInput?: (bytes: Uint8Array) => void;
  /** A late reply to an earlier, timed-out command, recognised by its echo and skipped while reading `command`'s. */
  onStaleReply?: (command: string, stale: StaleReply) => void;
}

export interface AtCommandOptions {
  timeoutMs?: number;
  deadline?: Deadline;
  signal?: AbortSignal;
  /** "\r\n" by default; the recovery bootrom wants `AT+STP` ended by "\n" alone. */
  lineEnding?: string;
}

/**
 * The AT request/reply discipline on one byte transport. Each command drains stale input
 * first and reads its reply to the final result code, so a long reply can never spill
 * into the next command's (the out-of-step failure of the published tool, PROTOCOL.md
 * section 2). Works with echo on or off; keeps unsolicited lines apart. One exchange
 * at a time: concurrent calls queue.
 */
export class AtChannel {
  private readonly unsolicitedQueue: string[] = [];
  /**
   * Commands whose reply timed out, oldest first. The modem may still answer them: a
   * late "AT" echo + OK once passed for the next command's reply (AT+SMOD? read "OK"
   * with no state). With echo on, such a reply names its command and is skipped.
   */
  private readonly lateCommands: string[] = [];
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly io: ByteTransport,
    private readonly options: AtChannelOptions = {},
  ) {}

  /** Unsolicited lines received and not yet taken by waitForLine, oldest first. */
  get queuedUnsolicited(): readonly string[] {
    return [...this.unsolicitedQueue];
  }

  /** Drains stale input, sends `command` + lineEnding (default "\r\n"), reads to the final result code. */
  command(command: string, options: AtCommandOptions = {}): Promise<AtReply> {
    const refused = refuseMultiLine(command);
    if (refused) return Promise.reject(refused);
    return this.exclusive(options.signal, async () => {
      const deadline = options.deadline ?? Deadline.in(options.timeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS, 'AT reply timeout');
      const sentAtMs = performance.now();
      let framed: FramedAtReply;
      let durationMs: number;
      try {
        const framer = atReplyFramer(command, { lateEchoes: this.lateCommands });
        ({ value: framed, durationMs } = await this.exchange(command, options.lineEnding ?? '\r\n', framer, deadline, options.signal));
      } catch (error) {
        if (error instanceof ReadTimeoutError) this.rememberLate(command);
        throw this.reportFailure(command, timeoutToGarbled(command, error), sentAtMs);
      }
      this.reportStaleReplies(framed.staleReplies, command);
      this.acceptUnsolicited(framed.unsolicited);
      const reply: AtReply = {
        command,
        lines: framed.lines,
        final: framed.final,
        isOk: framed.final === 'OK' && framed.garbledLines.length === 0,
        raw: framed.raw,
        durationMs,
      };
      if (framed.garbledLines.length > 0) {
        // A clean OK after garbage is not believed: the engine should re-detect the speed.
        throw this.reportFailure(command, new GarbledReplyError(command, framed.raw, countGarbageBytes(framed.raw), reply), sentAtMs, reply);
      }
      this.reportReply(reply, sentAtMs);
      return reply;
    });
  }

  /**
   * AT+FSRDFILE="<path>": a binary reply read by its declared length, then its final result
   * code. A missing file answers ERROR or +CME ERROR: isOk=false and empty data.
   */
  readBinaryFile(
    path: string,
    options: { timeoutMs?: number; deadline?: Deadline; signal?: AbortSignal } = {},
  ): Promise<{ data: Uint8Array; reply: AtReply }> {
    if (/["\r\n]/.test(path)) {
      return Promise.reject(
        new UsageError(`The modem file path ${JSON.stringify(path)} cannot be quoted in an AT command.`, 'Use a path without quotes or line breaks.'),
      );
    }
    const command = `AT+FSRDFILE="${path}"`;
    return this.exclusive(options.signal, async () => {
      const deadline = options.deadline ?? Deadline.in(options.timeoutMs ?? DEFAULT_FILE_READ_TIMEOUT_MS, 'file read timeout');
      const sentAtMs = performance.now();
      let framed: FramedBinaryReply;
      let durationMs: number;
      try {
        ({ value: framed, durationMs } = await this.exchange(command, '\r\n', binaryReplyFramer(command), deadline, options.signal));
      } catch (error) {
        // Binary data is full of bytes that are garbage in text: a timeout here is not a speed mismatch.
        const salvaged = error instanceof ReadTimeoutError ? this.salvageBinaryReply(command) : undefined;
        if (!salvaged) throw this.reportFailure(command, error, sentAtMs);
        framed = salvaged;
        durationMs = performance.now() - sentAtMs;
      }
      this.acceptUnsolicited(framed.unsolicited);
      const reply: AtReply = {
        command,
        lines: framed.lines,
        final: framed.final,
        isOk: framed.final === 'OK',
        raw: framed.raw,
        durationMs,
      };
      this.reportReply(reply, sentAtMs);
      return { data: reply.isOk ? framed.data : new Uint8Array(0), reply };
    });
  }

  /** Commands whose replies timed out and may still arrive, oldest first. */
  get awaitingLateReplies(): readonly string[] {
    return [...this.lateCommands];
  }

  private rememberLate(command: string): void {
    const known = this.lateCommands.findIndex((late) => late.toUpperCase() === command.toUpperCase());
    if (known !== -1) this.lateCommands.splice(known, 1);
    this.lateCommands.push(command);
    if (this.lateCommands.length > MAX_REMEMBERED_LATE_COMMANDS) this.lateCommands.shift();
  }

  /**
   * Skipped late replies are only reported: the command stays remembered, since a
   * probe sent several times may be answered several times (a reply that begins with
   * another command's echo is never ours, so keeping it costs nothing).
   */
  private reportStaleReplies(staleReplies: readonly StaleReply[], command: string): void {
    for (const stale of staleReplies) this.options.onStaleReply?.(command, stale);
  }

  /** Waits for an unsolicited line such as +SYSSTART (also one that arrived since the last command). */
  waitForLine(pattern: RegExp, options: { deadline: Deadline; signal?: AbortSignal }): Promise<string> {
    return this.exclusive(options.signal, async () => {
      const queued = this.unsolicitedQueue.findIndex((line) => matches(pattern, line));
      if (queued !== -1) return this.unsolicitedQueue.splice(queued, 1)[0]!;
      const framer = nonBlankLineFramer(`line matching ${pattern}`);
      for (;;) {
        const line = await this.io.read(framer, options);
        if (isGarbledLine(line) || isFinalResultCode(line)) continue;
        if (matches(pattern, line)) {
          this.options.onUnsolicited?.(line);
          return line;
        }
        this.acceptUnsolicited([line]);
      }
    });
  }

  private async exchange<T>(
    command: string,
    lineEnding: string,
    framer: Framer<T>,
    deadline: Deadline,
    signal: AbortSignal | undefined,
  ): Promise<{ value: T; durationMs: number }> {
    this.handleStaleInput(this.io.drain());
    await this.io.write(latin1ToBytes(command + lineEnding), signal);
    const sentMs = performance.now();
    const value = await this.io.read(framer, { deadline, signal });
    return { value, durationMs: performance.now() - sentMs };
  }

  /**
   * A reply whose declared length never arrived in full but that did end with a final
   * result code (a dump cut short by the modem): read it to that code instead.
   */
  private salvageBinaryReply(command: string): FramedBinaryReply | undefined {
    let framed: ReturnType<Framer<FramedBinaryReply>['frame']>;
    try {
      framed = binaryReplyFramer(command, { trustDeclaredLength: false }).frame(this.io.peekPending());
    } catch {
      return undefined;
    }
    if (!framed) return undefined;
    this.handleStaleInput(this.io.drain().subarray(framed.consumed));
    return framed.value;
  }

  /**
   * Whatever waits on the line before a command is not its reply: a late tail of an
   * earlier reply, noise from a baud switch, or unsolicited lines. The unsolicited ones
   * are kept for waitForLine; the rest is reported and dropped.
   */
  private handleStaleInput(stale: Uint8Array): void {
    if (stale.length === 0) return;
    const { lines } = splitCompleteLines(stale);
    const unsolicited = lines
      .map((line) => line.trim())
      .filter((line) => /^[+^]/.test(line) && !isGarbledLine(line) && !isFinalResultCode(line));
    this.acceptUnsolicited(unsolicited);
    // A lone \n left behind a reply that ended in \r is not worth a report.
    if (stale.some((byte) => byte !== 0x0d && byte !== 0x0a)) this.options.onStaleInput?.(stale);
  }

  private acceptUnsolicited(lines: readonly string[]): void {
    for (const line of lines) {
      this.unsolicitedQueue.push(line);
      if (this.unsolicitedQueue.length > MAX_QUEUED_UNSOLICITED_LINES) this.unsolicitedQueue.shift();
      this.options.onUnsolicited?.(line);
    }
  }

  private reportReply(reply: AtReply, atMs: number): void {
    this.options.onExchange?.({ command: reply.command, reply, atMs });
  }

  private reportFailure(command: string, error: unknown, atMs: number, reply?: AtReply): unknown {
    this.options.onExchange?.(reply ? { command, reply, error, atMs } : { command, error, atMs });
    return error;
  }

  /** Runs jobs one at a time in call order; a job whose signal aborts while queued never starts. */
  private exclusive<T>(signal: AbortSignal | undefined, job: () => Promise<T>): Promise<T> {
    const previous = this.turn;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    // The next job waits for the previous one too, even if this one gives up its wait early.
    this.turn = previous.then(() => mine);
    return (async () => {
      try {
        await settledOrAborted(previous, signal);
        if (signal?.aborted) throw new OperationAbortedError(signal.reason);
        return await job();
      } finally {
        release();
      }
    })();
  }
}

function settledOrAborted(turn: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return turn;
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

function refuseMultiLine(command: string): UsageError | undefined {
  if (!/[\r\n]/.test(command)) return undefined;
  return new UsageError(
    `An AT command must be one line: ${JSON.stringify(command)}.`,
    'Send each command separately; the channel adds the line ending.',
  );
}

/** A silent deadline over garbage is a speed mismatch, not silence: say so. */
function timeoutToGarbled(command: string, error: unknown): unknown {
  if (!(error instanceof ReadTimeoutError)) return error;
  const garbage = countGarbageBytes(error.lastBytes);
  return garbage > 0 ? new GarbledReplyError(command, error.lastBytes, garbage) : error;
}

function matches(pattern: RegExp, line: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(line);
}
