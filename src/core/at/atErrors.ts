import { ModemToolError } from '../errors';
import type { AtReply } from './atReply';

/**
 * The reply to an AT command held bytes a modem never sends as text: almost always the
 * two ends of the line disagree on the baud rate. Thrown instead of a plain timeout so
 * the engine can retry detection at the other speed (PROTOCOL.md section 6).
 */
export class GarbledReplyError extends ModemToolError {
  readonly code = 'garbled';
  constructor(
    readonly command: string,
    /** Every byte received for the command (echo, reply, garbage). */
    readonly lastBytes: Uint8Array,
    readonly garbageByteCount: number,
    /** The reply, when a clean final result code arrived after the garbage. */
    readonly reply?: AtReply,
  ) {
    super(
      `The reply to ${command} was garbled (${garbageByteCount} of ${lastBytes.length} bytes are not text).`,
      'The port speed probably does not match the modem: retry detection at 921600 and at 115200 baud; if it stays garbled, power-cycle the board.',
    );
  }
}

/** A `+FSRDFILE` binary reply whose end could not be found within the bytes a dump may take. */
export class BinaryReplyOverflowError extends ModemToolError {
  readonly code = 'binary-overflow';
  constructor(
    readonly command: string,
    readonly receivedBytes: number,
  ) {
    super(
      `The binary reply to ${command} went on for ${receivedBytes} bytes without a final result code.`,
      'Power-cycle the board (unplug it) so the modem stops sending, then retry; the crash dump can be skipped.',
    );
  }
}
