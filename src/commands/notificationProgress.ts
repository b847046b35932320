import type { StepId, UpgradeEvent } from '../core/engine/upgradeEvents';

/**
 * The notification's bar, filled as the panel's: VS Code's progress only adds
 * (`increment`, out of 100), so this turns absolute byte counts into the growth since the
 * last report. The whole transfer is the files the plan names (updater.elf, then each
 * .dup), in equal shares; without a plan (a file push) the files seen so far.
 */
export class NotificationProgress {
  private reportedPercent = 0;
  private plannedFiles = 0;
  private readonly files: string[] = [];

  /** `steps`: whose progress counts (an upgrade's STP transfers, not the board half's copy of updater.elf). */
  constructor(private readonly steps?: readonly StepId[]) {}

  /** The increment this event brings, or undefined when the bar does not move. */
  increment(event: UpgradeEvent): number | undefined {
    if (event.kind === 'plan') this.plannedFiles = event.files.length;
    if (event.kind !== 'progress' || (this.steps && !this.steps.includes(event.step))) return undefined;
    const key = `${event.step}:${event.fileIndex}`;
    let index = this.files.indexOf(key);
    if (index === -1) index = this.files.push(key) - 1;
    const shares = Math.max(this.plannedFiles, this.files.length);
    const fileFraction = event.bytesTotal > 0 ? Math.min(1, event.bytesDone / event.bytesTotal) : 1;
    const percent = Math.min(100, ((index + fileFraction) / shares) * 100);
    const growth = percent - this.reportedPercent;
    // Whole percents only: a report per block would be thousands of notification updates.
    if (growth < 1 - 1e-9 && percent < 100) return undefined;
    if (growth <= 0) return undefined;
    this.reportedPercent = percent;
    return growth;
  }
}
