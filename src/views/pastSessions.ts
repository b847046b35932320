import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StepId, UpgradeEvent } from '../core/engine/upgradeEvents';
import { summarizeTranscript, transcriptStartFromName, type TranscriptSummary } from '../core/transcript/transcriptSummary';
import type { RunRecord } from './sessionLog';

export interface PastSessionOptions {
  /** Transcripts kept, newest first; 0 keeps all. */
  keep: number;
  /** Transcripts older than this are removed; 0 keeps them whatever their age. */
  maxAgeDays: number;
  /** Transcripts started at or after this belong to this window's sessions (one may still be written). */
  startedBeforeMs: number;
  nowMs?: number;
}

export interface PastSessionsLoad {
  sessions: RunRecord[];
  /** Transcript paths removed by the keep/age settings. */
  pruned: string[];
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The sessions of earlier windows, newest first, from the transcripts in `folder`; first
 * removes those the settings no longer keep. Only files named as transcriptWriter names
 * them are read or removed: the folder may be one the user chose and shares.
 */
export async function loadPastSessions(folder: string, options: PastSessionOptions): Promise<PastSessionsLoad> {
  const nowMs = options.nowMs ?? Date.now();
  const names = await readdir(folder).catch(() => [] as string[]);
  const transcripts = names
    .map((name) => ({ name, startedAtMs: transcriptStartFromName(name) }))
    .filter((t): t is { name: string; startedAtMs: number } => t.startedAtMs !== undefined && t.startedAtMs < options.startedBeforeMs)
    .sort((a, b) => b.startedAtMs - a.startedAtMs || b.name.localeCompare(a.name));
  const pruned: string[] = [];
  const sessions: RunRecord[] = [];
  for (const [index, transcript] of transcripts.entries()) {
    const path = join(folder, transcript.name);
    const isTooMany = options.keep > 0 && index >= options.keep;
    const isTooOld = options.maxAgeDays > 0 && nowMs - transcript.startedAtMs > options.maxAgeDays * DAY_MS;
    if (isTooMany || isTooOld) {
      // A file that cannot be removed now (locked on Windows) is tried again next time.
      await rm(path, { force: true }).then(() => pruned.push(path), () => undefined);
      continue;
    }
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) sessions.push(pastSessionRecord(path, transcript.name, transcript.startedAtMs, summarizeTranscript(text)));
  }
  return { sessions, pruned };
}

/** A transcript as a session of the log view: its steps, diagnoses and result, read-only. */
export function pastSessionRecord(path: string, name: string, startedAtMs: number, summary: TranscriptSummary): RunRecord {
  const events: UpgradeEvent[] = summary.steps.map((s) => ({
    kind: 'step',
    step: s.step as StepId,
    title: s.title,
    phase: s.phase,
    ...(s.detail ? { detail: s.detail } : {}),
    atMs: s.atMs,
  }));
  const endedAtMs = summary.endedAtMs ?? startedAtMs;
  for (const d of summary.diagnoses) events.push({ kind: 'diagnosis', diagnosis: { ...d, evidence: [] }, atMs: endedAtMs });
  if (summary.outcome !== 'unfinished') {
    events.push({
      kind: 'result',
      outcome: summary.outcome,
      message: summary.resultMessage ?? summary.outcome,
      ...(summary.error ? { error: { code: summary.error.code, message: summary.error.message, action: summary.error.action ?? '', ...(summary.error.step ? { step: summary.error.step as StepId } : {}) } } : {}),
      ...(summary.resumeHint ? { resumeHint: summary.resumeHint } : {}),
      transcriptPath: path,
      atMs: endedAtMs,
    });
  }
  const names = summary.files.map((f) => f.split(/[\\/]/).pop());
  return {
    id: `past:${name}`,
    kind: 'upgrade',
    title: names.length ? `Upgrade ${names.join(' + ')}` : 'Upgrade',
    portPath: summary.portPath ?? '',
    startedAtEpochMs: startedAtMs,
    events,
    ...(summary.outcome !== 'unfinished' ? { outcome: summary.outcome } : {}),
    transcriptPath: path,
    isPast: true,
  };
}
