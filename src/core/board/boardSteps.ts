import { isModemToolError } from '../errors';
import type { TypedEmitter } from '../events/typedEmitter';
import { STEP_TITLES, type StepId, type StepPhase, type UpgradeEvent } from '../engine/upgradeEvents';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event without its time: the emitter stamps it as it goes out. */
export type UnstampedEvent = DistributiveOmit<UpgradeEvent, 'atMs'>;

/** Emits board-half events on the engine's stream, so every front end shows them like the host half's. */
export function stampedEmitter(events: TypedEmitter<UpgradeEvent>): (event: UnstampedEvent) => void {
  return (event) => events.emit({ ...event, atMs: Date.now() } as UpgradeEvent);
}

/**
 * The steps of work on the board, as step events: start, done with a detail, and, when
 * something fails, the step that was running marks itself failed and the error names it.
 */
export class BoardSteps {
  /** The step under way; undefined between steps. */
  current: StepId | undefined;

  constructor(private readonly emit: (event: UnstampedEvent) => void) {}

  event(step: StepId, phase: StepPhase, detail?: string): void {
    this.emit({ kind: 'step', step, title: STEP_TITLES[step], phase, ...(detail ? { detail } : {}) });
  }

  async run<T>(id: StepId, job: () => Promise<T>, detailOf?: (value: T) => string | undefined): Promise<T> {
    this.current = id;
    this.event(id, 'start');
    const value = await job();
    this.event(id, 'done', detailOf?.(value));
    this.current = undefined;
    return value;
  }

  /** `error` ended the running step (if any): it is marked failed and the error tied to it. */
  fail(error: unknown): void {
    const step = this.current;
    if (!step) return;
    if (isModemToolError(error)) error.step ??= step;
    this.event(step, 'fail', error instanceof Error ? error.message : String(error));
  }
}
