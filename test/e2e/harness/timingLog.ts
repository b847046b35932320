/** Wall time of each phase, printed as one line so CI's budget is easy to watch. */
export class TimingLog {
  private readonly entries: { name: string; ms: number; outcome: 'ok' | 'failed' | 'skipped' }[] = [];

  async measure<T>(name: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.entries.push({ name, ms: performance.now() - started, outcome: 'ok' });
      return result;
    } catch (error) {
      this.entries.push({ name, ms: performance.now() - started, outcome: 'failed' });
      throw error;
    }
  }

  skipped(name: string): void {
    this.entries.push({ name, ms: 0, outcome: 'skipped' });
  }

  summary(): string {
    const total = this.entries.reduce((sum, e) => sum + e.ms, 0);
    const parts = this.entries.map((e) => `${e.name} ${e.outcome === 'skipped' ? 'skipped' : `${(e.ms / 1000).toFixed(1)}s${e.outcome === 'failed' ? ' (failed)' : ''}`}`);
    return `e2e timings: ${parts.join(', ')}; total ${(total / 1000).toFixed(1)}s`;
  }
}
