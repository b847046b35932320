import type { Deadline } from '../time/deadline';

/**
 * Turns buffered input into the next complete thing (a line, an AT reply, an STP
 * frame). Called with every byte received and not yet consumed, each time more
 * arrive. Returns undefined to wait for more; otherwise the value and how many
 * bytes it used (garbage skipped before it counts as used).
 */
export interface Framer<T> {
  readonly description: string;
  frame(pending: Uint8Array): { value: T; consumed: number } | undefined;
}

export interface ReadOptions {
  deadline: Deadline;
  signal?: AbortSignal;
}

export type TapDirection = 'tx' | 'rx';

/** One chunk as it crossed the wire, for transcripts and hex traces. */
export interface ByteTap {
  direction: TapDirection;
  bytes: Uint8Array;
  /** performance.now() when it crossed. */
  atMs: number;
}

export type Unsubscribe = () => void;

export interface LineSettings {
  baudRate: number;
  /** RTS/CTS. Mirror mode and the REPL run without it. */
  rtscts?: boolean;
}

/**
 * A byte stream under deadlines and abort. Implemented over `serialport` for real
 * ports and in memory for tests and the simulator; everything above talks only to this.
 */
export interface ByteTransport {
  /** The port path, or a memory link's name. */
  readonly path: string;
  readonly isOpen: boolean;
  readonly settings: LineSettings;

  write(bytes: Uint8Array, signal?: AbortSignal): Promise<void>;
  /** Resolves with the framer's next value; rejects with ReadTimeoutError, PortClosedError or OperationAbortedError. */
  read<T>(framer: Framer<T>, options: ReadOptions): Promise<T>;
  /** Takes and returns every byte received and not yet read (stale input before a request). */
  drain(): Uint8Array;
  /** Bytes received and not yet read, without taking them. */
  peekPending(): Uint8Array;
  /** Changes line settings on the open handle, keeping the port (mirror mode switch). */
  update(settings: LineSettings): Promise<void>;
  close(): Promise<void>;

  onTap(listener: (tap: ByteTap) => void): Unsubscribe;
  /** Called once when the port closes, with why. */
  onClose(listener: (reason: 'closed' | 'vanished') => void): Unsubscribe;
}

/** Opens ports by path; the real one wraps `serialport`, tests use a memory registry. */
export interface PortOpener {
  open(path: string, settings: LineSettings, signal?: AbortSignal): Promise<ByteTransport>;
}
