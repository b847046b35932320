import { Deadline } from '../../../src/core/time/deadline';

/**
 * Asks `probe` until it returns a value or the deadline passes. For state that announces
 * nothing (a log file written by another process, a DOM we only read): each probe is
 * cheap, and the loop ends by the deadline, never by a count.
 */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  deadline: Deadline,
  describeFailure: () => string = () => '',
  intervalMs = 250,
): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (deadline.isExpired()) {
      const detail = describeFailure();
      throw new Error(`gave up waiting for ${deadline.label} after ${deadline.budgetMs} ms${detail ? `: ${detail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(1, deadline.remainingMs()))));
  }
}

export { Deadline };
