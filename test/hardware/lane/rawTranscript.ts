import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { UpgradeEvent } from '../../../src/core/engine/upgradeEvents';
import { formatTranscriptEvent } from '../../../src/core/transcript/transcriptFormat';
import type { ByteTransport, LineSettings, PortOpener } from '../../../src/core/transport/byteTransport';

/** Lines kept in memory for the report's tail; the file keeps everything. */
const TAIL_LINES_KEPT = 400;

/** Bytes as one quoted line: printable ASCII as is, everything else escaped, so NUL, CR and 0xFF stay visible. */
export function escapeBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const byte of bytes) {
    if (byte === 0x0d) out += '\\r';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

/**
 * The raw transcript a user attaches to an issue: every byte each way on every port the
 * lane opens, the engine's events and the lane's own notes, each with the time since the
 * lane started. Written line by line with synchronous appends, so a run stopped half way
 * (Ctrl-C, a crash) keeps everything up to that point.
 */
export class RawTranscript {
  private fd: number | undefined;
  private readonly tail: string[] = [];
  private readonly startedMs = performance.now();
  private readonly progressTenths = new Map<string, number>();

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }

  line(kind: string, text: string): void {
    const seconds = `+${((performance.now() - this.startedMs) / 1000).toFixed(3)}s`.padStart(10);
    const line = `${seconds} ${kind.padEnd(5)} ${text}`;
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES_KEPT) this.tail.shift();
    if (this.fd !== undefined) writeSync(this.fd, `${line}\n`);
  }

  note(text: string): void {
    this.line('note', text);
  }

  /** In the words of the project's session logs; progress thinned to every tenth of a file. */
  event(event: UpgradeEvent): void {
    if (event.kind === 'progress') {
      const key = `${event.step} ${event.fileIndex}`;
      const tenth = Math.floor((event.bytesDone / Math.max(1, event.bytesTotal)) * 10);
      if (this.progressTenths.get(key) === tenth) return;
      this.progressTenths.set(key, tenth);
    }
    for (const text of formatTranscriptEvent(event)) this.line('event', text);
  }

  lastLines(count: number): string[] {
    return this.tail.slice(-count);
  }

  /** A port opener that records every port it opens: settings, each tx/rx chunk, the close and why. */
  recording(opener: PortOpener): PortOpener {
    return {
      open: async (path: string, settings: LineSettings, signal?: AbortSignal): Promise<ByteTransport> => {
        this.line('open', `${path} ${settings.baudRate} baud${settings.rtscts ? ' rtscts' : ''}`);
        let io: ByteTransport;
        try {
          io = await opener.open(path, settings, signal);
        } catch (error) {
          this.line('open', `failed: ${error instanceof Error ? error.message : String(error)}`);
          throw error;
        }
        io.onTap((tap) => this.line(tap.direction, escapeBytes(tap.bytes)));
        io.onClose((reason) => this.line('close', `${path} ${reason}`));
        return io;
      },
    };
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}
