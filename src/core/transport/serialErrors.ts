import { ModemToolError, PortOpenError, type PortOpenFailure } from '../errors';

/**
 * The native serial module did not load (wrong Node ABI or CPU architecture, a
 * stripped install). Nothing can open a real port then; the simulator still works.
 */
export class SerialBindingError extends ModemToolError {
  readonly code = 'serial-binding';
  constructor(cause: unknown) {
    super(
      `The serial port support (the native "serialport" module) could not be loaded: ${messageOf(cause)}`,
      'Reinstall the extension (or the CLI) for this operating system and CPU; from a source checkout run `npm rebuild serialport`. The simulator works without it.',
      { cause },
    );
  }
}

/** A line setting the open handle cannot take (an unsupported baud rate, flow control). */
export class SerialSettingsError extends ModemToolError {
  readonly code = 'serial-settings';
  constructor(
    readonly portPath: string,
    detail: string,
    action: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot change the settings of ${portPath}: ${detail}`, action, options);
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export interface OpenErrorContext {
  platform: NodeJS.Platform;
  /** Ports present now, listed for a "missing" error so the user can pick one. */
  presentPaths?: readonly string[];
}

// serialport reports open failures as plain Errors whose text carries strerror() on
// Unix ("Error: No such file or directory, cannot open /dev/x", "Error Resource
// temporarily unavailable Cannot lock port") and a Windows error name ("Opening COM3:
// Access denied"); there is no error code, so the text is all there is to classify.
const BUSY_TEXT = /cannot lock port|resource temporarily unavailable|device or resource busy|resource busy|\bEBUSY\b|\bEAGAIN\b/i;
const MISSING_TEXT = /no such file or directory|\bENOENT\b|file not found|cannot find the (file|path)|no such device|\bENXIO\b|\bENODEV\b/i;
const PERMISSION_TEXT = /permission denied|\bEACCES\b|operation not permitted|\bEPERM\b/i;
const WINDOWS_ACCESS_DENIED = /access denied|access is denied/i;

export function classifyOpenFailure(error: unknown, platform: NodeJS.Platform): PortOpenFailure {
  const text = messageOf(error);
  if (BUSY_TEXT.test(text)) return 'busy';
  if (MISSING_TEXT.test(text)) return 'missing';
  // Windows answers "Access denied" when another program has the COM port open;
  // plain permission problems on COM ports are rare there.
  if (platform === 'win32' && WINDOWS_ACCESS_DENIED.test(text)) return 'busy';
  if (PERMISSION_TEXT.test(text) || WINDOWS_ACCESS_DENIED.test(text)) return 'permission';
  return 'other';
}

/** What a person can do about each failure, in the words of their operating system. */
export function openFailureAction(path: string, failure: PortOpenFailure, context: OpenErrorContext): string {
  const { platform } = context;
  switch (failure) {
    case 'busy':
      if (platform === 'win32') {
        return `Close the REPL terminal or the other program holding ${path} (a serial monitor, Pymakr, PuTTY), then retry.`;
      }
      if (platform === 'darwin') {
        return `Close the REPL terminal or the other program holding ${path} (find it with \`lsof ${path}\`), then retry.`;
      }
      return `Close the REPL terminal or the other program holding ${path} (find it with \`fuser ${path}\` or \`lsof ${path}\`), then retry.`;
    case 'permission':
      if (platform === 'win32') {
        return `Windows refused access to ${path}: unplug and replug the board, reinstall the USB-serial driver if it persists, then retry.`;
      }
      if (platform === 'darwin') {
        return `macOS refused access to ${path}: use the /dev/cu.* device rather than /dev/tty.*, allow the terminal or VS Code access if a security prompt appeared, then retry.`;
      }
      return (
        `Your user may not use ${path}: add yourself to the dialout group with \`sudo usermod -aG dialout $USER\` ` +
        '(the group is `uucp` on Arch-based systems), then log out and back in and retry.'
      );
    case 'missing': {
      const present = context.presentPaths ?? [];
      return present.length
        ? `There is no ${path} now. Ports present: ${present.join(', ')}. Pick one of them, or plug the board in and retry.`
        : 'No serial ports are present: plug the board in with a USB cable that carries data (not a charge-only cable), then retry.';
    }
    case 'other':
      return `Unplug and replug the board, then retry; if it persists, report this message with the name of your USB-serial adapter.`;
  }
}

export function toPortOpenError(path: string, error: unknown, context: OpenErrorContext): PortOpenError {
  if (error instanceof PortOpenError) return error;
  const failure = classifyOpenFailure(error, context.platform);
  const detail =
    failure === 'busy'
      ? `the port is in use by another program (${messageOf(error)})`
      : failure === 'missing'
        ? `no such port (${messageOf(error)})`
        : failure === 'permission'
          ? `permission denied (${messageOf(error)})`
          : messageOf(error);
  return new PortOpenError(path, failure, detail, openFailureAction(path, failure, context), { cause: error });
}
