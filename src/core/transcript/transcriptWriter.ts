import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { UpgradeEvent } from '../engine/upgradeEvents';
import type { TypedEmitter } from '../events/typedEmitter';
import { formatTranscriptEvent } from './transcriptFormat';

/** Progress is thinned to this many lines per file; STP lines (each frame or digest the engine emits, see StpTrafficLog) and AT lines are all kept. */
const PROGRESS_LINES_PER_FILE = 100;

/** "pycom-modem-2026-11-24T13-28-01.123Z.log": ISO time, with colons that Windows refuses replaced. */
export function transcriptFileName(at: Date, attempt = 0): string {
  return `pycom-modem-${at.toISOString().replace(/:/g, '-')}${attempt ? `-${attempt + 1}` : ''}.log`;
}

/**
 * Appends one time-stamped line per fact to a session log. Each line is written with
 * a synchronous write on an append-mode descriptor, so a crash of the tool (or of
 * VS Code) loses nothing that happened before it.
 */
export class TranscriptWriter {
  private fd: number | undefined;
  private lastProgressStep = new Map<string, number>();

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Creates `<dir>/pycom-modem-<ISO time>.log` (never appends to another session's file). */
  static create(dir: string, now: Date = new Date()): TranscriptWriter {
    mkdirSync(dir, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      const path = join(dir, transcriptFileName(now, attempt));
      try {
        return new TranscriptWriter(path, openSync(path, 'wx'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw error;
      }
    }
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  line(text: string, at: Date = new Date()): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${at.toISOString()} ${text}\n`);
  }

  event(event: UpgradeEvent): void {
    if (event.kind === 'progress' && !this.isProgressWorthALine(event)) return;
    const at = new Date(event.atMs);
    for (const text of formatTranscriptEvent(event)) this.line(text, at);
  }

  /** Writes every event of `events` until the returned function is called (or close()). */
  attach(events: TypedEmitter<UpgradeEvent>): () => void {
    return events.on((event) => this.event(event));
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
  }

  private isProgressWorthALine(event: Extract<UpgradeEvent, { kind: 'progress' }>): boolean {
    const key = `${event.step}:${event.fileIndex}`;
    const bucket = event.bytesTotal > 0 ? Math.floor((event.bytesDone / event.bytesTotal) * PROGRESS_LINES_PER_FILE) : 0;
    const isLast = event.bytesDone >= event.bytesTotal;
    if (!isLast && this.lastProgressStep.get(key) === bucket) return false;
    this.lastProgressStep.set(key, isLast ? Infinity : bucket);
    return true;
  }
}
