/**
 * Device text (AT replies, board lines, crash dumps) may hold control bytes. One escaper
 * for every place that shows it: each control character becomes `\xNN` unless the caller
 * names another rendering for it (a transcript joins lines with " | ", a log line shows `\r`).
 */
export function escapeControls(text: string, renderings: Readonly<Record<string, string>> = {}): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => renderings[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Only printable ASCII, anything else a dot: for short labels built from device bytes. */
export function dotUnprintable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '.');
}
