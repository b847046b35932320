import { escapeControls } from '../parse/controlChars';
/**
 * Tells a board's MicroPython REPL from a modem by what came back to an AT probe. A
 * board at its REPL (where it is after plugging it in) answers `AT\r\n` at 115200 with
 * its echo, a NameError traceback and a `>>> ` prompt (PROTOCOL.md §7); a modem's
 * replies never hold any of the texts below, so one sign settles it.
 */

export type ReplSignKind =
  | 'traceback'
  | 'python-error'
  | 'banner'
  | 'raw-repl-banner'
  | 'raw-repl-prompt'
  | 'paste-mode'
  | 'prompt';

export interface ReplSighting {
  kind: ReplSignKind;
  /** The text that showed it, for the log and the error. */
  evidence: string;
}

interface ReplSign {
  kind: ReplSignKind;
  pattern: RegExp;
}

/**
 * Prompts count only at the very end of the bytes: a REPL that printed its prompt waits
 * for input and sends nothing more. Elsewhere `>>> ` is also the start of the updater's
 * own line `>>> GPy with firmware version …`, which a board on its way into mirror mode prints.
 */
const REPL_SIGNS: readonly ReplSign[] = [
  // What a REPL says to the text "AT": NameError in the friendly REPL; garbled input gives SyntaxError.
  { kind: 'python-error', pattern: /^(?:NameError|SyntaxError|IndentationError): [^\r\n]*/m },
  { kind: 'traceback', pattern: /Traceback \(most recent call last\):/ },
  // Pycom: "Pycom MicroPython 1.20.2.r6 [v1.11-c5a0a97] on …"; upstream: "MicroPython v1.19.1 on …".
  { kind: 'banner', pattern: /(?:Pycom )?MicroPython v?\d+\.\d+[^\r\n]*|Type "help\(\)" for more information\./ },
  { kind: 'raw-repl-banner', pattern: /raw REPL; CTRL-B to exit/ },
  { kind: 'paste-mode', pattern: /paste mode; Ctrl-C to cancel, Ctrl-D to finish/ },
  // The raw REPL's end of a run: stdout, \x04, (no) stderr, \x04, then its `>` prompt.
  { kind: 'raw-repl-prompt', pattern: /\x04\x04>$/ },
  // Friendly prompt, continuation prompt (an unfinished block), paste-mode prompt.
  { kind: 'prompt', pattern: /(?:^|\n)(?:>>>|\.\.\.|===) $/ },
];

/** The updater's last line before the port bridges to the modem: what follows is the modem's. */
const MIRROR_ANNOUNCEMENT = 'Going into MIRROR mode';

/**
 * The first REPL sign in `bytes` (everything one probe, or a few, received at one baud
 * rate), or undefined. Text before a mirror announcement does not count: the board
 * printed it on its way into mirror mode, and what follows comes from the modem.
 */
export function recogniseBoardRepl(bytes: Uint8Array): ReplSighting | undefined {
  let text = new TextDecoder('latin1').decode(bytes);
  const mirrorAt = text.lastIndexOf(MIRROR_ANNOUNCEMENT);
  if (mirrorAt !== -1) text = text.slice(mirrorAt + MIRROR_ANNOUNCEMENT.length);
  for (const sign of REPL_SIGNS) {
    const found = sign.pattern.exec(text);
    if (found) return { kind: sign.kind, evidence: printable(found[0].trim()) };
  }
  return undefined;
}

function printable(text: string): string {
  return escapeControls(text);
}
