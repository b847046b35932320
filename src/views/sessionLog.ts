import { TypedEmitter } from '../core/events/typedEmitter';
import type { ReportBoard, ReportFile } from '../core/diagnosis/diagnosticReport';
import { STEP_TITLES, type StepId, type StepPhase, type UpgradeEvent } from '../core/engine/upgradeEvents';

/** What a run did: a whole upgrade, or a single read (info, crash dump), or a push. */
export type RunKind = 'upgrade' | 'info' | 'crashDump' | 'push';

/**
 * One command's run as the Sessions view lists it: its events, outcome and transcript.
 * Called a run in code: in core a session is the engine's UpgradeSession, one
 * connection's conversation with the modem. The view keeps "Sessions" as its title.
 */
export interface RunRecord {
  readonly id: string;
  readonly kind: RunKind;
  readonly title: string;
  readonly portPath: string;
  /** Wall clock (Date.now()) at start, for labels and reports. */
  readonly startedAtEpochMs: number;
  readonly events: UpgradeEvent[];
  outcome?: 'success' | 'failed' | 'cancelled';
  transcriptPath?: string;
  /** For the diagnostic report: the files sent and the board, when the command knew them. */
  files?: ReportFile[];
  board?: ReportBoard;
  /** Read back from a transcript of an earlier window: steps, diagnoses and result only. */
  isPast?: boolean;
}

export type SessionLogChange =
  | { kind: 'sessionStarted'; session: RunRecord }
  | { kind: 'event'; session: RunRecord; event: UpgradeEvent };

/** A step as the log view and the report show it: its last phase and what happened in it. */
export interface StepGroup {
  step: StepId | 'general';
  title: string;
  phase?: StepPhase;
  events: UpgradeEvent[];
}

/**
 * The history of this window's sessions. The panel replays the current session from
 * here (so a panel reopened mid-upgrade shows everything), the log view lists them,
 * the diagnostic report is rendered from them.
 */
export class SessionLog {
  readonly changes = new TypedEmitter<SessionLogChange>();
  /** The past sessions were (re)read from the transcripts on disk. */
  readonly pastChanged = new TypedEmitter<readonly RunRecord[]>();
  private readonly list: RunRecord[] = [];
  private pastList: readonly RunRecord[] = [];
  private nextId = 1;
  /** Transcripts started from now on belong to this window's sessions, not to the past. */
  readonly createdAtEpochMs: number;

  constructor(
    /** Older sessions are dropped past this many; each can hold thousands of events. */
    private readonly maxSessions = 20,
    /** Progress events closer than this to the previous one of the same file replace it. */
    private readonly progressThinningMs = 200,
    private readonly nowEpochMs: () => number = Date.now,
  ) {
    this.createdAtEpochMs = nowEpochMs();
  }

  /** Sessions of earlier windows, newest first (from their transcripts); kept apart from this window's. */
  get past(): readonly RunRecord[] {
    return this.pastList;
  }

  setPast(sessions: readonly RunRecord[]): void {
    this.pastList = sessions;
    this.pastChanged.emit(sessions);
  }

  start(options: { kind: RunKind; title: string; portPath: string }): RunRecord {
    const session: RunRecord = {
      id: `s${this.nextId++}`,
      ...options,
      startedAtEpochMs: this.nowEpochMs(),
      events: [],
    };
    this.list.push(session);
    while (this.list.length > this.maxSessions) this.list.shift();
    this.changes.emit({ kind: 'sessionStarted', session });
    return session;
  }

  record(session: RunRecord, event: UpgradeEvent): void {
    if (this.canReplaceLastProgress(session.events, event)) {
      session.events[session.events.length - 1] = event;
    } else {
      session.events.push(event);
    }
    if (event.kind === 'result') {
      session.outcome = event.outcome;
      if (event.transcriptPath) session.transcriptPath = event.transcriptPath;
    }
    this.changes.emit({ kind: 'event', session, event });
  }

  /**
   * A transfer reports progress per block: the history (and so the replay) keeps about
   * one point per thinning interval, while every event still reaches live listeners.
   * The point before the last is the anchor, so the kept points stay evenly spaced.
   */
  private canReplaceLastProgress(events: readonly UpgradeEvent[], event: UpgradeEvent): boolean {
    if (event.kind !== 'progress' || event.bytesDone >= event.bytesTotal) return false;
    const last = events[events.length - 1];
    const anchor = events[events.length - 2];
    const sameFile = (other: UpgradeEvent | undefined) =>
      other?.kind === 'progress' && other.step === event.step && other.fileIndex === event.fileIndex;
    return (
      sameFile(last) && sameFile(anchor) && event.atMs - (anchor as { atMs: number }).atMs < this.progressThinningMs
    );
  }

  get sessions(): readonly RunRecord[] {
    return this.list;
  }

  get current(): RunRecord | undefined {
    return this.list[this.list.length - 1];
  }

  /** The latest upgrade session, the one the panel shows. */
  get currentUpgrade(): RunRecord | undefined {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.kind === 'upgrade') return this.list[i];
    return undefined;
  }

  find(id: string): RunRecord | undefined {
    return this.list.find((session) => session.id === id) ?? this.pastList.find((session) => session.id === id);
  }
}

/** Events grouped under the step that was running when they happened. */
export function groupByStep(events: readonly UpgradeEvent[]): StepGroup[] {
  const groups: StepGroup[] = [];
  const byStep = new Map<string, StepGroup>();
  let current: StepGroup | undefined;
  for (const event of events) {
    if (event.kind === 'step') {
      let group = byStep.get(event.step);
      if (!group) {
        group = { step: event.step, title: STEP_TITLES[event.step] ?? event.title, events: [] };
        byStep.set(event.step, group);
        groups.push(group);
      }
      group.phase = event.phase;
      current = event.phase === 'start' || event.phase === 'waiting' ? group : undefined;
      group.events.push(event);
      continue;
    }
    const target = event.kind === 'progress' ? (byStep.get(event.step) ?? current) : current;
    if (target) {
      target.events.push(event);
    } else {
      let general = byStep.get('general');
      if (!general) {
        general = { step: 'general', title: 'Session', events: [] };
        byStep.set('general', general);
        groups.unshift(general);
      }
      general.events.push(event);
    }
  }
  return groups;
}
