import { PortOpenError } from '../errors';
import type { ByteTransport, LineSettings, PortOpener } from './byteTransport';

/**
 * One opener over several: each path opens through the opener that knows it. Simulated
 * GPys each bring their own registry; a fleet of them is opened through this.
 */
export class PortOpenerByPath implements PortOpener {
  private readonly openers = new Map<string, PortOpener>();

  constructor(entries: Iterable<readonly [string, PortOpener]> = []) {
    for (const [path, opener] of entries) this.openers.set(path, opener);
  }

  add(path: string, opener: PortOpener): this {
    this.openers.set(path, opener);
    return this;
  }

  paths(): string[] {
    return [...this.openers.keys()];
  }

  open(path: string, settings: LineSettings, signal?: AbortSignal): Promise<ByteTransport> {
    const opener = this.openers.get(path);
    if (!opener) return Promise.reject(new PortOpenError(path, 'missing', 'no such port', 'Pick a port from the list of connected boards.'));
    return opener.open(path, settings, signal);
  }
}
