import { PortOpenError } from '../errors';
import { BufferedTransport } from './bufferedTransport';
import type { ByteTransport, LineSettings, PortOpener } from './byteTransport';

export type LinkSide = 'host' | 'device';

/**
 * A serial cable in memory: a host end (what a PC opens) and a device end (the
 * board's UART). Like a real line it is unpaced (the simulator paces its own bytes),
 * garbles bytes when the two ends disagree on the baud rate, refuses a second open
 * of the same end (a busy port), and can be unplugged.
 */
export class MemoryLink {
  private ends: Record<LinkSide, MemoryEndpoint | undefined> = { host: undefined, device: undefined };
  private isPlugged = true;
  /** Settings each end last used, kept across close/open like a UART's registers. */
  private lastSettings: Record<LinkSide, LineSettings>;

  constructor(
    readonly name: string,
    initial: LineSettings = { baudRate: 115200 },
  ) {
    this.lastSettings = { host: { ...initial }, device: { ...initial } };
  }

  /** Opens one end; throws PortOpenError('busy') when it is already open. */
  open(side: LinkSide, settings?: LineSettings): ByteTransport {
    if (!this.isPlugged) {
      throw new PortOpenError(this.name, 'missing', 'no such port (unplugged)', 'Plug the board in and try again.');
    }
    if (this.ends[side]?.isOpen) {
      throw new PortOpenError(
        this.name,
        'busy',
        'the port is in use by another program',
        'Close the REPL terminal or the other program holding the port, then retry.',
      );
    }
    const effective = settings ?? this.lastSettings[side];
    const endpoint = new MemoryEndpoint(this, side, `${this.name}${side === 'device' ? ':device' : ''}`, effective);
    this.ends[side] = endpoint;
    this.lastSettings[side] = { ...effective };
    return endpoint;
  }

  isOpen(side: LinkSide): boolean {
    return this.ends[side]?.isOpen ?? false;
  }

  get plugged(): boolean {
    return this.isPlugged;
  }

  /** The cable is pulled: both open ends see the port vanish. */
  unplug(): void {
    this.isPlugged = false;
    for (const side of ['host', 'device'] as const) this.ends[side]?.vanish();
  }

  replug(): void {
    this.isPlugged = true;
  }

  /** @internal */
  settingsChanged(side: LinkSide, settings: LineSettings): void {
    this.lastSettings[side] = { ...settings };
  }

  /** @internal Moves bytes from one end to the other, as the receiving UART would see them. */
  transmit(from: LinkSide, bytes: Uint8Array): void {
    const to: LinkSide = from === 'host' ? 'device' : 'host';
    const sender = this.ends[from];
    const receiver = this.ends[to];
    if (!sender || !receiver || !receiver.isOpen) return;
    const txBaud = sender.settings.baudRate;
    const rxBaud = receiver.settings.baudRate;
    const delivered = txBaud === rxBaud ? bytes.slice() : garble(bytes, txBaud, rxBaud);
    // Deliver on a later turn, as an OS read would: no reentrancy into the writer.
    setImmediate(() => receiver.deliver(delivered));
  }
}

/**
 * What a UART at `rxBaud` makes of bytes sent at `txBaud`: framing errors, never the
 * original text. Deterministic so tests replay; the count scales with the rate ratio.
 */
export function garble(bytes: Uint8Array, txBaud: number, rxBaud: number): Uint8Array {
  const ratio = rxBaud / txBaud;
  const count = Math.max(1, Math.min(bytes.length * 8, Math.round(bytes.length * ratio)));
  const out = new Uint8Array(count);
  let state = 0x2545f491 ^ bytes.length;
  for (let i = 0; i < count; i++) {
    state ^= bytes[i % bytes.length] ?? 0;
    state = Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) >>> 0;
    // Framing errors read mostly as bytes with the high bit or all bits set.
    out[i] = (state & 0x7f) | 0x80;
  }
  return out;
}

class MemoryEndpoint extends BufferedTransport {
  constructor(
    private readonly link: MemoryLink,
    private readonly side: LinkSide,
    path: string,
    settings: LineSettings,
  ) {
    super(path, { ...settings });
  }

  protected async sendBytes(bytes: Uint8Array): Promise<void> {
    this.link.transmit(this.side, bytes);
  }

  protected async applySettings(settings: LineSettings): Promise<void> {
    this.link.settingsChanged(this.side, settings);
  }

  protected async releaseHandle(): Promise<void> {}

  deliver(bytes: Uint8Array): void {
    this.receive(bytes);
  }

  vanish(): void {
    this.markClosed('vanished');
  }
}

/** A PortOpener over named memory links: the "ports" tests and the demo open by path. */
export class MemoryPortRegistry implements PortOpener {
  private links = new Map<string, MemoryLink>();

  add(link: MemoryLink): MemoryLink {
    this.links.set(link.name, link);
    return link;
  }

  get(path: string): MemoryLink | undefined {
    return this.links.get(path);
  }

  paths(): string[] {
    return [...this.links.keys()];
  }

  async open(path: string, settings: LineSettings): Promise<ByteTransport> {
    const link = this.links.get(path);
    if (!link) {
      throw new PortOpenError(path, 'missing', 'no such port', 'Pick a port from the list of connected boards.');
    }
    return link.open('host', settings);
  }
}
