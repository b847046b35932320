import type { StpMethod } from './atInterpreter';
import { ImageReceiver, type StoredImage } from './imageReceiver';
import type { ModemClock } from './modemClock';
import { ByteDropper, type FaultPlan, type SimFault, type StrikeBook, type StrikeVerdict } from './modemFaults';
import type { InterruptedTransfer, ModemLifecycle } from './modemLifecycle';
import type { ModemLine } from './modemLine';
import type { ModemTimings } from './modemTimings';
import type { SimulatedModemOptions } from './simulatedModemOptions';
import { StpServer } from './stpServer';

/** STP max_transfer of the application/updater firmware and of the recovery bootrom. */
export const APP_MAX_TRANSFER = 8192;
export const BOOTROM_MAX_TRANSFER = 2048;

interface ActiveSession {
  server: StpServer;
  receiver: ImageReceiver;
  dropper?: ByteDropper;
  /** Targeted faults waiting for the next reply / block. */
  corruptNextReply?: boolean;
  residueNextBlock?: boolean;
  /** Recorded when the closing RESET arrived, before its reply went out. */
  image?: StoredImage;
}

export interface StpLineDeps {
  line: ModemLine;
  clock: ModemClock;
  timings: ModemTimings;
  plan: FaultPlan;
  faults: ReadonlySet<SimFault>;
  strikes: StrikeBook;
  options: SimulatedModemOptions;
  /** Where a session's end takes the modem: the next program, or a crash, an unplug, silence. */
  lifecycle: Pick<ModemLifecycle, 'sessionClosed' | 'transferLost' | 'crash' | 'pullCable' | 'goSilent'>;
  log: (line: string) => void;
}

/**
 * The line in STP mode: one session at a time, from AT+SMSTPU to its closing RESET
 * (or the crash, unplug, idle drop or lost UART that cuts it short), the faults aimed
 * at its requests and blocks, and every image the sessions stored.
 */
export class StpLine {
  private readonly storedImages: StoredImage[] = [];
  private session: ActiveSession | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRequestAtMs = 0;
  private isInsidePush = false;
  private hasUnplugged = false;
  private hasCrashedOnce = false;
  private boardSession: { receiver: ImageReceiver } | undefined;

  constructor(private readonly deps: StpLineDeps) {}

  get stored(): ReadonlyArray<StoredImage> {
    return this.storedImages;
  }

  /** Bytes received so far in the session in progress (0 when none). */
  get sessionBytes(): number {
    return this.session?.receiver.length ?? 0;
  }

  open(method: StpMethod, maxTransfer: number): void {
    const { faults, plan, strikes, options } = this.deps;
    const receiver = new ImageReceiver(method, {
      keepBytes: options.keepImageBytes,
      expectedBytes: options.expectedImageBytes,
    });
    let replyCount = 0;
    let blockCount = 0;
    // Block numbers for targeted faults: a new TRANSFER_BLOCK_CMD tid is a new block; resends keep theirs.
    let blockNumber = 0;
    let lastBlockCmdTid = -1;
    strikes.onStpLine();
    const server: StpServer = new StpServer(
      { maxTransfer },
      {
        send: (bytes) => this.deps.line.uart.send(bytes),
        takeBlock: (data) => this.takeBlock(session, data, ++blockCount),
        shouldCorruptReply: (op) => {
          if (session.corruptNextReply) {
            session.corruptNextReply = false;
            return true;
          }
          if (!faults.has('corrupt-reply-crc') || op === 0) return false;
          return ++replyCount % plan.corruptReplyEvery === 0;
        },
        ...(strikes.isEmpty
          ? {}
          : {
              beforeRequest: async (header: { op: number; tid: number }, context: { isSessionOpen: boolean }) => {
                if (header.op === 2 && header.tid !== lastBlockCmdTid) {
                  lastBlockCmdTid = header.tid;
                  blockNumber++;
                }
                const request = header.op === 0 ? (context.isSessionOpen ? 'close' : 'reset') : header.op === 1 ? 'open' : header.op === 2 ? 'block-cmd' : 'block';
                const strike = strikes.onStpRequest(request, blockNumber);
                return strike ? this.strike(session, strike, `${request} ${blockNumber} tid ${header.tid}`) : 'go';
              },
            }),
        sessionEnding: () => {
          session.image = this.storeImage(session, true);
        },
        sessionClosed: () => this.finish(session),
        log: (line) => this.deps.log(line),
      },
    );
    const session: ActiveSession = {
      server,
      receiver,
      ...(faults.has('drop-bytes') ? { dropper: new ByteDropper(plan) } : {}),
    };
    this.session = session;
    this.deps.line.mode = 'stp';
    this.armIdle(session);
    this.deps.log(`STP line open (${method}, max transfer ${maxTransfer})`);
  }

  /**
   * Feeds the session what the UART delivered. Resolves to the bytes after the closing
   * RESET once that was answered (the line is no longer STP), else undefined.
   */
  async push(chunk: Uint8Array): Promise<Uint8Array | undefined> {
    const session = this.session;
    if (!session) return undefined;
    const input = session.dropper ? session.dropper.filter(chunk) : chunk;
    const requestsBefore = session.server.counts.requests;
    this.isInsidePush = true;
    let rest: Uint8Array | undefined;
    try {
      rest = await session.server.push(input);
    } finally {
      this.isInsidePush = false;
    }
    // Only valid requests keep the session alive: AT wake-ups from a restarted host do not.
    if (session.server.counts.requests !== requestsBefore && this.session === session) this.armIdle(session);
    return rest;
  }

  /**
   * An STP session the board's own updater feeds (the on-board methods, `sqnsupgrade.run()`):
   * the board sends the file over its own UART to the modem, so no host frames reach this
   * line; the blocks arrive as orders (see blockFromBoard). The wire stays deaf meanwhile.
   */
  openFromBoard(method: StpMethod): void {
    const receiver = new ImageReceiver(method, {
      keepBytes: this.deps.options.keepImageBytes,
      expectedBytes: this.deps.options.expectedImageBytes,
    });
    this.deps.strikes.onStpLine();
    this.boardSession = { receiver };
    this.deps.line.mode = 'stp';
    this.deps.log(`STP from the board (${method})`);
  }

  /**
   * One block from the board: the modem-time ms the board must wait before the next (a
   * stall around 8 % and 99 %), or 'failed' when the modem took it no more (the
   * 'crash-mid-transfer' and 'unplug' faults crash it here: on the board the USB cable
   * is not on the modem's path). Residue, dropped bytes and bad CRCs are the host
   * wire's faults: the board's own transfer does not see them.
   */
  blockFromBoard(data: Uint8Array): number | 'failed' {
    const session = this.boardSession;
    if (!session || this.deps.line.mode !== 'stp') return 'failed';
    const { faults, plan, timings } = this.deps;
    const receiver = session.receiver;
    receiver.store(data);
    const crashes = (faults.has('crash-mid-transfer') || faults.has('unplug')) && !this.hasCrashedOnce;
    if (crashes && receiver.share >= Math.min(plan.crashAtShare, plan.unplugAtShare)) {
      this.hasCrashedOnce = true;
      this.boardSession = undefined;
      this.storedImages.push(receiver.finish(false));
      this.deps.lifecycle.crash({ method: receiver.method, length: receiver.length });
      return 'failed';
    }
    let stallMs = 0;
    while (receiver.takeDueStall()) {
      this.deps.log(`STP stall at ${(receiver.share * 100).toFixed(1)} % (board transfer)`);
      stallMs += timings.stallMs;
    }
    return stallMs;
  }

  /** The board's transfer is complete: the image goes where a closed session's image goes. */
  closeFromBoard(): boolean {
    const session = this.boardSession;
    if (!session || this.deps.line.mode !== 'stp') return false;
    this.boardSession = undefined;
    const image = session.receiver.finish(true);
    this.storedImages.push(image);
    this.deps.log(`STP from the board closed: ${image.length} bytes stored (${image.method})`);
    this.deps.lifecycle.sessionClosed(image);
    return true;
  }

  /** The modem stops: the session in progress answers nothing more. */
  halt(): void {
    this.session?.server.halt();
  }

  /** The UART went away under a session: what was received is kept as incomplete. */
  interrupt(): void {
    const session = this.session;
    if (!session) return;
    session.server.halt();
    this.record(session, false);
  }

  /** A targeted fault at an STP request (FaultPlan.strikes). */
  private async strike(session: ActiveSession, strike: StrikeVerdict, what: string): Promise<'go' | 'ignore' | 'halt'> {
    const lifecycle = this.deps.lifecycle;
    this.deps.log(`fault ${strike.effect} at STP ${what}`);
    switch (strike.effect) {
      case 'silent':
        lifecycle.goSilent(this.cut(session));
        return 'halt';
      case 'crash':
        lifecycle.crash(this.cut(session));
        return 'halt';
      case 'unplug':
        lifecycle.pullCable(this.cut(session));
        return 'halt';
      case 'drop':
        return 'ignore';
      case 'delay':
        await this.deps.clock.wallClockPause(strike.delayMs);
        return this.deps.clock.isStopped ? 'halt' : 'go';
      case 'corrupt-crc':
        session.corruptNextReply = true;
        return 'go';
      case 'residue':
        session.residueNextBlock = true;
        return 'go';
      default:
        return 'go';
    }
  }

  private async takeBlock(session: ActiveSession, data: Uint8Array, blockNumber: number): Promise<{ residue: number } | 'halt'> {
    const { faults, plan } = this.deps;
    let residue = 0;
    const isTargeted = session.residueNextBlock === true;
    session.residueNextBlock = false;
    if ((isTargeted || (faults.has('residue') && blockNumber % plan.residueEveryBlocks === 0)) && data.length > 1) {
      residue = Math.min(data.length - 1, Math.max(1, Math.floor(data.length * plan.residueShare)));
    }
    const receiver = session.receiver;
    receiver.store(data.subarray(0, data.length - residue));
    if (faults.has('unplug') && !this.hasUnplugged && receiver.share >= plan.unplugAtShare) {
      this.hasUnplugged = true;
      this.deps.lifecycle.pullCable(this.cut(session));
      return 'halt';
    }
    if (faults.has('crash-mid-transfer') && !this.hasCrashedOnce && receiver.share >= plan.crashAtShare) {
      this.hasCrashedOnce = true;
      this.deps.lifecycle.crash(this.cut(session));
      return 'halt';
    }
    while (receiver.takeDueStall()) {
      this.deps.log(`STP stall at ${(receiver.share * 100).toFixed(1)} %`);
      await this.deps.clock.scaledPause(this.deps.timings.stallMs);
    }
    return { residue };
  }

  /** Records a session cut short as incomplete, and says where its transfer stopped. */
  private cut(session: ActiveSession): InterruptedTransfer {
    const cut = { method: session.receiver.method, length: session.receiver.length };
    this.record(session, false);
    return cut;
  }

  /** Once per session: a complete image recorded at the closing RESET is not recorded again. */
  private storeImage(session: ActiveSession, isComplete: boolean): StoredImage {
    if (session.image) return session.image;
    const image = session.receiver.finish(isComplete);
    this.storedImages.push(image);
    session.image = image;
    return image;
  }

  private record(session: ActiveSession, isComplete: boolean): StoredImage {
    const image = this.storeImage(session, isComplete);
    if (this.session === session) {
      this.session = undefined;
      if (this.idleTimer) {
        this.deps.clock.cancel(this.idleTimer);
        this.idleTimer = undefined;
      }
    }
    return image;
  }

  private finish(session: ActiveSession): void {
    const image = this.record(session, true);
    this.deps.log(`STP session closed: ${image.length} bytes stored (${image.method})`);
    this.deps.lifecycle.sessionClosed(image);
  }

  /**
   * Drops a session whose host has gone quiet, so a restarted host can talk AT
   * again. Measured from the last valid request, never while one is being handled
   * (a stall is the modem's silence, not the host's).
   */
  private armIdle(session: ActiveSession): void {
    const { clock, line, timings } = this.deps;
    this.lastRequestAtMs = performance.now();
    if (this.idleTimer) return;
    const check = () => {
      this.idleTimer = undefined;
      if (this.session !== session || line.mode !== 'stp' || clock.isStopped) return;
      const quietMs = performance.now() - this.lastRequestAtMs;
      if (this.isInsidePush || quietMs < timings.stpIdleMs) {
        this.idleTimer = clock.wallClockTimer(Math.max(1, timings.stpIdleMs - quietMs), check);
        return;
      }
      this.deps.log('STP line idle: session dropped, back to AT');
      session.server.halt();
      this.record(session, false);
      this.deps.lifecycle.transferLost(session.receiver.method);
      line.mode = 'at';
    };
    this.idleTimer = clock.wallClockTimer(timings.stpIdleMs, check);
  }
}
