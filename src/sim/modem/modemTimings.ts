/** Real-time durations (ms) the simulated modem takes; all but stpIdleMs are multiplied by timeScale. */
export interface ModemTimings {
  /** A reboot into the application, until +SYSSTART. */
  appBootMs: number;
  /** AT+SMSWBOOT=3,1 (or AT^RESET in recovery mode) until the updater answers AT. */
  updaterBootMs: number;
  /** updater.elf received until the updater answers AT: minutes on a real modem. */
  updaterLoadMs: number;
  /** Applying an image, until AT+SMUPGRADE? reports the result. */
  applyMs: number;
  /** Each of the two pauses during a transfer (around 8 % and 99 %). */
  stallMs: number;
  /** After a crash, silent this long before it reboots. */
  crashSilenceMs: number;
  /** After the closing RESET of an ON_THE_FLY session: busy verifying, silent. */
  postTransferBusyMs: number;
  /**
   * An STP line with no valid request for this long goes back to AT, the session
   * dropped (an inference: a real modem cannot wait for an absent host forever).
   * NOT scaled by timeScale: hosts' request deadlines are real time too.
   */
  stpIdleMs: number;
}

export const DEFAULT_MODEM_TIMINGS: ModemTimings = {
  appBootMs: 4_000,
  updaterBootMs: 6_000,
  updaterLoadMs: 120_000,
  applyMs: 60_000,
  stallMs: 20_000,
  crashSilenceMs: 20_000,
  postTransferBusyMs: 1_500,
  stpIdleMs: 120_000,
};
