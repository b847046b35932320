import { delimiter, resolve } from 'node:path';

/** Why the lane did not run, word for word what a user without a board reads. */
export const NO_PORT_SKIP_REASON = 'no PYCOM_TEST_PORT: plug a GPy/FiPy/G01 and set PYCOM_TEST_PORT=/dev/ttyACM0';

export interface LaneConfig {
  /** The board's serial port (PYCOM_TEST_PORT). */
  portPath: string;
  /** The Markdown report (PYCOM_TEST_REPORT, else hardware-report-<date>.md in the current folder). */
  reportPath: string;
  /** The raw transcript beside it. */
  transcriptPath: string;
  /** PYCOM_TEST_MIRROR=1: the user accepts mirror mode (crash-dump read) and the power-cycle it needs. */
  isMirrorAllowed: boolean;
  /** PYCOM_TEST_FIRMWARE: .dup files in order (several joined like PATH, for two-stage upgrades). Empty: no upgrade. */
  firmwarePaths: string[];
  /** PYCOM_TEST_UPDATER: updater.elf for the recovery method. */
  updaterPath?: string;
  /** PYCOM_TEST_TIMEOUT_SCALE: multiplies the modem waits of the upgrade and crash-dump read. */
  timeoutScale?: number;
  /** PYCOM_TEST_YES=1: the upgrade goes on past the checks' warnings, as `--yes` (failures still refuse). */
  isWarningConfirmed: boolean;
}

/** A setting the lane cannot use fails the run (the user meant to test) rather than skipping it. */
export type LaneConfigResult = { config: LaneConfig } | { skipReason: string } | { configError: string };

/** "2026-03-05" in local time: the day the user ran it, as the file name shows it. */
function localDate(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The transcript's name: the report's, with .transcript.log instead of .md. */
export function transcriptPathFor(reportPath: string): string {
  return reportPath.replace(/\.md$/i, '') + '.transcript.log';
}

export function laneConfigFromEnv(env: NodeJS.ProcessEnv, { cwd, now }: { cwd: string; now: Date }): LaneConfigResult {
  const portPath = env.PYCOM_TEST_PORT?.trim();
  if (!portPath) return { skipReason: NO_PORT_SKIP_REASON };
  const reportPath = resolve(cwd, env.PYCOM_TEST_REPORT?.trim() || `hardware-report-${localDate(now)}.md`);
  const firmwarePaths = (env.PYCOM_TEST_FIRMWARE ?? '')
    .split(delimiter)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => resolve(cwd, p));
  const updater = env.PYCOM_TEST_UPDATER?.trim();
  if (updater && firmwarePaths.length === 0) {
    return { configError: 'PYCOM_TEST_UPDATER is set without PYCOM_TEST_FIRMWARE: updater.elf is only used by an upgrade; set both, or neither' };
  }
  const scaleText = env.PYCOM_TEST_TIMEOUT_SCALE?.trim();
  const timeoutScale = scaleText ? Number(scaleText) : undefined;
  if (timeoutScale !== undefined && !(timeoutScale > 0)) {
    return { configError: `PYCOM_TEST_TIMEOUT_SCALE=${scaleText} is not a positive number` };
  }
  return {
    config: {
      portPath,
      reportPath,
      transcriptPath: transcriptPathFor(reportPath),
      isMirrorAllowed: env.PYCOM_TEST_MIRROR?.trim() === '1',
      isWarningConfirmed: env.PYCOM_TEST_YES?.trim() === '1',
      firmwarePaths,
      ...(updater ? { updaterPath: resolve(cwd, updater) } : {}),
      ...(timeoutScale !== undefined ? { timeoutScale } : {}),
    },
  };
}
