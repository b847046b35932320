import type { LineSettings } from './byteTransport';

/**
 * The two lines a Pycom board speaks on its USB serial port (PROTOCOL.md §1 and §7),
 * named once: the REPL at 115200 8N1, and mirror mode, where UART0 is bridged to the
 * modem at 921600 8N1 without flow control on the host side.
 */
export const REPL_BAUD = 115_200;
export const MIRROR_BAUD = 921_600;
/** A modem left at its default answers here; detection tries it after MIRROR_BAUD. */
export const FALLBACK_BAUD = 115_200;

export const REPL_LINE: LineSettings = Object.freeze({ baudRate: REPL_BAUD, rtscts: false });
export const MIRROR_LINE: LineSettings = Object.freeze({ baudRate: MIRROR_BAUD, rtscts: false });
