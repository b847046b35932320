import type { UpgradeTimeouts } from '../../../src/core/engine/upgradeTimeouts';

/** The engine's waits for a whole upgrade on the time-scaled simulated GPy (board tests share them). */
export const BOARD_TEST_TIMEOUTS: Partial<UpgradeTimeouts> = {
  atReplyMs: 2_000,
  wakeupMs: 5_000,
  updaterLoadMs: 10_000,
  stpRequestMs: 3_000,
  applyMs: 10_000,
  rebootMs: 10_000,
  pollIntervalMs: 20,
  wakeAttemptMs: 100,
  swbootFallbackDelayMs: 10,
  crashDumpMs: 2_000,
};
