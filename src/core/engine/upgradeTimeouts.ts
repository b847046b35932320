/**
 * Every wall-clock bound of an upgrade, in one place so a caller (or a test with a
 * fast simulator) can scale them. Defaults come from PROTOCOL.md section 2 and 8.
 */
export interface UpgradeTimeouts {
  /** One ordinary AT command and its final result code. */
  atReplyMs: number;
  /** First wake-up of the modem (AT until OK), across both baud rates. The published tool gives up after ~21 s. */
  wakeupMs: number;
  /** updater.elf loading in the modem after the recovery transfer: "can take minutes". */
  updaterLoadMs: number;
  /** One STP request; the modem may think ~90 s over a single block. */
  stpRequestMs: number;
  /** Applying the firmware (AT+SMUPGRADE? polling), and the wake-up after the transfer. */
  applyMs: number;
  /** A modem reboot (AT+SMSWBOOT=…,1, AT^RESET) until it answers again. */
  rebootMs: number;
  /** One AT probe during a wake-up; the published tool probes once a second. */
  wakeAttemptMs: number;
  /** Between two polls of AT+SMUPGRADE? / AT+SMSWBOOT?. */
  pollIntervalMs: number;
  /** The pause PROTOCOL.md prescribes after AT+SMSWBOOT=3,1 answers ERROR, before the fallback. */
  swbootFallbackDelayMs: number;
  /** Reading /fs/crashdump after a failure: short, the modem may well be dead. */
  crashDumpMs: number;
}

/** The published tool gives each of its wait loops 300 s; we bound by the clock, not by counting. */
const MODEM_WAIT_MS = 300_000;

export const DEFAULT_UPGRADE_TIMEOUTS: Readonly<UpgradeTimeouts> = Object.freeze({
  atReplyMs: 10_000,
  wakeupMs: 25_000,
  updaterLoadMs: MODEM_WAIT_MS,
  stpRequestMs: 120_000,
  applyMs: MODEM_WAIT_MS,
  rebootMs: MODEM_WAIT_MS,
  pollIntervalMs: 1_000,
  wakeAttemptMs: 1_000,
  swbootFallbackDelayMs: 5_000,
  crashDumpMs: 15_000,
});

export function resolveTimeouts(partial?: Partial<UpgradeTimeouts>): UpgradeTimeouts {
  const merged = { ...DEFAULT_UPGRADE_TIMEOUTS };
  for (const [key, value] of Object.entries(partial ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) merged[key as keyof UpgradeTimeouts] = value;
  }
  return merged;
}

/** All timeouts multiplied by `factor` (tests with a time-scaled simulator). */
export function scaleTimeouts(timeouts: UpgradeTimeouts, factor: number): UpgradeTimeouts {
  const scaled = { ...timeouts };
  for (const key of Object.keys(scaled) as (keyof UpgradeTimeouts)[]) scaled[key] = timeouts[key] * factor;
  return scaled;
}
