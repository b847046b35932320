/**
 * The one place board code gets its literals. Everything the client sends to the raw
 * REPL is built from these, so a path with a quote, a backslash or a newline can never
 * turn into code, and the code stays pure ASCII: the raw REPL treats a 0x03 byte as
 * "clear the line" and a 0x04 byte as "run it", so neither may appear inside code.
 * The output is valid for MicroPython 1.11 (Pycom firmware 1.20): no f-strings.
 */

function hex2(code: number): string {
  return code.toString(16).padStart(2, '0');
}

function hex4(code: number): string {
  return code.toString(16).padStart(4, '0');
}

const SHORT_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A Python `str` literal for `value` (single-quoted, ASCII only; other characters as \x, \u or \U escapes). */
export function pyStr(value: string): string {
  let out = "'";
  for (const char of value) {
    const short = SHORT_ESCAPES[char];
    if (short) {
      out += short;
      continue;
    }
    const code = char.codePointAt(0)!;
    if (code >= 0x20 && code < 0x7f) out += char;
    else if (code < 0x100) out += `\\x${hex2(code)}`;
    else if (code < 0x10000) out += `\\u${hex4(code)}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}'`;
}

/** A Python `bytes` literal for `value` (printable ASCII kept, everything else as \xNN). */
export function pyBytes(value: Uint8Array): string {
  let out = "b'";
  for (const byte of value) {
    const char = String.fromCharCode(byte);
    const short = SHORT_ESCAPES[char];
    if (short) out += short;
    else if (byte >= 0x20 && byte < 0x7f) out += char;
    else out += `\\x${hex2(byte)}`;
  }
  return `${out}'`;
}

/** A Python int literal; refuses what is not a safe integer rather than sending `NaN`. */
export function pyInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer for board code: ${value}`);
  return String(value);
}

export function pyBool(value: boolean): string {
  return value ? 'True' : 'False';
}

/** `None` for undefined, else the str literal: for optional arguments such as `mfile`. */
export function pyOptionalStr(value: string | undefined): string {
  return value === undefined ? 'None' : pyStr(value);
}
