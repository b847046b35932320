import { Writable } from 'node:stream';
import { formatBytes } from '../../core/engine/progressFigures';
import type { UpgradeEvent } from '../../core/engine/upgradeEvents';
import { writeJsonLine } from '../renderJson';
import { TextRenderer } from '../renderText';
import type { CliActionDefaults } from '../userActionText';
import type { FleetBoardOutcome } from '../../core/fleet/fleetUpgrade';
import { fleetReasonText } from './fleetTable';

/** The live lines redraw at most this often: progress events come far faster than a person reads. */
const LIVE_REDRAW_MS = 100;
const CURSOR_UP = (lines: number) => `\x1b[${lines}A`;
const CLEAR_LINE = '\r\x1b[2K';

export type FleetRenderMode = 'live' | 'prefixed' | 'json';

export interface FleetRenderer {
  event(portPath: string, event: UpgradeEvent): void;
  boardDone(outcome: FleetBoardOutcome): void;
  /** Draws what is pending and stops redrawing; the table follows. */
  finish(): void;
}

export function createFleetRenderer(
  stream: NodeJS.WritableStream,
  portPaths: readonly string[],
  options: { mode: FleetRenderMode; verbose?: boolean; actionDefaults?: (portPath: string) => CliActionDefaults },
): FleetRenderer {
  if (options.mode === 'json') return new JsonFleetRenderer(stream);
  if (options.mode === 'prefixed') return new PrefixedFleetRenderer(stream, portPaths, options);
  return new LiveFleetRenderer(stream, portPaths);
}

/** `--json`: every event as it is, one line each, with the port it came from. */
class JsonFleetRenderer implements FleetRenderer {
  constructor(private readonly stream: NodeJS.WritableStream) {}
  event(portPath: string, event: UpgradeEvent): void {
    writeJsonLine(this.stream, { port: portPath, ...event });
  }
  boardDone(): void {}
  finish(): void {}
}

/** Lines of one board's text, each prefixed with its port, so interleaved boards stay apart in a log. */
class PrefixedLines extends Writable {
  private partial = '';
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly prefix: string,
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.out.write(`${this.prefix}${line}\n`);
    done();
  }
  flushPartial(): void {
    if (this.partial) this.out.write(`${this.prefix}${this.partial}\n`);
    this.partial = '';
  }
}

/** In a pipe: the single-board text, board by board, each line prefixed with its port. */
class PrefixedFleetRenderer implements FleetRenderer {
  private readonly boards = new Map<string, { lines: PrefixedLines; renderer: TextRenderer }>();

  constructor(stream: NodeJS.WritableStream, portPaths: readonly string[], options: { verbose?: boolean; actionDefaults?: (portPath: string) => CliActionDefaults }) {
    const width = Math.max(...portPaths.map((p) => p.length));
    for (const portPath of portPaths) {
      const lines = new PrefixedLines(stream, `${portPath.padEnd(width)} | `);
      const actionDefaults = options.actionDefaults?.(portPath);
      const renderer = new TextRenderer(lines, { isTTY: false, verbose: options.verbose ?? false, ...(actionDefaults ? { actionDefaults } : {}) });
      this.boards.set(portPath, { lines, renderer });
    }
  }
  event(portPath: string, event: UpgradeEvent): void {
    this.boards.get(portPath)?.renderer.render(event);
  }
  boardDone(outcome: FleetBoardOutcome): void {
    this.boards.get(outcome.portPath)?.lines.flushPartial();
  }
  finish(): void {
    for (const { lines } of this.boards.values()) lines.flushPartial();
  }
}

interface LiveLine {
  board?: string;
  step?: string;
  percent?: number;
  bytesPerSecond?: number;
  /** The end, once the board's run is over. */
  result?: string;
}

/** On a terminal: one line per board (port, board, current step, %, rate), redrawn in place. */
class LiveFleetRenderer implements FleetRenderer {
  private readonly lines = new Map<string, LiveLine>();
  private readonly portWidth: number;
  private drawnLines = 0;
  private lastDrawMs = -Infinity;
  private pending: ReturnType<typeof setTimeout> | undefined;
  private isFinished = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    portPaths: readonly string[],
  ) {
    this.portWidth = Math.max(...portPaths.map((p) => p.length));
    for (const portPath of portPaths) this.lines.set(portPath, { step: 'waiting for its turn' });
    this.draw();
  }

  event(portPath: string, event: UpgradeEvent): void {
    const line = this.lines.get(portPath);
    if (!line) return;
    if (event.kind === 'step' && (event.phase === 'start' || event.phase === 'waiting')) {
      if (line.step !== event.title) {
        line.step = event.title;
        delete line.percent;
        delete line.bytesPerSecond;
      }
    } else if (event.kind === 'step' && event.phase === 'done' && event.step === 'board-identify' && event.detail) {
      line.board = event.detail.split(',')[0]!.trim();
    } else if (event.kind === 'progress') {
      line.percent = event.bytesTotal > 0 ? (100 * event.bytesDone) / event.bytesTotal : 0;
      line.bytesPerSecond = event.bytesPerSecond;
    } else {
      return;
    }
    this.schedule();
  }

  boardDone(outcome: FleetBoardOutcome): void {
    const line = this.lines.get(outcome.portPath);
    if (!line) return;
    if (outcome.board) line.board = outcome.board;
    line.result = outcome.result === 'success' ? 'success' : `${outcome.result}: ${fleetReasonText(outcome) ?? ''}`;
    this.schedule();
  }

  finish(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    this.draw();
    this.isFinished = true;
  }

  private schedule(): void {
    if (this.isFinished || this.pending) return;
    const waitMs = this.lastDrawMs + LIVE_REDRAW_MS - performance.now();
    if (waitMs <= 0) {
      this.draw();
      return;
    }
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.draw();
    }, waitMs);
    this.pending.unref?.();
  }

  private draw(): void {
    if (this.isFinished) return;
    this.lastDrawMs = performance.now();
    let text = this.drawnLines ? CURSOR_UP(this.drawnLines) : '';
    for (const [portPath, line] of this.lines) text += `${CLEAR_LINE}${liveLineText(portPath.padEnd(this.portWidth), line)}\n`;
    this.drawnLines = this.lines.size;
    this.stream.write(text);
  }
}

function liveLineText(port: string, line: LiveLine): string {
  const board = (line.board ?? '?').padEnd(6);
  if (line.result) return `${port}  ${board}  ${line.result}`;
  const figures = [
    line.percent !== undefined ? `${line.percent.toFixed(1).padStart(5)} %` : '',
    line.bytesPerSecond ? `${formatBytes(line.bytesPerSecond)}/s` : '',
  ]
    .filter(Boolean)
    .join('  ');
  return `${port}  ${board}  ${line.step ?? ''}${figures ? `  ${figures}` : ''}`;
}
