import type { ModemNetwork, SyntheticHeader } from '../firmwareImage';
import type { UpgradeReport } from './atInterpreter';

/** Patch failure text seen on real modems. */
export const PATCH_FAILURE_RESULT = "failure[diffUpgrade,239] Patch didn't apply!";
export const UPGRADE_SUCCESS_RESULT = 'success';
/** Share of the apply time answered with an empty AT+SMUPGRADE? reply, before "on-going". */
const EMPTY_REPLY_SHARE = 0.3;

export interface InstalledFirmware {
  build: number;
  network: ModemNetwork;
}

interface PendingUpgrade extends InstalledFirmware {
  result: string;
  startedAtMs: number;
  finishedAtMs: number;
  /** FFF: the modem reboots into the result by itself, done or not. */
  isCommitted: boolean;
}

/**
 * What the image being applied will install, and what AT+SMUPGRADE? says meanwhile:
 * an empty reply, then on-going, then the result, which stays reported after the boot.
 */
export class UpgradeTracker {
  private pending: PendingUpgrade | undefined;
  private lastReport: UpgradeReport = { phase: 'none' };

  /**
   * Starts applying. A diff applies only to the build it was made from; without a
   * synthetic header the image is taken to install `fallbackBuild`.
   */
  start(
    header: SyntheticHeader | undefined,
    current: InstalledFirmware,
    options: { durationMs: number; patchFails: boolean; fallbackBuild: number; isCommitted?: boolean },
  ): void {
    const patchDoesNotApply =
      options.patchFails || (header?.kind === 'diff' && header.fromBuild !== undefined && header.fromBuild !== current.build);
    const startedAtMs = performance.now();
    this.pending = {
      build: patchDoesNotApply ? current.build : (header?.build ?? options.fallbackBuild),
      network: patchDoesNotApply ? current.network : (header?.network ?? current.network),
      result: patchDoesNotApply ? PATCH_FAILURE_RESULT : UPGRADE_SUCCESS_RESULT,
      startedAtMs,
      finishedAtMs: startedAtMs + options.durationMs,
      isCommitted: options.isCommitted ?? false,
    };
  }

  get isApplying(): boolean {
    return this.pending !== undefined && this.report().phase !== 'done';
  }

  report(nowMs = performance.now()): UpgradeReport {
    const pending = this.pending;
    if (!pending) return this.lastReport;
    if (nowMs >= pending.finishedAtMs) return { phase: 'done', result: pending.result };
    const share = (nowMs - pending.startedAtMs) / Math.max(1, pending.finishedAtMs - pending.startedAtMs);
    return share < EMPTY_REPLY_SHARE ? { phase: 'starting' } : { phase: 'on-going' };
  }

  /**
   * The modem reboots: a finished (or committed) upgrade is installed now and its result
   * kept for AT+SMUPGRADE?; one cut short leaves the application broken.
   */
  settleAtReboot(): { kind: 'none' } | { kind: 'installed'; firmware: InstalledFirmware; isSuccess: boolean } | { kind: 'interrupted' } {
    const pending = this.pending;
    if (!pending) return { kind: 'none' };
    this.pending = undefined;
    if (!pending.isCommitted && this.reportFor(pending).phase !== 'done') return { kind: 'interrupted' };
    this.lastReport = { phase: 'done', result: pending.result };
    return {
      kind: 'installed',
      firmware: { build: pending.build, network: pending.network },
      isSuccess: pending.result === UPGRADE_SUCCESS_RESULT,
    };
  }

  private reportFor(pending: PendingUpgrade): UpgradeReport {
    return performance.now() >= pending.finishedAtMs ? { phase: 'done', result: pending.result } : { phase: 'on-going' };
  }
}
