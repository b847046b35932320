import { ModemToolError } from '../errors';
import { REPORT_BUG } from '../userActions';
import type { BoardIdentity } from './boardIdentity';

/** Failures of file operations on the board, by cause. */

/** Size and sha256 of a file (local or on the board). */
export interface RemoteFileHash {
  size: number;
  /** Lower-case hex. */
  sha256: string;
}

/** /flash has too little room for the new file (checked before anything is written). */
export class FlashSpaceError extends ModemToolError {
  readonly code = 'flash-full';
  constructor(
    readonly remotePath: string,
    readonly neededBytes: number,
    readonly freeBytes: number,
    /** Size of the file being replaced, whose space is freed only after the rename. */
    readonly replacedBytes: number | undefined,
  ) {
    super(
      `Not enough space on the board for ${remotePath}: it needs ${neededBytes} bytes, /flash has ${freeBytes} bytes free.`,
      replacedBytes !== undefined
        ? `Delete files you no longer need from /flash (or delete the old ${remotePath}, ${replacedBytes} bytes, which stays until the new copy is verified), then retry.`
        : 'Delete files you no longer need from /flash, then retry.',
    );
  }
}

/** The board's copy did not match after the retry. */
export class PushVerifyError extends ModemToolError {
  readonly code = 'push-verify';
  constructor(
    readonly remotePath: string,
    readonly expected: RemoteFileHash,
    readonly actual: RemoteFileHash | undefined,
  ) {
    super(
      `The copy of ${remotePath} on the board does not match the local file ` +
        `(local ${expected.size} bytes sha256 ${expected.sha256.slice(0, 16)}…, board ` +
        (actual ? `${actual.size} bytes sha256 ${actual.sha256.slice(0, 16)}…` : 'no file') +
        `), twice. The old file was left in place.`,
      'Check the USB cable (use a short one, no hub), reset the board and retry; if it repeats, reformat /flash (os.mkfs).',
    );
  }
}

/** The board printed something our own board code cannot print: a mismatch between client and board. */
export class BoardReplyError extends ModemToolError {
  readonly code = 'board-reply';
  constructor(expected: string, got: string) {
    super(
      `The board answered ${JSON.stringify(got.slice(0, 120))} where ${expected} was expected.`,
      'Reset the board (so no program prints in between) and retry; if it repeats, report it as a bug.',
      { actions: [REPORT_BUG] },
    );
  }
}

/** The board has no LTE modem: nothing to upgrade. */
export class NoLteModemError extends ModemToolError {
  readonly code = 'no-lte-modem';
  constructor(readonly identity: BoardIdentity) {
    super(
      `The board on this port is a ${identity.machine} (${identity.uname.machine}), which has no LTE modem.`,
      'Connect a GPy, FiPy or G01 and pick its port.',
    );
  }
}
