import { formatDecimalBytes } from '../../shared/byteUnits';
/** One observation of a transfer: how many bytes were done at what clock time. */
export interface ProgressSample {
  atMs: number;
  bytesDone: number;
}

export interface ProgressFigures {
  /** 0..100. */
  percent: number;
  /** Average payload rate over the samples, bytes per second (0 until two samples span time). */
  bytesPerSecond: number;
  /** Time left at that rate; undefined while the rate is unknown. */
  etaMs?: number;
}

/**
 * Rate and ETA from progress samples: the one place these figures are computed, so
 * the panel, the CLI and the transcript show the same numbers. Pure: no clock.
 * The rate is the average from the first sample to the last, because the modem
 * stalls for long stretches (7–10 %, 99 %) and a short window would swing wildly.
 */
export function progressFigures(samples: readonly ProgressSample[], bytesTotal: number): ProgressFigures {
  const last = samples[samples.length - 1];
  const first = samples[0];
  const bytesDone = last?.bytesDone ?? 0;
  const percent = bytesTotal > 0 ? Math.min(100, Math.max(0, (bytesDone / bytesTotal) * 100)) : 100;
  if (!first || !last || last.atMs <= first.atMs || last.bytesDone <= first.bytesDone) {
    return { percent, bytesPerSecond: 0 };
  }
  const bytesPerSecond = ((last.bytesDone - first.bytesDone) * 1000) / (last.atMs - first.atMs);
  const bytesLeft = Math.max(0, bytesTotal - bytesDone);
  return { percent, bytesPerSecond, etaMs: (bytesLeft / bytesPerSecond) * 1000 };
}

/** A progress event at most this often: a person reads no faster, and every event is kept by the session's listeners. */
export const PROGRESS_EVENT_INTERVAL_MS = 100;
/** ...except that each tenth of the file is always reported, so a transfer shorter than the interval still shows its steps. */
const PROGRESS_ALWAYS_REPORTED_STEPS = 10;

export interface PacedProgress extends ProgressFigures {
  bytesDone: number;
  bytesTotal: number;
}

/**
 * Turns a transfer's per-block progress into the few events a front end needs: the
 * first, then at most one per PROGRESS_EVENT_INTERVAL_MS or per tenth of the file, and
 * always the last. A block of a fast transfer takes well under a millisecond, so an
 * event per block would be thousands of events (each one formatted, stored by the
 * session and written to the transcript) for nothing a person could see. Keeps only
 * the first and the latest sample: that is all the average rate needs.
 */
export class ProgressPacer {
  private first: ProgressSample | undefined;
  private latest: ProgressSample | undefined;
  private lastReportedMs = -Infinity;
  private lastReportedStep = -1;
  private isLatestReported = true;
  private readonly nowMs: () => number;

  constructor(
    private readonly bytesTotal: number,
    options: { nowMs?: () => number } = {},
  ) {
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  /** Records that `bytesDone` are done; returns the figures when this sample is worth an event. */
  sample(bytesDone: number): PacedProgress | undefined {
    const atMs = this.nowMs();
    this.latest = { atMs, bytesDone };
    this.first ??= this.latest;
    this.isLatestReported = false;
    const step = this.bytesTotal > 0 ? Math.floor((bytesDone / this.bytesTotal) * PROGRESS_ALWAYS_REPORTED_STEPS) : PROGRESS_ALWAYS_REPORTED_STEPS;
    const isDue = atMs - this.lastReportedMs >= PROGRESS_EVENT_INTERVAL_MS || step > this.lastReportedStep || bytesDone >= this.bytesTotal;
    return isDue ? this.report(atMs, step) : undefined;
  }

  /** The latest sample when no event carried it yet: a transfer that stops says how far it got. */
  unreported(): PacedProgress | undefined {
    if (this.isLatestReported || !this.latest) return undefined;
    return this.report(this.nowMs(), this.lastReportedStep);
  }

  private report(atMs: number, step: number): PacedProgress {
    this.lastReportedMs = atMs;
    this.lastReportedStep = Math.max(this.lastReportedStep, step);
    this.isLatestReported = true;
    const samples = this.first === this.latest ? [this.latest!] : [this.first!, this.latest!];
    return { ...progressFigures(samples, this.bytesTotal), bytesDone: this.latest!.bytesDone, bytesTotal: this.bytesTotal };
  }
}

/** "5.2 MB", "812 kB", "96 B": decimal units, as file managers show sizes. */
export function formatBytes(bytes: number): string {
  return formatDecimalBytes(bytes, 1);
}

/** "1:05", "12:30", "1:02:03". */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const mmss = `${hours ? String(minutes).padStart(2, '0') : minutes}:${String(seconds).padStart(2, '0')}`;
  return hours ? `${hours}:${mmss}` : mmss;
}
