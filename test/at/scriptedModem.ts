import type { ByteTransport, Framer } from '../../src/core/transport/byteTransport';
import { Deadline } from '../../src/core/time/deadline';
import { latin1ToBytes } from '../../src/core/transport/framers';
import { MemoryLink } from '../../src/core/transport/memoryLink';
import { AtChannel, type AtChannelOptions } from '../../src/core/at/atChannel';

export type Chunk = Uint8Array | string;

/** What the modem sends for one command line: chunks written one by one (each arrives separately), or silence. */
export type Responder = (command: string) => Chunk[] | undefined;

/** A command line as a modem UART receives it: up to CR or LF, with its terminator kept for inspection. */
const commandLine: Framer<string> = {
  description: 'command line',
  frame(pending) {
    for (let i = 0; i < pending.length; i++) {
      const byte = pending[i];
      if (byte !== 0x0d && byte !== 0x0a) continue;
      const end = byte === 0x0d && pending[i + 1] === 0x0a ? i + 2 : i + 1;
      let text = '';
      for (const b of pending.subarray(0, end)) text += String.fromCharCode(b);
      return { value: text, consumed: end };
    }
    return undefined;
  },
};

/**
 * A modem played from a table, on the device end of a memory link. Deliberately naive
 * and independent of the channel's framers: it echoes when told to and writes the chunks
 * it is given.
 */
export class ScriptedModem {
  /** Command lines received, with their terminators. */
  readonly received: string[] = [];
  hasEcho = false;
  private receivedListeners: Array<() => void> = [];
  private readonly stop = new AbortController();
  readonly done: Promise<void>;

  constructor(
    readonly device: ByteTransport,
    private readonly respond: Responder,
  ) {
    this.done = this.serve();
  }

  async send(...chunks: Chunk[]): Promise<void> {
    for (const chunk of chunks) {
      await this.device.write(typeof chunk === 'string' ? latin1ToBytes(chunk) : chunk);
      // Each write is delivered on its own turn: let it land before the next one.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Resolves once `count` command lines have arrived. */
  hasReceived(count: number): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.received.length < count) return;
        this.receivedListeners = this.receivedListeners.filter((l) => l !== check);
        resolve();
      };
      this.receivedListeners.push(check);
    });
  }

  close(): void {
    this.stop.abort();
  }

  private async serve(): Promise<void> {
    for (;;) {
      let line: string;
      try {
        line = await this.device.read(commandLine, { deadline: Deadline.never(), signal: this.stop.signal });
      } catch {
        return;
      }
      const command = line.replace(/[\r\n]+$/, '');
      if (command === '') continue;
      this.received.push(line);
      for (const listener of [...this.receivedListeners]) listener();
      const chunks = this.respond(command);
      if (this.hasEcho) await this.send(`${command}\r`);
      if (chunks) await this.send(...chunks);
    }
  }
}

export function setUp(respond: Responder, options: AtChannelOptions & { name?: string } = {}) {
  const link = new MemoryLink(options.name ?? `at-${Math.random().toString(36).slice(2)}`, { baudRate: 921600 });
  const host = link.open('host');
  const modem = new ScriptedModem(link.open('device'), respond);
  const channel = new AtChannel(host, options);
  return { link, host, modem, channel, close: () => modem.close() };
}
