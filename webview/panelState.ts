import type {
  HostToPanel,
  PanelCheck,
  PanelCrashDump,
  PanelFleetRow,
  PanelLogLevel,
  PanelModemInfo,
  PanelOutcome,
  PanelStepPhase,
  PanelWait,
} from '../src/shared/panelMessages';

export interface StepView {
  step: string;
  title: string;
  phase: PanelStepPhase;
  detail?: string;
  /** The wait under way in this step, while it lasts. */
  wait?: PanelWait;
  startedAtMs?: number;
  endedAtMs?: number;
}

export interface RateSample {
  atMs: number;
  bytesPerSecond: number;
}

export interface TransferView {
  step: string;
  fileIndex: number;
  fileName: string;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  etaMs?: number;
  /** Rate over time for the chart, thinned to at most MAX_RATE_SAMPLES. */
  samples: RateSample[];
}

export interface PanelState {
  /** A several-board upgrade: a row per board, above the session of the board shown. */
  fleet?: { title: string; rows: PanelFleetRow[] };
  session?: { id: string; title: string; portPath: string; startedAtMs: number };
  /** The host has answered `ready`: without a session, the panel may now say there is none. */
  hasHostAnswered?: boolean;
  plan?: { path: string; files: string[]; estimatedMs?: number };
  steps: StepView[];
  transfer?: TransferView;
  before?: PanelModemInfo;
  after?: PanelModemInfo;
  crashDump?: PanelCrashDump;
  diagnoses: { cause: string; title: string; action: string; evidence: string[] }[];
  /** The checks run before the upgrade started (or refused it). */
  preflight?: { checks: PanelCheck[]; isReady: boolean };
  /** `seq` counts lines from the session's first: the panel keys log lines by it, so a kept line keeps its text selection while older ones drop off. */
  logs: { seq: number; level: PanelLogLevel; message: string; atMs: number }[];
  result?: { outcome: PanelOutcome; message: string; action?: string; resumeHint?: string; transcriptPath?: string };
  /** Local to the page: the raw crash-dump hex is shown on demand. */
  isHexShown: boolean;
}

export const MAX_RATE_SAMPLES = 240;
export const MAX_LOG_LINES = 300;

export const initialPanelState: PanelState = Object.freeze({
  steps: [],
  diagnoses: [],
  logs: [],
  isHexShown: false,
}) as PanelState;

/** Halves the samples (keeping the newest) once there are too many: the chart keeps its whole span. */
function addSample(samples: RateSample[], sample: RateSample): RateSample[] {
  const next = [...samples, sample];
  if (next.length <= MAX_RATE_SAMPLES) return next;
  return next.filter((_, index) => index % 2 === 0 || index === next.length - 1);
}

/** The page state after one message from the host. Pure: the tests drive it directly. */
export function reducePanel(state: PanelState, message: HostToPanel): PanelState {
  switch (message.type) {
    case 'replay':
      return message.messages.reduce(reducePanel, { ...initialPanelState, isHexShown: state.isHexShown, hasHostAnswered: true });
    case 'fleet':
      return message.rows.length > 0 ? { ...state, hasHostAnswered: true, fleet: { title: message.title, rows: message.rows } } : { ...state, fleet: undefined };
    case 'session':
      return {
        ...initialPanelState,
        hasHostAnswered: true,
        // The boards' table stays while the panel switches from one board's session to another's.
        ...(state.fleet ? { fleet: state.fleet } : {}),
        session: { id: message.sessionId, title: message.title, portPath: message.portPath, startedAtMs: message.startedAtMs },
      };
    case 'plan':
      return { ...state, plan: { path: message.path, files: message.files, estimatedMs: message.estimatedMs } };
    case 'step': {
      const existing = state.steps.find((s) => s.step === message.step);
      const isEnd = message.phase === 'done' || message.phase === 'fail' || message.phase === 'skip';
      const updated: StepView = {
        step: message.step,
        title: message.title,
        phase: message.phase,
        // What a wait said is over when the step ends: the step then shows how long it took.
        detail: message.detail ?? (isEnd && existing?.phase === 'waiting' ? undefined : existing?.detail),
        // A wait lasts until the step moves on: a later 'start' or an end clears it.
        ...(message.phase === 'waiting' && (message.wait ?? existing?.wait) ? { wait: message.wait ?? existing!.wait! } : {}),
        startedAtMs: existing?.startedAtMs ?? message.atMs,
        endedAtMs: isEnd ? message.atMs : undefined,
      };
      const steps = existing ? state.steps.map((s) => (s === existing ? updated : s)) : [...state.steps, updated];
      return { ...state, steps };
    }
    case 'progress': {
      const previous = state.transfer;
      const sameFile = previous?.step === message.step && previous.fileIndex === message.fileIndex;
      const samples = sameFile ? previous.samples : [];
      return {
        ...state,
        transfer: {
          step: message.step,
          fileIndex: message.fileIndex,
          fileName: message.fileName,
          bytesDone: message.bytesDone,
          bytesTotal: message.bytesTotal,
          bytesPerSecond: message.bytesPerSecond,
          etaMs: message.etaMs,
          samples: message.bytesPerSecond > 0 ? addSample(samples, { atMs: message.atMs, bytesPerSecond: message.bytesPerSecond }) : samples,
        },
      };
    }
    case 'log': {
      const seq = (state.logs[state.logs.length - 1]?.seq ?? 0) + 1;
      const logs = [...state.logs, { seq, level: message.level, message: message.message, atMs: message.atMs }];
      return { ...state, logs: logs.length > MAX_LOG_LINES ? logs.slice(-MAX_LOG_LINES) : logs };
    }
    case 'modemInfo':
      return message.phase === 'before' ? { ...state, before: message.info } : { ...state, after: message.info };
    case 'crashDump':
      return { ...state, crashDump: message.dump };
    case 'diagnosis':
      return {
        ...state,
        diagnoses: [...state.diagnoses, { cause: message.cause, title: message.title, action: message.action, evidence: message.evidence }],
      };
    case 'preflight':
      return { ...state, preflight: { checks: message.checks, isReady: message.isReady } };
    case 'result':
      return {
        ...state,
        result: {
          outcome: message.outcome,
          message: message.message,
          action: message.action,
          resumeHint: message.resumeHint,
          transcriptPath: message.transcriptPath,
        },
      };
  }
}

/** A running step is any started and not ended; the panel shows a spinner on it. */
export function isRunning(state: PanelState): boolean {
  return state.session !== undefined && state.result === undefined;
}
