/**
 * The syntax MicroPython 1.11 (Pycom firmware 1.20) rejects but the 1.27 interpreter
 * inside the simulator accepts: f-strings (added in 1.17) and `:=` (1.18). The
 * simulator checks code before running it so a client that sends either fails here
 * exactly as on a real board, instead of passing against the simulator only.
 *
 * A small tokenizer finds string literals with their prefixes, so an `f` or `:=`
 * inside a string or a comment does not count.
 */
export interface SyntaxRejection {
  /** 1-based line of the offending token, as the 1.11 lexer reports it. */
  line: number;
  what: 'f-string' | 'walrus';
}

const STRING_PREFIX = /^[rRbBuUfF]{0,2}$/;

export function findPost111Syntax(source: string): SyntaxRejection | undefined {
  let line = 1;
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const prefix = identifierBefore(source, i);
      if (STRING_PREFIX.test(prefix) && /[fF]/.test(prefix)) return { line, what: 'f-string' };
      const end = skipString(source, i);
      for (let k = i; k < end; k++) if (source[k] === '\n') line++;
      i = end;
      continue;
    }
    if (c === ':' && source[i + 1] === '=') return { line, what: 'walrus' };
    i++;
  }
  return undefined;
}

/** The run of identifier characters ending just before `at` (a string's prefix, if any). */
function identifierBefore(source: string, at: number): string {
  let start = at;
  while (start > 0 && /[A-Za-z0-9_]/.test(source[start - 1]!)) start--;
  return source.slice(start, at);
}

/** Index just past the string literal starting at `at` (a quote). */
function skipString(source: string, at: number): number {
  const quote = source[at]!;
  const isTriple = source[at + 1] === quote && source[at + 2] === quote;
  const closing = isTriple ? quote.repeat(3) : quote;
  let i = at + closing.length;
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (!isTriple && c === '\n') return i; // unterminated: let the compiler report it
    if (source.startsWith(closing, i)) return i + closing.length;
    i++;
  }
  return i;
}

/** The traceback MicroPython 1.11 prints for a syntax error in code typed at the REPL. */
export function syntaxErrorTraceback(rejection: SyntaxRejection, fileName = '<stdin>'): string {
  return `Traceback (most recent call last):\n  File "${fileName}", line ${rejection.line}\nSyntaxError: invalid syntax\n`;
}
