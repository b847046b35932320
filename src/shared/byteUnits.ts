/**
 * Sizes in decimal units ("5.84 MB", "812 kB", "96 B"), as file managers and transfer
 * rates show them, for the CLI and the panel alike. `digits` is the megabyte precision;
 * kilobytes get one digit less. (Binary units, for /flash, are src/core/parse/firmwareFile.ts's.)
 */
export function formatDecimalBytes(bytes: number, digits = 1): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(digits)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(Math.max(0, digits - 1))} kB`;
  return `${Math.round(bytes)} B`;
}
