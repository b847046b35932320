import { realpathSync, stat } from 'node:fs';
import type { SerialPort as SerialPortClass } from 'serialport';
import { OperationAbortedError, PortClosedError } from '../errors';
import { BufferedTransport } from './bufferedTransport';
import type { ByteTransport, LineSettings, PortOpener } from './byteTransport';
import { listSerialPorts } from './portList';
import { loadSerialPort } from './serialBinding';
import { SerialSettingsError, messageOf, toPortOpenError } from './serialErrors';

/**
 * The most a write hands the OS before waiting for it to be sent (tcdrain). serialport's
 * Unix poller (bindings-cpp 13) re-arms uv_poll with only the newest event: when input
 * arrives while a write waits for room (EAGAIN), the read's "readable" wait replaces
 * the write's "writable" wait and the write never finishes (seen on a pty with 1 MB
 * both ways at once). Writing no more than the OS buffers hold once drained (the
 * usb-serial FIFO is a 4 KB page; cdc-acm holds more) means a write never waits for
 * room, so it never meets that race; the drain per chunk costs a little throughput.
 * 2048 keeps a whole STP block frame (16 + 2016 bytes) in one write and one drain: each
 * chunk costs a round of promises and stream callbacks here and in serialport.
 */
export const WRITE_CHUNK_BYTES = 2048;

/**
 * How often an open port checks that its device node still exists. The poller does not
 * always report a hang-up (seen with a pty whose master closed on a loaded machine),
 * while an unplugged USB adapter or board always loses its /dev node.
 */
export const PRESENCE_CHECK_INTERVAL_MS = 500;

export interface SerialPortOpenerOptions {
  /** For tests of the advice text; defaults to the running platform. */
  platform?: NodeJS.Platform;
  /** Paths present now, for the advice on a missing port. Defaults to listing the system's ports. */
  presentPaths?: () => Promise<string[]>;
  /** Bytes per write before a drain; WRITE_CHUNK_BYTES unless measuring (Infinity: one write). */
  writeChunkBytes?: number;
}

interface PendingWrite {
  signal: AbortSignal | undefined;
  /** Resolves (no error) or rejects the caller's promise, once. */
  settle(error?: unknown): void;
}

/** Opens real serial ports (8N1, exclusive lock) as ByteTransports. */
export class SerialPortOpener implements PortOpener {
  private readonly platform: NodeJS.Platform;

  constructor(private readonly options: SerialPortOpenerOptions = {}) {
    this.platform = options.platform ?? process.platform;
  }

  async open(path: string, settings: LineSettings, signal?: AbortSignal): Promise<ByteTransport> {
    if (signal?.aborted) throw new OperationAbortedError(signal.reason);
    const { SerialPort } = await loadSerialPort();
    let port: SerialPortClass;
    try {
      port = new SerialPort({
        path,
        baudRate: settings.baudRate,
        dataBits: 8,
        stopBits: 1,
        parity: 'none',
        rtscts: settings.rtscts ?? false,
        // flock() on Unix: a second program (or a second open here) gets "busy"
        // instead of silently sharing the line and stealing half the bytes.
        lock: true,
        autoOpen: false,
      });
    } catch (error) {
      // The constructor throws only on arguments it cannot use (an empty path, a bad rate).
      throw toPortOpenError(path, error, { platform: this.platform });
    }
    try {
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    } catch (error) {
      throw toPortOpenError(path, error, { platform: this.platform, presentPaths: await this.presentPathsFor(error) });
    }
    const transport = new SerialTransport(port, path, settings, this.options.writeChunkBytes ?? WRITE_CHUNK_BYTES);
    // Opening cannot be interrupted half way; an abort that came meanwhile closes the fresh handle.
    if (signal?.aborted) {
      await transport.close();
      throw new OperationAbortedError(signal.reason);
    }
    return transport;
  }

  private async presentPathsFor(error: unknown): Promise<string[] | undefined> {
    if (!/no such file|ENOENT|file not found|cannot find/i.test(messageOf(error))) return undefined;
    try {
      if (this.options.presentPaths) return await this.options.presentPaths();
      return (await listSerialPorts()).map((info) => info.path);
    } catch {
      // The advice is a courtesy; failing to list must not hide the open error.
      return undefined;
    }
  }
}

/**
 * One open serial port. Received chunks flow into the shared buffer; a port that
 * disappears (unplug, reset of a USB-CDC board) closes as 'vanished', and close()
 * still releases the OS handle afterwards.
 */
export class SerialTransport extends BufferedTransport {
  private released: Promise<void> | undefined;
  private writeChain: Promise<void> = Promise.resolve();
  /** Writes whose caller still waits; an array, as there is rarely more than one. */
  private readonly pendingWrites: PendingWrite[] = [];
  private presenceTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly port: SerialPortClass,
    path: string,
    settings: LineSettings,
    private readonly writeChunkBytes = WRITE_CHUNK_BYTES,
  ) {
    super(path, { baudRate: settings.baudRate, rtscts: settings.rtscts ?? false });
    port.on('data', (chunk: Buffer) => this.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    port.on('close', () => this.portWentAway());
    // Without a listener an 'error' event would crash the process; any error the
    // stream reports on its own (not through a callback) means the handle is unusable.
    port.on('error', () => this.portWentAway());
    this.onClose((reason) => {
      if (this.presenceTimer) clearInterval(this.presenceTimer);
      const error = new PortClosedError(this.path, reason);
      for (const write of [...this.pendingWrites]) write.settle(error);
    });
    this.watchPresence(path);
  }

  private watchPresence(path: string): void {
    // Windows COM ports have no node to look at.
    if (!path.startsWith('/')) return;
    let devicePath: string;
    try {
      devicePath = realpathSync(path);
    } catch {
      return;
    }
    this.presenceTimer = setInterval(() => {
      stat(devicePath, (error) => {
        if (error?.code === 'ENOENT' && this.isOpen) {
          this.portWentAway();
          void this.releaseHandle();
        }
      });
    }, PRESENCE_CHECK_INTERVAL_MS);
    // The check must never keep a finished CLI run alive.
    this.presenceTimer.unref();
  }

  override async close(): Promise<void> {
    // The base class skips releasing when the port already vanished; the OS handle
    // (and its lock) must still go, or the port stays busy until this process exits.
    await super.close();
    await this.releaseHandle();
  }

  protected sendBytes(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    // Writes go out one after another, chunk by chunk; the chain follows what the OS
    // actually did, not what an aborted caller was told.
    const sent = this.writeChain.then(() => this.sendChunks(bytes, signal));
    this.writeChain = sent.catch(() => undefined);
    return new Promise<void>((resolve, reject) => {
      const write: PendingWrite = {
        signal,
        settle: (error) => {
          if (!this.forgetWrite(write)) return;
          if (signal) this.unwatchAbort(signal);
          if (error) reject(error);
          else resolve();
        },
      };
      this.pendingWrites.push(write);
      // A chunk already handed to the OS cannot be recalled; abort stops the rest.
      if (signal) this.watchAbort(signal);
      sent.then(
        () => write.settle(),
        (error: unknown) => write.settle(error),
      );
    });
  }

  protected override signalAborted(signal: AbortSignal): void {
    super.signalAborted(signal);
    for (const write of [...this.pendingWrites]) {
      if (write.signal === signal) write.settle(new OperationAbortedError(signal.reason));
    }
  }

  /** False when the write was settled already. */
  private forgetWrite(write: PendingWrite): boolean {
    const index = this.pendingWrites.indexOf(write);
    if (index === -1) return false;
    // Order does not matter: the last one takes its place, with no array made per write.
    this.pendingWrites[index] = this.pendingWrites[this.pendingWrites.length - 1]!;
    this.pendingWrites.pop();
    return true;
  }

  private async sendChunks(bytes: Uint8Array, signal?: AbortSignal): Promise<void> {
    for (let offset = 0; offset < bytes.length; offset += this.writeChunkBytes) {
      if (signal?.aborted) throw new OperationAbortedError(signal.reason);
      // A closed stream would queue the write until a reopen that never comes.
      if (!this.isOpen || !this.port.isOpen) throw new PortClosedError(this.path, 'vanished');
      await this.sendChunk(bytes.subarray(offset, offset + this.writeChunkBytes));
    }
  }

  private sendChunk(chunk: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // A serial write fails only when the device went away (EIO, ENXIO after an unplug).
      const done = (error: Error | null | undefined) =>
        error ? reject(new PortClosedError(this.path, 'vanished')) : resolve();
      this.port.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), (writeError) => {
        if (writeError) {
          done(writeError);
          return;
        }
        // write() completes when the bytes reach the OS; drain() when the UART sent them.
        this.port.drain(done);
      });
    });
  }

  protected applySettings(settings: LineSettings): Promise<void> {
    if ((settings.rtscts ?? false) !== (this.currentSettings.rtscts ?? false)) {
      return Promise.reject(
        new SerialSettingsError(
          this.path,
          'flow control cannot change on an open port',
          'Close the port and open it again with the new flow control.',
        ),
      );
    }
    if (settings.baudRate === this.currentSettings.baudRate) return Promise.resolve();
    // Changes the rate on the same handle: closing and reopening would let another
    // program take the port during the mirror-mode hand-over. Note the OS discards
    // its unread input and unsent output when the rate changes (tcflush).
    return new Promise<void>((resolve, reject) =>
      this.port.update({ baudRate: settings.baudRate }, (error) =>
        error
          ? reject(
              this.isOpen
                ? new SerialSettingsError(
                    this.path,
                    `${settings.baudRate} baud refused (${messageOf(error)})`,
                    'Pick a standard rate such as 115200 or 921600, or use a USB-serial adapter that supports this one.',
                    { cause: error },
                  )
                : new PortClosedError(this.path, 'vanished'),
            )
          : resolve(),
      ),
    );
  }

  protected releaseHandle(): Promise<void> {
    this.released ??= this.closeOsHandle();
    return this.released;
  }

  private portWentAway(): void {
    // A 'close' we asked for arrives after markClosed('closed') and changes nothing.
    this.markClosed('vanished');
  }

  private closeOsHandle(): Promise<void> {
    const port = this.port;
    return new Promise<void>((resolve) => {
      if (port.isOpen) {
        // An error here means the handle is already gone, which is what we want.
        port.close(() => resolve());
      } else if (port.closing) {
        // serialport closes the handle itself after a disconnect; wait for it to finish.
        port.once('close', () => resolve());
        port.once('error', () => resolve());
      } else {
        resolve();
      }
    });
  }
}
