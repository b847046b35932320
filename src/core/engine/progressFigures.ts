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

/** "5.2 MB", "812 kB", "96 B": decimal units, as file managers show sizes. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${bytes} B`;
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
