/**
 * A wall-clock bound on a wait. Every wait in the project takes one, so that no
 * loop counts sleeps: a 90-second modem pause and a 5 ms turnaround use the same rule.
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => performance.now() };

export class Deadline {
  private constructor(
    /** Clock time at which the wait gives up (Infinity: never). */
    readonly atMs: number,
    /** The budget the wait was given, for error messages ("waited 90000 ms"). */
    readonly budgetMs: number,
    /** What is being waited for, in words a person reads in an error. */
    readonly label: string,
    private readonly clock: Clock,
  ) {}

  static in(budgetMs: number, label = 'reply', clock: Clock = systemClock): Deadline {
    return new Deadline(clock.nowMs() + budgetMs, budgetMs, label, clock);
  }

  static never(label = 'reply', clock: Clock = systemClock): Deadline {
    return new Deadline(Infinity, Infinity, label, clock);
  }

  remainingMs(): number {
    return Math.max(0, this.atMs - this.clock.nowMs());
  }

  isExpired(): boolean {
    return this.clock.nowMs() >= this.atMs;
  }

  elapsedMs(): number {
    return this.budgetMs === Infinity ? 0 : this.budgetMs - (this.atMs - this.clock.nowMs());
  }

  /** The sooner of this deadline and a new one of `budgetMs`, keeping this label. */
  within(budgetMs: number): Deadline {
    const other = this.clock.nowMs() + budgetMs;
    return other < this.atMs ? new Deadline(other, budgetMs, this.label, this.clock) : this;
  }

  withLabel(label: string): Deadline {
    return new Deadline(this.atMs, this.budgetMs, label, this.clock);
  }
}
