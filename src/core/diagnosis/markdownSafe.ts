import { escapeControls } from '../parse/controlChars';
/**
 * Markdown that device bytes cannot break out of. A report ends up in forum posts and
 * issues, where a crash dump holding "```" would close our fence and `<img onerror>`
 * would become HTML. Device text therefore goes into fenced blocks whose fence is longer
 * than any backtick run inside (CommonMark: a fence closes only on a run at least as
 * long), or into inline text with every markup character escaped.
 */

/** Control characters as `\xNN`, so a line stays a line and nothing invisible reaches the reader. */
export function visibleControls(text: string, options: { keepNewlines?: boolean } = {}): string {
  return escapeControls(text, { '\t': '    ', ...(options.keepNewlines ? { '\n': '\n', '\r': '' } : {}) });
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    if (current > longest) longest = current;
  }
  return longest;
}

/** A fenced code block that no content can close early. */
export function fencedBlock(text: string, info = 'text'): string {
  const body = visibleControls(text, { keepNewlines: true });
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/**
 * Characters that start Markdown constructs inline. Parentheses, `!` and `+` need no
 * escape: links and images need a `[` (escaped), lists a line start (never ours).
 */
const MARKDOWN_SPECIAL = /[\\`*_[\]#|~]/g;

/**
 * Device or user text for a list item, heading or table cell: one line, every markup
 * character backslash-escaped, `<`, `>` and `&` as entities (never HTML).
 */
export function inlineText(text: string, maxChars = 400): string {
  let line = visibleControls(text.replace(/\r\n|\r|\n/g, ' ')).trim();
  if (line.length > maxChars) line = `${line.slice(0, maxChars)}…`;
  return line
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MARKDOWN_SPECIAL, (c) => `\\${c}`)
    // GFM turns bare URLs into links; device text should not link anywhere.
    .replace(/:\/\//g, '\\://')
    .replace(/\bwww\./gi, (www) => `${www.slice(0, 3)}\\.`);
}

/** A code span (outside tables) that keeps device text verbatim and inert. */
export function inlineCode(text: string, maxChars = 400): string {
  let line = visibleControls(text.replace(/\r\n|\r|\n/g, ' ')).trim();
  if (line.length > maxChars) line = `${line.slice(0, maxChars)}…`;
  if (line.length === 0) return '(empty)';
  const ticks = '`'.repeat(longestRun(line, '`') + 1);
  // A span that starts or ends with a backtick needs a space inside its delimiters.
  const pad = line.startsWith('`') || line.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${line}${pad}${ticks}`;
}
