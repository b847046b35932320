/**
 * What a transcript on disk says about its session, enough to list it after a reload or a
 * restart: when, which files, how it ended and why. Reads the lines formatTranscriptEvent
 * writes (transcriptFormat.ts), each behind an ISO time stamp; unknown lines are skipped,
 * so a transcript of an older or newer version still lists.
 */
export interface TranscriptStep {
  step: string;
  title: string;
  /** The last phase written for the step. */
  phase: 'start' | 'waiting' | 'done' | 'fail' | 'skip';
  detail?: string;
  atMs: number;
}

export interface TranscriptSummary {
  startedAtMs?: number;
  endedAtMs?: number;
  /** From the PLAN line, else the preflight's readable files. */
  files: string[];
  /** The board's port, from the "Connect to the board" step, when the transcript names it. */
  portPath?: string;
  /** 'unfinished': no RESULT line (the tool or the window was closed mid-run). */
  outcome: 'success' | 'failed' | 'cancelled' | 'unfinished';
  resultMessage?: string;
  error?: { code: string; step?: string; message: string; action?: string };
  resumeHint?: string;
  diagnoses: { cause: string; title: string; action: string }[];
  steps: TranscriptStep[];
  crash?: { build?: number; file?: string; line?: number };
}

const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (\S+) ?(.*)$/;
const STEP = /^(\S+) (start|waiting|done|fail|skip): (.*?)(?: — (.*))?$/;
const RESULT = /^(success|failed|cancelled): (.*)$/;
const DIAGNOSIS = /^(\S+): (.*?) — (.*)$/;
const ERROR = /^(\S+)(?: in (\S+))?: (.*)$/;
const PLAN = /^\S+: (.*?)(?: \(about \d+ s of transfer\))?$/;
const READABLE = /^pass files-readable: (.*)$/;
/** "/dev/ttyACM0 at 115200 baud, raw REPL" (the board-connect step's detail). */
const CONNECTED = /^(.+?) at \d+ baud/;

export function summarizeTranscript(text: string): TranscriptSummary {
  const summary: TranscriptSummary = { files: [], outcome: 'unfinished', diagnoses: [], steps: [] };
  const steps = new Map<string, TranscriptStep>();
  for (const raw of text.split('\n')) {
    const line = LINE.exec(raw.replace(/\r$/, ''));
    if (!line) continue;
    const atMs = Date.parse(line[1]!);
    const [, , tag, rest = ''] = line;
    summary.startedAtMs ??= atMs;
    summary.endedAtMs = atMs;
    switch (tag) {
      case 'STEP': {
        const m = STEP.exec(rest);
        if (!m) break;
        const step: TranscriptStep = { step: m[1]!, phase: m[2] as TranscriptStep['phase'], title: m[3]!, atMs, ...(m[4] ? { detail: m[4] } : {}) };
        steps.set(step.step, step);
        if (step.step === 'board-connect' && step.phase === 'done' && step.detail) summary.portPath ??= CONNECTED.exec(step.detail)?.[1];
        break;
      }
      case 'PLAN': {
        const m = PLAN.exec(rest);
        if (m) summary.files = m[1]!.split(', ').filter(Boolean);
        break;
      }
      case 'PREFLIGHT': {
        const m = READABLE.exec(rest);
        if (m && summary.files.length === 0) summary.files = m[1]!.split('; ').map((f) => f.replace(/ \([^)]*\)$/, ''));
        break;
      }
      case 'RESULT': {
        const m = RESULT.exec(rest);
        if (!m) break;
        summary.outcome = m[1] as TranscriptSummary['outcome'];
        summary.resultMessage = m[2];
        break;
      }
      case 'ERROR': {
        const m = ERROR.exec(rest);
        if (m) summary.error = { code: m[1]!, ...(m[2] ? { step: m[2] } : {}), message: m[3]! };
        break;
      }
      case 'ACTION':
        if (summary.error) summary.error.action = rest;
        break;
      case 'RESUME':
        summary.resumeHint = rest;
        break;
      case 'DIAGNOSIS': {
        const m = DIAGNOSIS.exec(rest);
        if (m) summary.diagnoses.push({ cause: m[1]!, title: m[2]!, action: m[3]! });
        break;
      }
      case 'CRASHDUMP': {
        const build = /\bbuild=(\d+)/.exec(rest);
        const file = /\bfile=(\S+)/.exec(rest);
        const at = /\bline=(\d+)/.exec(rest);
        if (!build && !file) break;
        summary.crash ??= {
          ...(build ? { build: Number(build[1]) } : {}),
          ...(file && file[1] !== '?' ? { file: file[1] } : {}),
          ...(at ? { line: Number(at[1]) } : {}),
        };
        break;
      }
    }
  }
  summary.steps = [...steps.values()];
  return summary;
}

/** "pycom-modem-2026-11-24T13-28-01.123Z.log" (transcriptFileName) → its start time, or undefined. */
export function transcriptStartFromName(name: string): number | undefined {
  const m = /^pycom-modem-(\d{4}-\d\d-\d\dT\d\d)-(\d\d)-(\d\d(?:\.\d+)?Z)(?:-\d+)?\.log$/.exec(name);
  if (!m) return undefined;
  const at = Date.parse(`${m[1]}:${m[2]}:${m[3]}`);
  return Number.isNaN(at) ? undefined : at;
}

/**
 * The raw crash dump a transcript recorded ("CRASHDUMP hex 000000  0d0a…" lines), or
 * undefined when it holds none. The first dump only: a session reads at most one.
 */
export function crashDumpFromTranscript(text: string): Uint8Array | undefined {
  const chunks: Buffer[] = [];
  let expectedOffset = 0;
  for (const raw of text.split('\n')) {
    const m = /^\S+ CRASHDUMP hex ([0-9a-f]{6,})  ([0-9a-f]*)\r?$/.exec(raw);
    if (!m) {
      if (chunks.length && /^\S+ CRASHDUMP /.test(raw)) continue;
      if (chunks.length) break;
      continue;
    }
    const offset = parseInt(m[1]!, 16);
    // A second dump starts again at offset 0: the first is complete.
    if (offset !== expectedOffset) break;
    const bytes = Buffer.from(m[2]!, 'hex');
    chunks.push(bytes);
    expectedOffset += bytes.length;
  }
  return chunks.length ? new Uint8Array(Buffer.concat(chunks)) : undefined;
}
