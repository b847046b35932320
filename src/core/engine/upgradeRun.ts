import { diagnoseFailure } from '../diagnosis/diagnose';
import type { EvidenceContext } from '../diagnosis/evidence';
import { isModemToolError } from '../errors';
import type { TypedEmitter } from '../events/typedEmitter';
import { TranscriptWriter } from '../transcript/transcriptWriter';
import { StepRunner, type UnstampedEvent } from './stepRunner';
import type { Diagnosis, UpgradeErrorInfo, UpgradeEvent } from './upgradeEvents';
import type { UpgradeOutcome } from './upgradeEngine';

export interface RunResult {
  outcome: 'success' | 'failed' | 'cancelled';
  message: string;
  error?: UpgradeErrorInfo;
  resumeHint?: string;
}

/**
 * One upgrade run, whatever its method: one transcript, one record of its events (the
 * diagnosis rules read it), one step runner, one diagnosis and one result, emitted once
 * on the run's event stream that every front end subscribes to. The board half opens
 * it; the host half runs inside it.
 */
export class UpgradeRun {
  readonly steps: StepRunner;
  readonly transcript: TranscriptWriter | undefined;
  private readonly seen: UpgradeEvent[] = [];
  private readonly stopRecording: () => void;
  private readonly detachTranscript: (() => void) | undefined;
  private hasFinished = false;

  constructor(
    readonly events: TypedEmitter<UpgradeEvent>,
    options: { transcriptDir?: string } = {},
  ) {
    this.steps = new StepRunner((event) => this.emit(event));
    this.stopRecording = events.on((event) => this.seen.push(event));
    this.transcript = this.openTranscript(options.transcriptDir);
    this.detachTranscript = this.transcript?.attach(events);
  }

  get transcriptPath(): string | undefined {
    return this.transcript?.path;
  }

  get isFinished(): boolean {
    return this.hasFinished;
  }

  emit(event: UnstampedEvent): void {
    this.events.emit({ ...event, atMs: Date.now() } as UpgradeEvent);
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.emit({ kind: 'log', level, message });
  }

  /** Why it failed, from the rules over everything the run saw; a rule's bug never hides the failure. */
  diagnose(error: unknown, context: EvidenceContext): Diagnosis | undefined {
    try {
      const { diagnosis } = diagnoseFailure(error, { events: this.seen, context: { platform: process.platform, ...context } });
      this.emit({ kind: 'diagnosis', diagnosis });
      return diagnosis;
    } catch (diagnosisError) {
      this.log('warn', `No diagnosis: ${diagnosisError instanceof Error ? diagnosisError.message : String(diagnosisError)}`);
      return undefined;
    }
  }

  /** The run's one result; the transcript closes after it. A second call is a no-op. */
  finish(result: RunResult): void {
    if (this.hasFinished) return;
    this.hasFinished = true;
    this.stopRecording();
    this.emit({
      kind: 'result',
      outcome: result.outcome,
      message: result.message,
      ...(result.error ? { error: result.error } : {}),
      ...(result.resumeHint ? { resumeHint: result.resumeHint } : {}),
      ...(this.transcript ? { transcriptPath: this.transcript.path } : {}),
    });
    this.detachTranscript?.();
    this.transcript?.close();
  }

  /**
   * The run ends on an error: the step under way fails, the rules diagnose it, and one
   * result goes out. The caller says where board and modem stand (`resumeHint`) and in
   * which words the result puts it; the outcome carries both, for the caller to add to.
   */
  failWith(
    error: unknown,
    ending: { isCancel: boolean; message: string; resumeHint: string; portPath: string },
  ): UpgradeOutcome & { error: UpgradeErrorInfo; resumeHint: string } {
    const failedStep = this.steps.current ?? this.steps.failed;
    this.steps.fail(error);
    const outcome: UpgradeOutcome & { error: UpgradeErrorInfo; resumeHint: string } = {
      outcome: ending.isCancel ? 'cancelled' : 'failed',
      error: errorInfo(error, failedStep),
      resumeHint: ending.resumeHint,
      ...(this.transcriptPath ? { transcriptPath: this.transcriptPath } : {}),
    };
    const diagnosis = this.diagnose(error, { portPath: ending.portPath });
    if (diagnosis) outcome.diagnosis = diagnosis;
    this.finish({ outcome: outcome.outcome, message: ending.message, error: outcome.error, resumeHint: ending.resumeHint });
    return outcome;
  }

  /** A transcript that cannot be written must not stop the upgrade: it is reported and skipped. */
  private openTranscript(dir: string | undefined): TranscriptWriter | undefined {
    if (!dir) return undefined;
    try {
      return TranscriptWriter.create(dir);
    } catch (error) {
      this.log('warn', `No transcript: cannot write to ${dir} (${error instanceof Error ? error.message : String(error)}).`);
      return undefined;
    }
  }
}

/** An error as the result and the front ends show it: code, message, what to do, and the step. */
export function errorInfo(error: unknown, step?: UpgradeErrorInfo['step']): UpgradeErrorInfo {
  if (isModemToolError(error)) {
    const at = (error.step as UpgradeErrorInfo['step']) ?? step;
    return {
      code: error.code,
      message: error.message,
      action: error.action,
      ...(error.actions?.length ? { actions: [...error.actions] } : {}),
      ...(at ? { step: at } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message, action: 'This is a bug in the tool: save the transcript and report it.', ...(step ? { step } : {}) };
}
