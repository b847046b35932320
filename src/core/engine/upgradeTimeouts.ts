/**
 * Every wall-clock bound of an upgrade, in one place so a caller (or a test with a
 * fast simulator) can scale them. Each long wait is a named phase (WAIT_PHASES) whose
 * budget is at least what the published updater (1.2.7) allows for the same phase
 * (PROTOCOL.md sections 2, 8 and 9, "Waits of the published updater"): a modem cut off
 * while it writes its flash can be bricked, so the tool never gives up (and never
 * advises a power cycle) sooner than the tool people used before.
 */
export interface UpgradeTimeouts {
  /** One ordinary AT command and its final result code. */
  atReplyMs: number;
  /** First wake-up of the modem (AT until OK) before anything changed, across both baud rates. */
  wakeupMs: number;
  /** updater.elf loading in the modem after the recovery transfer: "may take several minutes". */
  updaterLoadMs: number;
  /** One STP request before it is resent; the modem may think ~90 s over a single block. */
  stpRequestMs: number;
  /** Polling AT+SMUPGRADE? once the modem answers again after the transfer. */
  applyMs: number;
  /** A modem reboot (AT+SMSWBOOT=…,1, AT^RESET, +SYSSTART) until it answers again. */
  rebootMs: number;
  /** One AT probe during a wake-up; the published tool probes once a second. */
  wakeAttemptMs: number;
  /** Between two polls of AT+SMUPGRADE? / AT+SMSWBOOT?. */
  pollIntervalMs: number;
  /** The pause PROTOCOL.md prescribes after AT+SMSWBOOT=3,1 answers ERROR, before the fallback. */
  swbootFallbackDelayMs: number;
  /** Reading /fs/crashdump after a failure: short, the modem may well be dead. */
  crashDumpMs: number;
  /**
   * The wake-up after the transfer, while the modem verifies and writes its flash. Optional
   * for callers written before it had its own name: see resolveTimeouts.
   */
  postTransferWakeMs?: number;
  /** Polling AT+SMSWBOOT? after the result (optional, see resolveTimeouts). */
  bootCheckMs?: number;
  /**
   * How long one STP request may go without any answer, across its resends, before the
   * transfer fails (optional, see resolveTimeouts).
   */
  stpSilenceMs?: number;
  /** How often a long wait is reported again with its elapsed time (optional). */
  waitReportIntervalMs?: number;
}

/** Every bound filled in: what a session works with. */
export type ResolvedUpgradeTimeouts = Required<UpgradeTimeouts>;

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;

/**
 * The published updater's own figures (PROTOCOL.md §9): an AT probe waits ~20 s for a
 * reply and 1 s before the next; 10 probes before a transfer, 100 after it; each poll
 * loop 300 s; a silent STP read costs it about 75 minutes.
 */
export const PUBLISHED_UPDATER_WAITS = Object.freeze({
  atProbeMs: 21 * SECOND_MS,
  probesBeforeTransfer: 10,
  probesAfterTransfer: 100,
  smupgradePollMs: 300 * SECOND_MS,
  smswbootPollMs: 300 * SECOND_MS,
  silentStpReadMs: 75 * MINUTE_MS,
  /** The loop it gives every other modem wait (reboots, updater load). */
  waitLoopMs: 300 * SECOND_MS,
});

const PUBLISHED = PUBLISHED_UPDATER_WAITS;

/** Sends of one STP request when nothing says otherwise; kept in step with STP_DEFAULT_MAX_ATTEMPTS. */
const STP_SENDS_PER_REQUEST = 4;

export const DEFAULT_UPGRADE_TIMEOUTS: Readonly<ResolvedUpgradeTimeouts> = Object.freeze({
  atReplyMs: 10_000,
  // Nothing is at risk before the first change, so this stays the published 10 probes
  // (~3.5 min), not the 35 minutes after a transfer.
  wakeupMs: PUBLISHED.probesBeforeTransfer * PUBLISHED.atProbeMs,
  // "May take several minutes" (Pycom); the published tool gives it no more than a 300 s loop.
  updaterLoadMs: 10 * MINUTE_MS,
  stpRequestMs: 120_000,
  // Published: 300 s; forum users report NB-IoT pauses of ~10 minutes as normal.
  applyMs: 10 * MINUTE_MS,
  rebootMs: PUBLISHED.waitLoopMs,
  pollIntervalMs: 1_000,
  wakeAttemptMs: 1_000,
  swbootFallbackDelayMs: 5_000,
  crashDumpMs: 15_000,
  postTransferWakeMs: PUBLISHED.probesAfterTransfer * PUBLISHED.atProbeMs,
  bootCheckMs: PUBLISHED.smswbootPollMs,
  // The published tool reads a silent STP line for ~75 minutes without resending; here a
  // request is resent every stpRequestMs (a rejected request gets no reply at all,
  // PROTOCOL.md §8) for as long.
  stpSilenceMs: PUBLISHED.silentStpReadMs,
  waitReportIntervalMs: 10_000,
});

export type WaitPhaseId =
  | 'first-wake'
  | 'stp-silence'
  | 'updater-load'
  | 'reboot'
  | 'new-firmware-boot'
  | 'post-transfer-wake'
  | 'smupgrade-poll'
  | 'smswboot-poll'
  | 'board-trigger'
  | 'board-trigger-ffh';

export interface WaitPhase {
  /** What the person sees while it lasts. */
  what: string;
  /** The key of UpgradeTimeouts that bounds it (board phases: BoardTimeouts). */
  budgetKey: keyof ResolvedUpgradeTimeouts | 'triggerMs' | 'triggerFfhMs';
  /** Up to this long is a normal pause of a real modem; later is unusual but not a failure yet. */
  normalMs: number;
  /** The published updater's figure for the same wait (the budget never falls below it). */
  publishedMs: number;
  /** Where the figures come from. */
  source: string;
  /** False while the modem may be writing its flash: a power cut then can brick it. */
  isSafeToInterrupt: boolean;
}

/** The long waits of an upgrade, their normal length and where their budget comes from. */
export const WAIT_PHASES: Readonly<Record<WaitPhaseId, WaitPhase>> = Object.freeze({
  'first-wake': {
    what: 'Waiting for the modem to answer',
    budgetKey: 'wakeupMs',
    normalMs: PUBLISHED.atProbeMs,
    publishedMs: PUBLISHED.probesBeforeTransfer * PUBLISHED.atProbeMs,
    source: 'published updater: 10 AT probes of ~21 s before a transfer',
    isSafeToInterrupt: true,
  },
  'stp-silence': {
    what: 'Waiting for the modem to take the next block',
    budgetKey: 'stpSilenceMs',
    normalMs: 10 * MINUTE_MS,
    publishedMs: PUBLISHED.silentStpReadMs,
    source: 'published updater: a silent STP read ~75 min; stalls at 7–10 % and 99 % normal, "hanging for more than 5 minutes"; NB-IoT pauses ~10 min',
    isSafeToInterrupt: false,
  },
  'updater-load': {
    what: 'Waiting for the modem to start updater.elf',
    budgetKey: 'updaterLoadMs',
    normalMs: 5 * MINUTE_MS,
    publishedMs: PUBLISHED.waitLoopMs,
    source: 'Pycom: the updater "may take several minutes to load"; published wait loop 300 s',
    isSafeToInterrupt: true,
  },
  reboot: {
    what: 'Waiting for the modem to restart',
    budgetKey: 'rebootMs',
    normalMs: MINUTE_MS,
    publishedMs: PUBLISHED.waitLoopMs,
    source: 'published updater: 300 s per wait loop',
    isSafeToInterrupt: true,
  },
  'new-firmware-boot': {
    what: 'Waiting for the modem to boot its new firmware',
    budgetKey: 'rebootMs',
    normalMs: MINUTE_MS,
    publishedMs: PUBLISHED.waitLoopMs,
    source: 'published updater: 300 s per wait loop (it never reads the reply to AT+SMSWBOOT=1,1)',
    isSafeToInterrupt: false,
  },
  'post-transfer-wake': {
    what: 'Waiting for the modem to finish writing its flash',
    budgetKey: 'postTransferWakeMs',
    normalMs: 10 * MINUTE_MS,
    publishedMs: PUBLISHED.probesAfterTransfer * PUBLISHED.atProbeMs,
    source: 'published updater: 100 AT probes (~35 min) after the transfer; NB-IoT pauses ~10 min reported normal',
    isSafeToInterrupt: false,
  },
  'smupgrade-poll': {
    what: 'Waiting for the modem to report the upgrade result',
    budgetKey: 'applyMs',
    normalMs: 5 * MINUTE_MS,
    publishedMs: PUBLISHED.smupgradePollMs,
    source: 'published updater: AT+SMUPGRADE? for up to 300 s; "unless hanging for more than 5 minutes, do not interrupt"',
    isSafeToInterrupt: false,
  },
  'smswboot-poll': {
    what: 'Waiting for the modem to settle its boot mode',
    budgetKey: 'bootCheckMs',
    normalMs: MINUTE_MS,
    publishedMs: PUBLISHED.smswbootPollMs,
    source: 'published updater: AT+SMSWBOOT? for up to 300 s',
    isSafeToInterrupt: false,
  },
  'board-trigger': {
    what: 'Waiting for the board to start mirror mode',
    budgetKey: 'triggerMs',
    normalMs: MINUTE_MS,
    publishedMs: PUBLISHED.probesBeforeTransfer * PUBLISHED.atProbeMs,
    source: "the board's updater wakes the modem with the published 10 probes of ~21 s",
    isSafeToInterrupt: true,
  },
  'board-trigger-ffh': {
    what: "Waiting for the board's updater (it may be rewriting the modem's bootrom)",
    budgetKey: 'triggerFfhMs',
    normalMs: 10 * MINUTE_MS,
    publishedMs:
      PUBLISHED.probesBeforeTransfer * PUBLISHED.atProbeMs + PUBLISHED.probesAfterTransfer * PUBLISHED.atProbeMs + PUBLISHED.smswbootPollMs,
    source: 'published updater on the board: 10 probes, bootrom write and updater.elf load, 100 probes (~35 min), AT+SMSWBOOT? 300 s',
    isSafeToInterrupt: false,
  },
});

/**
 * What a caller that predates a phase's own key meant for it: the key the phase shared
 * before, at the ratio of the defaults (so a scaled test rig or a user's longer setting
 * scales the phase alike). The STP silence keeps the old count of sends: a caller that
 * set only the per-request deadline keeps its "give up after 4 sends".
 */
function derivedPhases(partial: Partial<UpgradeTimeouts>): Partial<UpgradeTimeouts> {
  const d = DEFAULT_UPGRADE_TIMEOUTS;
  const derived: Partial<UpgradeTimeouts> = {};
  if (partial.postTransferWakeMs === undefined && isBound(partial.applyMs)) {
    derived.postTransferWakeMs = partial.applyMs * (d.postTransferWakeMs / d.applyMs);
  }
  if (partial.bootCheckMs === undefined && isBound(partial.rebootMs)) {
    derived.bootCheckMs = partial.rebootMs * (d.bootCheckMs / d.rebootMs);
  }
  if (partial.stpSilenceMs === undefined && isBound(partial.stpRequestMs)) {
    derived.stpSilenceMs = partial.stpRequestMs * STP_SENDS_PER_REQUEST;
  }
  return derived;
}

function isBound(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

export function resolveTimeouts(partial?: Partial<UpgradeTimeouts>): ResolvedUpgradeTimeouts {
  const merged: ResolvedUpgradeTimeouts = { ...DEFAULT_UPGRADE_TIMEOUTS };
  const given = partial ?? {};
  for (const [key, value] of Object.entries({ ...derivedPhases(given), ...given })) {
    if (isBound(value)) merged[key as keyof ResolvedUpgradeTimeouts] = value;
  }
  return merged;
}

/** All timeouts multiplied by `factor` (tests with a time-scaled simulator, `--timeout-scale`). */
export function scaleTimeouts(timeouts: UpgradeTimeouts, factor: number): ResolvedUpgradeTimeouts {
  const scaled = resolveTimeouts(timeouts);
  for (const key of Object.keys(scaled) as (keyof ResolvedUpgradeTimeouts)[]) scaled[key] *= factor;
  return scaled;
}

/**
 * Waits on a simulated clock (the simulator sped up by 1 / timeScale) follow it, down to a
 * floor: the host's own work, and a busy machine, do not speed up with it. A wake-up
 * attempt below a few hundred ms would switch baud rates under the modem's reply (it
 * arrives garbled), so it keeps a real-time floor like the deadlines. Never above the
 * real-time value.
 */
const SIMULATED_CLOCK_FLOOR_MS: Partial<Record<keyof UpgradeTimeouts, number>> = {
  pollIntervalMs: 20,
  swbootFallbackDelayMs: 10,
  wakeAttemptMs: 250,
  // An AT+SMUPGRADE? poll sent while the modem reboots into the new image is lost and
  // costs a whole reply deadline (the 3 s floor): the apply budget keeps room for a few.
  applyMs: 10_000,
};
const SIMULATED_CLOCK_DEADLINE_FLOOR_MS = 3_000;

export function simulatedClockTimeouts(partial: Partial<UpgradeTimeouts> | undefined, timeScale: number): ResolvedUpgradeTimeouts {
  const timeouts = resolveTimeouts(partial);
  if (timeScale >= 1) return timeouts;
  const scaled = scaleTimeouts(timeouts, timeScale);
  for (const key of Object.keys(scaled) as (keyof ResolvedUpgradeTimeouts)[]) {
    const floorMs = SIMULATED_CLOCK_FLOOR_MS[key] ?? SIMULATED_CLOCK_DEADLINE_FLOOR_MS;
    scaled[key] = Math.min(timeouts[key], Math.max(scaled[key], floorMs));
  }
  return scaled;
}

/**
 * A phase's normal length for a session's budget: scaled like the budget when a caller
 * scaled it (a fast simulator), and never more than the budget itself.
 */
export function normalMsFor(phase: WaitPhase, budgetMs: number, defaultBudgetMs: number): number {
  const scale = defaultBudgetMs > 0 ? Math.min(1, budgetMs / defaultBudgetMs) : 1;
  return Math.min(budgetMs, phase.normalMs * scale);
}

/** Whole minutes, rounded up, for advice such as "leave it powered at least 10 minutes". */
export function wholeMinutes(ms: number): number {
  return Math.max(1, Math.ceil(ms / MINUTE_MS));
}
