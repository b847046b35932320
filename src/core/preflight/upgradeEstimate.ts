import type { UpgradePath } from '../engine/upgradeEvents';
import { transferMethodForSize } from '../parse/firmwareFile';

/**
 * How long an upgrade should take, before it starts: the bytes at the line rate, plus
 * the modem's own waits. The line rate is a fact; the waits are typical figures
 * inferred from published logs and PROTOCOL.md's timing notes, so the total is a
 * guide for the user ("about 6 minutes"), never a deadline.
 */

/** Mirror mode runs UART0 at 921600 baud (PROTOCOL.md §1). */
export const MIRROR_BAUD = 921_600;

/** 8N1 sends 10 bits per byte: one start bit, eight data bits, one stop bit. */
const BITS_PER_BYTE_8N1 = 10;

/**
 * STP's share of the line: 16 header bytes per 2016-byte block plus a 16-byte command
 * frame and two replies per block (PROTOCOL.md §3, §8) leave about 96 % for payload.
 */
export const STP_EFFICIENCY = 0.96;

/** Typical waits, ms (inferred; see the note at the top). */
export const TYPICAL_WAIT_MS = {
  /** The AT preamble (bind, echo off, state, notifications, CFUN=4). */
  prepare: 10_000,
  /** AT+SMSWBOOT=3,1: the modem reboots into its updater and answers AT again. */
  rebootIntoUpdater: 30_000,
  /** updater.elf starting in the modem after its transfer: "can take minutes". */
  updaterLoad: 60_000,
  /** The pauses during a transfer, around 7–10 % and at 99 %: up to ~90 s each. */
  transferPauses: 2 * 90_000,
  /** FFF: AT+SMUPGRADE applying the staged diff until +SMUPGRADE reports. */
  applyStaged: 120_000,
  /** ON_THE_FLY: the modem finishing the written image until +SMUPGRADE reports. */
  finishOnTheFly: 60_000,
  /** AT+SMSWBOOT=1,1 until +SYSSTART, and the version report. */
  bootApplication: 30_000,
} as const;

export interface DurationPart {
  label: string;
  ms: number;
}

export interface UpgradeEstimate {
  /** Payload bytes per second the line carries. */
  bytesPerSecond: number;
  transferMs: number;
  waitMs: number;
  totalMs: number;
  parts: DurationPart[];
}

export function stpBytesPerSecond(baudRate: number = MIRROR_BAUD): number {
  return (baudRate / BITS_PER_BYTE_8N1) * STP_EFFICIENCY;
}

/**
 * The estimate for one run: `firmwareBytes` in order (two-stage: both files),
 * `updaterBytes` for the recovery path.
 */
export function estimateUpgradeDuration(input: {
  path: UpgradePath;
  firmwareBytes: readonly number[];
  updaterBytes?: number;
  baudRate?: number;
}): UpgradeEstimate {
  const bytesPerSecond = stpBytesPerSecond(input.baudRate);
  const parts: DurationPart[] = [];
  const sendMs = (bytes: number) => (bytes / bytesPerSecond) * 1000;
  let transferMs = 0;
  if (input.path === 'recovery') {
    const ms = sendMs(input.updaterBytes ?? 0);
    transferMs += ms;
    parts.push({ label: 'send updater.elf', ms }, { label: 'updater.elf starts', ms: TYPICAL_WAIT_MS.updaterLoad });
  }
  input.firmwareBytes.forEach((bytes, index) => {
    const name = input.firmwareBytes.length > 1 ? ` (file ${index + 1})` : '';
    // A resumed or recovered upgrade is already in the updater: no preamble, no reboot.
    const isInUpdater = input.path === 'resume' || input.path === 'recovery';
    if (!isInUpdater || index > 0) parts.push({ label: `prepare the modem${name}`, ms: TYPICAL_WAIT_MS.prepare });
    // The method follows the file's size on every path, a resumed one included (PROTOCOL.md §2).
    const isStaged = transferMethodForSize(bytes) === 'fff';
    if (!isStaged && (!isInUpdater || index > 0)) parts.push({ label: `reboot into the updater${name}`, ms: TYPICAL_WAIT_MS.rebootIntoUpdater });
    const ms = sendMs(bytes);
    transferMs += ms;
    parts.push({ label: `send the firmware${name}`, ms }, { label: `modem pauses during the transfer${name}`, ms: TYPICAL_WAIT_MS.transferPauses });
    parts.push(
      isStaged
        ? { label: `apply the staged firmware${name}`, ms: TYPICAL_WAIT_MS.applyStaged }
        : { label: `modem finishes the upgrade${name}`, ms: TYPICAL_WAIT_MS.finishOnTheFly },
    );
  });
  parts.push({ label: 'boot the new firmware', ms: TYPICAL_WAIT_MS.bootApplication });
  const totalMs = parts.reduce((sum, part) => sum + part.ms, 0);
  return { bytesPerSecond, transferMs, waitMs: totalMs - transferMs, totalMs, parts };
}

/** "about 6 min", "about 45 s". */
export function formatEstimate(ms: number): string {
  if (ms < 90_000) return `about ${Math.max(1, Math.round(ms / 1000))} s`;
  return `about ${Math.round(ms / 60_000)} min`;
}
