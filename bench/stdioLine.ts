import { BufferedTransport } from '../src/core/transport/bufferedTransport';
import type { LineSettings } from '../src/core/transport/byteTransport';

/**
 * A bench peer's end of the line when it owns the pty's master side as its stdin and
 * stdout (bench/peerOnPty.ts): bytes the host writes to the pty arrive on stdin, what
 * is written to stdout reaches the host. Node reads a tty from its event loop and writes
 * to one synchronously, so no thread-pool hop and no relay process sits between the two
 * sides, as none does between a host and a USB-serial adapter.
 */
export class StdioLine extends BufferedTransport {
  constructor(settings: LineSettings) {
    super('pty master (stdin/stdout)', settings);
    process.stdin.on('data', (chunk: Buffer) => this.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    process.stdin.on('end', () => this.markClosed('vanished'));
    process.stdin.resume();
  }

  protected sendBytes(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => process.stdout.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  /** A pty has no line speed: the peer's UART model paces the bytes (as it does on socat's ptys). */
  protected async applySettings(): Promise<void> {}

  protected async releaseHandle(): Promise<void> {
    process.stdin.pause();
  }
}
