import { isModemToolError } from '../errors';
import { STEP_TITLES, type StepId, type StepPhase, type UpgradeEvent, type WaitInfo } from './upgradeEvents';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event without its time: the run stamps it as it goes out. */
export type UnstampedEvent = DistributiveOmit<UpgradeEvent, 'atMs'>;

/**
 * The one way a step of an upgrade runs, board half and host half alike: a start event,
 * the work, then done (with a detail the result may give) or fail, where a typed error
 * learns the step it failed in.
 */
export class StepRunner {
  /** The step under way; undefined between steps. */
  current: StepId | undefined;
  /** The step the last failure ended, for whoever handles the error further out. */
  failed: StepId | undefined;

  constructor(private readonly emit: (event: UnstampedEvent) => void) {}

  event(step: StepId, phase: StepPhase, detail?: string, wait?: WaitInfo): void {
    this.emit({ kind: 'step', step, title: STEP_TITLES[step], phase, ...(detail ? { detail } : {}), ...(wait ? { wait } : {}) });
  }

  async run<T>(step: StepId, job: () => Promise<T>, details: { atStart?: string; whenDone?: (value: T) => string | undefined } = {}): Promise<T> {
    this.current = step;
    this.event(step, 'start', details.atStart);
    try {
      const value = await job();
      this.event(step, 'done', details.whenDone?.(value));
      return value;
    } catch (error) {
      this.fail(error);
      throw error;
    } finally {
      if (this.current === step) this.current = undefined;
    }
  }

  /** `error` ended the running step (if any): it is marked failed and the error tied to it. */
  fail(error: unknown): void {
    const step = this.current;
    if (!step) return;
    if (isModemToolError(error) && !error.step) error.step = step;
    this.event(step, 'fail', error instanceof Error ? error.message : String(error));
    this.failed = step;
    this.current = undefined;
  }
}

/** Where a session's events go: stamped on the stream, with the step runner over it. */
export interface EventSink {
  emit(event: UnstampedEvent): void;
  readonly steps: StepRunner;
}

/** A sink straight onto an event stream, for work that is not a whole run (a modem read). */
export function streamSink(events: { emit(event: UpgradeEvent): void }): EventSink {
  const emit = (event: UnstampedEvent) => events.emit({ ...event, atMs: Date.now() } as UpgradeEvent);
  return { emit, steps: new StepRunner(emit) };
}
