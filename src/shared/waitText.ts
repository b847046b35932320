/**
 * A long wait in words, the same in the CLI, the notification and the panel. No vscode,
 * no DOM, no core imports: the webview bundle includes this file.
 */

export interface WaitFigures {
  what: string;
  elapsedMs: number;
  normalMs: number;
  budgetMs: number;
  isSafeToInterrupt: boolean;
}

/** "2 min 10 s", "45 s", "35 min": how long a wait lasted, as a person says it. */
export function formatWaitDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (minutes === 0) return `${seconds} s`;
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

/**
 * "Waiting for the modem to finish writing its flash: 2 min 10 s (up to 10 min is normal)
 * — do not unplug": what the modem is doing, how long, what is normal, and whether it is safe to stop.
 */
export function formatWaitText(wait: WaitFigures): string {
  const beyondNormal = wait.elapsedMs > wait.normalMs ? `; longer than usual, the tool waits up to ${formatWaitDuration(wait.budgetMs)}` : '';
  return (
    `${wait.what}: ${formatWaitDuration(wait.elapsedMs)} (up to ${formatWaitDuration(wait.normalMs)} is normal${beyondNormal})` +
    (wait.isSafeToInterrupt ? '' : ' — do not unplug or cancel')
  );
}
