/** Display formats for the panel (the figures themselves come computed from the host). */
import { formatDecimalBytes } from '../src/shared/byteUnits';

export function formatBytes(bytes: number): string {
  return formatDecimalBytes(bytes, 2);
}

export function formatRate(bytesPerSecond: number): string {
  return bytesPerSecond > 0 ? `${formatBytes(bytesPerSecond)}/s` : '—';
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h ? `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}` : `${m}:${String(s).padStart(2, '0')}`;
}

export function formatPercent(done: number, total: number): string {
  return total > 0 ? `${Math.floor((done / total) * 100)} %` : '—';
}

/** "0a1b2c" → "0a 1b 2c", 16 bytes a line with the offset in front. */
export function formatHexDump(hex: string): string {
  const lines: string[] = [];
  for (let offset = 0; offset * 2 < hex.length; offset += 16) {
    const bytes = hex.slice(offset * 2, offset * 2 + 32).match(/../g) ?? [];
    lines.push(`${offset.toString(16).padStart(6, '0')}  ${bytes.join(' ')}`);
  }
  return lines.join('\n');
}
