type Timer = ReturnType<typeof setTimeout>;

/**
 * Every timer and pause the modem has running, so that stop() can end them all:
 * nothing fires after the modem is stopped, and nothing stays waiting on a cleared timer.
 * Modem durations are real ones scaled by `timeScale`; a few waits are wall-clock time
 * because they are measured against the host's own deadlines.
 */
export class ModemClock {
  private readonly timers = new Set<Timer>();
  private readonly pauses = new Set<() => void>();
  private hasStopped = false;

  constructor(readonly timeScale: number) {}

  get isStopped(): boolean {
    return this.hasStopped;
  }

  stop(): void {
    this.hasStopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const resume of this.pauses) resume();
    this.pauses.clear();
  }

  /** Runs `then` after a modem duration, unless the modem has stopped by then. */
  schedule(realMs: number, then: () => void): Timer {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.hasStopped) then();
    }, realMs * this.timeScale);
    this.timers.add(timer);
    return timer;
  }

  scaledPause(realMs: number): Promise<void> {
    return new Promise((resolve) => {
      const resume = () => {
        this.pauses.delete(resume);
        resolve();
      };
      this.pauses.add(resume);
      this.schedule(realMs, resume);
    });
  }

  /** A slow modem: wall-clock time (not scaled), since it is measured against the host's deadlines. */
  wallClockPause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const resume = () => {
        this.pauses.delete(resume);
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve();
      };
      const timer = setTimeout(resume, ms);
      this.timers.add(timer);
      this.pauses.add(resume);
    });
  }

  /** A wall-clock timer that stop() clears; `then` checks for itself whether it still matters. */
  wallClockTimer(ms: number, then: () => void): Timer {
    const timer = setTimeout(then, ms);
    this.timers.add(timer);
    return timer;
  }

  cancel(timer: Timer): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }
}
