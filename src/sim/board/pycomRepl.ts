/**
 * The REPL of Pycom firmware 1.20 (MicroPython 1.11 `pyexec` + `readline`), byte for
 * byte as PROTOCOL.md §7 records it: the friendly REPL with echo, backspace,
 * continuation lines and auto-indent; the raw REPL (no raw-paste: that came in 1.13);
 * paste mode; Ctrl-C/D/A/B/E/F. It owns no interpreter and no UART: it reads bytes and
 * writes text through `ReplIo`, and asks the board to run code.
 */

export const CTRL_A = 0x01;
export const CTRL_B = 0x02;
export const CTRL_C = 0x03;
export const CTRL_D = 0x04;
export const CTRL_E = 0x05;
export const CTRL_F = 0x06;
const BACKSPACE = 0x08;
const DELETE = 0x7f;
const ESCAPE = 0x1b;
const CR = 0x0d;

export interface ExecResult {
  isOk: boolean;
  exceptionType?: string;
  /** Traceback text as the board prints it (`\r\n` line ends), empty when ok. */
  traceback: string;
}

export interface ReplIo {
  /** The next received byte; rejects when the REPL must stop (reset). */
  readByte(): Promise<number>;
  /** Text to the UART as latin1, exactly as given (the REPL writes its own `\r\n`). */
  write(text: string): void;
  /** Runs code; its stdout goes to the UART before this resolves. */
  execute(code: string, how: 'exec' | 'single'): Promise<ExecResult>;
  /** The two banner lines, with `\r\n` after each. */
  banner(): string;
}

export type ReplMode = 'friendly' | 'raw';

/** Why the REPL returned: the board acts on it (reboot, safe boot, mirror...). */
export type ReplExit = 'soft-reboot' | 'safe-boot' | 'hard-reset' | 'mirror';

/** Exception names the board's Python raises to leave the REPL (see boardPrelude). */
const EXIT_BY_EXCEPTION: Record<string, ReplExit> = {
  SystemExit: 'soft-reboot',
  EnterMirror: 'mirror',
  BoardReset: 'hard-reset',
};

export class PycomRepl {
  constructor(
    private readonly io: ReplIo,
    /** Kept across soft reboots: a soft reboot in raw mode comes back in raw mode. */
    public mode: ReplMode = 'friendly',
  ) {}

  /** Runs until something ends this REPL session. */
  async run(): Promise<ReplExit> {
    for (;;) {
      const exit = this.mode === 'raw' ? await this.rawRepl() : await this.friendlyRepl();
      if (exit) return exit;
    }
  }

  private async rawRepl(): Promise<ReplExit | undefined> {
    for (;;) {
      this.io.write('raw REPL; CTRL-B to exit\r\n');
      const restart = await this.rawCommands();
      if (restart === 'restart') continue;
      return restart;
    }
  }

  private async rawCommands(): Promise<'restart' | ReplExit | undefined> {
    for (;;) {
      this.io.write('>');
      let code = '';
      for (;;) {
        const c = await this.io.readByte();
        if (c === CTRL_A) return 'restart';
        if (c === CTRL_B) {
          this.io.write('\r\n');
          this.mode = 'friendly';
          return undefined;
        }
        if (c === CTRL_C) code = '';
        else if (c === CTRL_D) break;
        else code += String.fromCharCode(c);
      }
      this.io.write('OK');
      if (code.length === 0) {
        this.io.write('\r\n');
        return 'soft-reboot';
      }
      const result = await this.io.execute(code, 'exec');
      const exit = result.exceptionType ? EXIT_BY_EXCEPTION[result.exceptionType] : undefined;
      if (exit === 'mirror' || exit === 'hard-reset') return exit;
      // EOF after normal output, then the error output (empty when ok), then EOF.
      this.io.write('\x04');
      if (!result.isOk && !exit) this.io.write(result.traceback);
      this.io.write('\x04');
      if (exit) return exit;
    }
  }

  private async friendlyRepl(): Promise<ReplExit | undefined> {
    this.io.write(this.io.banner());
    for (;;) {
      const entered = await this.readline('', '>>> ');
      let how: 'single' | 'exec' = 'single';
      let code = entered.line;
      switch (entered.ended) {
        case CTRL_A:
          this.io.write('\r\n');
          this.mode = 'raw';
          return undefined;
        case CTRL_B:
          this.io.write('\r\n');
          return undefined; // back to the top: banner again
        case CTRL_C:
          this.io.write('\r\n');
          continue;
        case CTRL_D:
          this.io.write('\r\n');
          return 'soft-reboot';
        case CTRL_F:
          // Pycom: reboot into safe boot (boot.py and main.py skipped).
          this.io.write('\r\n');
          return 'safe-boot';
        case CTRL_E: {
          const pasted = await this.pasteMode();
          if (pasted === undefined) continue;
          code = pasted;
          how = 'exec';
          break;
        }
        default: {
          if (code.length === 0) continue;
          const more = await this.continuation(code);
          if (more === undefined) continue;
          code = more;
        }
      }
      const result = await this.io.execute(code, how);
      const exit = result.exceptionType ? EXIT_BY_EXCEPTION[result.exceptionType] : undefined;
      if (exit) return exit;
      if (!result.isOk) this.io.write(result.traceback);
    }
  }

  /** Reads `... ` lines while the input is incomplete; undefined when cancelled. */
  private async continuation(first: string): Promise<string | undefined> {
    let text = first;
    while (continuesWithInput(text)) {
      text += '\n';
      const entered = await this.readline(text, '... ');
      if (entered.ended === CTRL_C) {
        this.io.write('\r\n');
        return undefined;
      }
      text = entered.line;
      if (entered.ended === CTRL_D) break;
    }
    return text;
  }

  private async pasteMode(): Promise<string | undefined> {
    this.io.write('\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== ');
    let code = '';
    for (;;) {
      const c = await this.io.readByte();
      if (c === CTRL_C) {
        this.io.write('\r\n');
        return undefined;
      }
      if (c === CTRL_D) {
        this.io.write('\r\n');
        return code;
      }
      code += String.fromCharCode(c);
      this.io.write(c === CR ? '\r\n=== ' : String.fromCharCode(c));
    }
  }

  /**
   * One line of input after `text` (the lines so far, for continuation). Returns the
   * whole text and 0 on Enter, or the control character that ended it.
   */
  private async readline(text: string, prompt: string): Promise<{ line: string; ended: number }> {
    this.io.write(prompt);
    const startLength = text.length;
    let line = text + autoIndent(text);
    if (line.length > startLength) this.io.write(line.slice(startLength));
    for (;;) {
      const c = await this.io.readByte();
      const isEmpty = line.length === startLength;
      if (c >= CTRL_A && c <= CTRL_F && isEmpty) return { line, ended: c };
      if (c === CTRL_C) return { line, ended: c };
      if (c === CR) {
        this.io.write('\r\n');
        return { line, ended: 0 };
      }
      if (c === BACKSPACE || c === DELETE) {
        if (isEmpty) continue;
        const typed = line.slice(startLength);
        // Auto-indent: a backspace over indentation removes one level (4 spaces).
        const count = /^ +$/.test(typed) && typed.length >= 4 ? 4 : 1;
        line = line.slice(0, -count);
        this.io.write('\b'.repeat(count) + '\x1b[K');
        continue;
      }
      if (c === ESCAPE) {
        await this.skipEscapeSequence();
        continue;
      }
      if (c >= 0x20 && c <= 0x7e) {
        line += String.fromCharCode(c);
        this.io.write(String.fromCharCode(c));
      }
      // Other control characters (tab completion, Ctrl-A/D/E/F on a non-empty line) are not modelled.
    }
  }

  /** Cursor keys and the like: ESC [ <digits> <final>. Cursor movement is not modelled. */
  private async skipEscapeSequence(): Promise<void> {
    const next = await this.io.readByte();
    if (next !== 0x5b && next !== 0x4f) return;
    for (;;) {
      const c = await this.io.readByte();
      if (c < 0x30 || c > 0x39) return;
    }
  }
}

const COMPOUND_KEYWORDS = ['if', 'while', 'for', 'try', 'with', 'def', 'class', 'async'];

/**
 * Whether the friendly REPL asks for another line (`... `): an unclosed bracket or
 * triple quote, a trailing backslash, or a compound statement whose last line is
 * not empty. This mirrors the rules of MicroPython's REPL, not CPython's.
 */
export function continuesWithInput(input: string): boolean {
  if (input.length === 0) return false;
  const startsCompound =
    input.startsWith('@') || COMPOUND_KEYWORDS.some((word) => input.startsWith(word) && !/[A-Za-z0-9_]/.test(input[word.length] ?? ''));
  let quote: '' | "'" | '"' | "'''" | '"""' = '';
  let depth = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (quote) {
      if (c === '\\') {
        i++;
      } else if (quote.length === 3 ? input.startsWith(quote, i) : c === quote) {
        i += quote.length - 1;
        quote = '';
      }
      continue;
    }
    if (c === '#') {
      while (i < input.length && input[i] !== '\n') i++;
      i--;
    } else if (c === "'" || c === '"') {
      quote = input.startsWith(c.repeat(3), i) ? (c.repeat(3) as "'''" | '"""') : c;
      i += quote.length - 1;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
  }
  if (quote.length === 3) return true;
  if (depth > 0 && quote === '') return true;
  if (input.endsWith('\\')) return true;
  return startsCompound && !input.endsWith('\n');
}

/**
 * The indentation the 1.11 readline types for you at a `... ` prompt: the previous
 * line's indent, one level more after a ':', none after two blank lines in a row.
 */
export function autoIndent(text: string): string {
  if (text.length <= 1 || !text.endsWith('\n')) return '';
  const body = text.slice(0, -1);
  const lineStart = body.lastIndexOf('\n') + 1;
  const previous = body.slice(lineStart);
  const indent = previous.length - previous.trimStart().length;
  if (lineStart > 0 && previous.trim() === '') {
    const before = body.slice(0, lineStart - 1);
    const secondPrevious = before.slice(before.lastIndexOf('\n') + 1);
    if (before.includes('\n') || lineStart - 1 > 0) {
      if (secondPrevious.trim() === '') return '';
    }
  }
  let levels = Math.floor(indent / 4);
  if (previous.endsWith(':')) levels++;
  return '    '.repeat(levels);
}
