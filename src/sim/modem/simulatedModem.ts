import type { ModemState } from '../../core/parse/modemVersion';
import type { ByteTransport } from '../../core/transport/byteTransport';
import type { ModemNetwork, SyntheticHeader } from '../firmwareImage';
import {
  AtLineAssembler,
  formatAtReply,
  interpretAtCommand,
  parseAtCommand,
  type AtFollowUp,
  type AtModemView,
  type BootMode,
  type ModemFirmware,
  type StpMethod,
} from './atInterpreter';
import { CAPTURE_33080_SPEC, buildCrashDumpImage, midTransferCrashSpec } from './crashDumpImage';
import { ByteDropper, DEFAULT_FAULT_PLAN, StrikeBook, type FaultPlan, type SimFault, type StrikeVerdict } from './modemFaults';
import { ImageReceiver, type StoredImage } from './imageReceiver';
import { DEFAULT_BUILD, DEFAULT_IMEI, buildStringFor } from './modemIdentity';
import { DEFAULT_MODEM_TIMINGS, type ModemTimings } from './modemTimings';
import { ModemUart } from './modemUart';
import { UpgradeTracker } from './upgradeTracker';
import type { SimulatedModemOptions } from './simulatedModemOptions';
import { StpServer } from './stpServer';

export type { SimFault } from './modemFaults';
export type { SimulatedModemOptions } from './simulatedModemOptions';
export type { StoredImage } from './imageReceiver';
export type { ModemTimings } from './modemTimings';
export { DEFAULT_MODEM_TIMINGS } from './modemTimings';

/** STP max_transfer of the application/updater firmware and of the recovery bootrom. */
export const APP_MAX_TRANSFER = 8192;
export const BOOTROM_MAX_TRANSFER = 2048;
export { PATCH_FAILURE_RESULT, UPGRADE_SUCCESS_RESULT } from './upgradeTracker';

type LineMode = 'at' | 'stp' | 'busy' | 'dead';

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

/**
 * A Sequans modem behind its UART, as PROTOCOL.md sections 1–4 and 8 describe it:
 * the AT interpreter of the bootrom, the application and the updater, an STP server
 * with the modem's checks, the reboots and waits of each upgrade path, the crash
 * dump, line-rate pacing, and the faults a real modem shows.
 */
export class SimulatedModem {
  readonly commandsSeen: string[] = [];
  private readonly storedImages: StoredImage[] = [];
  private readonly uart: ModemUart;
  private readonly assembler = new AtLineAssembler();
  private readonly timings: ModemTimings;
  private readonly plan: FaultPlan;
  private readonly faults: ReadonlySet<SimFault>;
  private readonly strikes: StrikeBook;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Pauses in progress: stop() ends them so nothing waits on a cleared timer. */
  private readonly pauses = new Set<() => void>();
  private readonly timeScale: number;

  private firmware: ModemFirmware;
  private smodState: ModemState;
  private currentBuild: number;
  private network: ModemNetwork;
  private oldBootrom: boolean;
  private hasEcho: boolean;
  private bootMode: BootMode;
  private cfun = 1;
  private lineMode: LineMode = 'at';
  /** An ON_THE_FLY transfer was interrupted: the application is gone until an upgrade completes. */
  private isAppIntact: boolean;
  private crashDumpBytes: Uint8Array;
  private session: ActiveSession | undefined;
  private staged: { header?: SyntheticHeader } | undefined;
  private readonly upgrade = new UpgradeTracker();
  private viaRecovery = false;
  private hasCrashedOnce = false;
  private hasUnplugged = false;
  private running: Promise<void> | undefined;
  private readyPromise: Promise<void> = Promise.resolve();
  private isStopped = false;
  /** A targeted 'silent' fault: dead until a power cycle, whatever reboot was already scheduled. */
  private isSilenced = false;

  constructor(
    private readonly io: ByteTransport,
    private readonly options: SimulatedModemOptions = {},
  ) {
    this.timeScale = options.timeScale ?? 1;
    this.timings = { ...DEFAULT_MODEM_TIMINGS, ...options.timings };
    this.plan = { ...DEFAULT_FAULT_PLAN, ...options.faultPlan };
    this.faults = new Set(options.faults ?? []);
    this.strikes = new StrikeBook(this.plan.strikes);
    this.currentBuild = options.build ?? DEFAULT_BUILD;
    this.network = options.network ?? 'CAT-M1';
    this.oldBootrom = options.hasOldBootrom ?? false;
    const state = options.state ?? 2;
    this.firmware = state === 0 ? 'bootrom' : state === 4 ? 'updater' : 'application';
    this.smodState = state;
    this.hasEcho = this.firmware === 'application' && (options.hasEchoAtStart ?? true);
    this.bootMode = state === 2 ? 1 : 3;
    this.isAppIntact = state === 2;
    this.crashDumpBytes = options.crashDump ?? buildCrashDumpImage(CAPTURE_33080_SPEC);
    this.uart = new ModemUart(io, {
      timeScale: this.timeScale,
      isPaced: options.paceLine ?? true,
      assumedHostBaud: options.assumedHostBaud,
      uartBaud: options.uartBaud,
      log: options.log,
    });
  }

  get state(): ModemState {
    return this.smodState;
  }

  get build(): number {
    return this.currentBuild;
  }

  get hasOldBootrom(): boolean {
    return this.oldBootrom;
  }

  get hasEchoOn(): boolean {
    return this.hasEcho;
  }

  /** 'busy' while rebooting, loading or crashed: input is lost. */
  get mode(): LineMode {
    return this.lineMode;
  }

  /**
   * The AT+SMOD? state the modem comes up in after a power cycle (the board's USB
   * unplugged): an interrupted on-the-fly write leaves no application (4), an interrupted
   * recovery leaves the bootrom (0), a modem switched to its updater boots it again (4).
   */
  get stateAfterPowerCycle(): 0 | 2 | 4 {
    if (this.firmware === 'bootrom') return 0;
    if (this.viaRecovery && !this.isAppIntact) return 0;
    if (!this.isAppIntact) return 4;
    return this.bootMode === 1 || this.bootMode === 0 ? 2 : 4;
  }

  get stored(): ReadonlyArray<StoredImage> {
    return this.storedImages;
  }

  get crashDump(): Uint8Array {
    return this.crashDumpBytes;
  }

  /** Bytes received so far in the STP session in progress (0 when none). */
  get sessionBytes(): number {
    return this.session?.receiver.length ?? 0;
  }

  start(): void {
    if (this.running) return;
    if (this.faults.has('silent')) this.lineMode = 'dead';
    this.uart.onClosed((why) => {
      if (why !== 'stopped') this.log(`UART closed: ${why}`);
      this.interruptSession();
    });
    this.uart.start();
    this.readyPromise = this.faults.has('wrong-baud') ? this.uart.setBaudRate(this.plan.wrongBaudRate) : Promise.resolve();
    this.running = (async () => {
      await this.readyPromise;
      for (;;) {
        const chunk = await this.uart.next();
        if (!chunk || this.isStopped) return;
        await this.process(chunk);
      }
    })().catch((error: unknown) => this.log(`modem stopped on error: ${error instanceof Error ? error.stack : String(error)}`));
  }

  /** Resolves once the modem's UART is set up (the 'wrong-baud' rate applied). */
  get ready(): Promise<void> {
    return this.readyPromise;
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const resume of this.pauses) resume();
    this.pauses.clear();
    this.session?.server.halt();
    await this.uart.stop();
    await this.running;
  }

  private async process(chunk: Uint8Array): Promise<void> {
    switch (this.lineMode) {
      case 'dead':
      case 'busy':
        return;
      case 'stp':
        return this.processStp(chunk);
      case 'at':
        return this.processAt(chunk);
    }
  }

  private async processStp(chunk: Uint8Array): Promise<void> {
    const session = this.session;
    if (!session) return;
    const input = session.dropper ? session.dropper.filter(chunk) : chunk;
    const requestsBefore = session.server.counts.requests;
    this.isInsideStpPush = true;
    let rest: Uint8Array | undefined;
    try {
      rest = await session.server.push(input);
    } finally {
      this.isInsideStpPush = false;
    }
    // Only valid requests keep the session alive: AT wake-ups from a restarted host do not.
    if (session.server.counts.requests !== requestsBefore && this.session === session) this.armStpIdle(session);
    if (rest === undefined) return;
    // The closing RESET was answered: the line is AT again (or busy, by the method's rules).
    if (this.lineMode === 'at' && rest.length) await this.processAt(rest);
  }

  private async processAt(bytes: Uint8Array): Promise<void> {
    this.assembler.push(bytes);
    for (;;) {
      const line = this.assembler.takeLine();
      if (!line) return;
      const command = parseAtCommand(line.text.replace(/\+\+\+/g, ''));
      const strike = command ? this.strikes.onCommand(command.text) : undefined;
      if (strike && (await this.strikeAtCommand(strike, command!.text)) === 'stop') return;
      if (strike?.effect === 'drop') continue;
      if (this.hasEcho) await this.uart.send(line.raw);
      if (!command) continue;
      this.commandsSeen.push(command.text);
      this.log(`AT ${command.text}`);
      const outcome = interpretAtCommand(command, this.view());
      const reply = formatAtReply(outcome, this.firmware);
      await this.uart.send(strike?.effect === 'garble' ? garbleBytes(reply) : reply);
      for (const followUp of outcome.followUps ?? []) await this.act(followUp);
      if (this.lineMode !== 'at') {
        const rest = this.assembler.takeRest();
        if (this.lineMode === 'stp' && rest.length) await this.processStp(rest);
        return;
      }
    }
  }

  /** A targeted fault at a command line (FaultPlan.strikes): 'stop' when the modem no longer reads the line. */
  private async strikeAtCommand(strike: StrikeVerdict, command: string): Promise<'stop' | 'go'> {
    this.log(`fault ${strike.effect} at ${command}`);
    switch (strike.effect) {
      case 'silent':
        this.goSilent(undefined);
        return 'stop';
      case 'crash':
        this.crash(undefined);
        return 'stop';
      case 'unplug':
        this.pullCable(undefined);
        return 'stop';
      case 'delay':
        await this.wallClockPause(strike.delayMs);
        return this.isStopped ? 'stop' : 'go';
      case 'baud':
        await this.uart.setBaudRate(this.plan.wrongBaudRate);
        return 'go';
      default:
        return 'go';
    }
  }

  /** A targeted fault at an STP request (FaultPlan.strikes). */
  private async strikeAtStp(session: ActiveSession, strike: StrikeVerdict, what: string): Promise<'go' | 'ignore' | 'halt'> {
    this.log(`fault ${strike.effect} at STP ${what}`);
    switch (strike.effect) {
      case 'silent':
        this.goSilent(session);
        return 'halt';
      case 'crash':
        this.crash(session);
        return 'halt';
      case 'unplug':
        this.pullCable(session);
        return 'halt';
      case 'drop':
        return 'ignore';
      case 'delay':
        await this.wallClockPause(strike.delayMs);
        return this.isStopped ? 'halt' : 'go';
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

  /** Dead until a power cycle: nothing more is read or answered. */
  private goSilent(session: ActiveSession | undefined): void {
    this.isSilenced = true;
    if (session) {
      this.recordSession(session, false);
      if (session.receiver.method === 'on-the-fly') this.isAppIntact = false;
    }
    this.lineMode = 'dead';
    this.uart.discardInput();
  }

  /** A slow modem: wall-clock time (not scaled), since it is measured against the host's deadlines. */
  private wallClockPause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const resume = () => {
        this.pauses.delete(resume);
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve();
      };
      const timer = setTimeout(resume, ms);
      this.timers.add(timer);
      this.pauses.add(resume);
    });
  }

  private view(): AtModemView {
    return {
      firmware: this.firmware,
      state: this.smodState,
      bootMode: this.bootMode,
      isApplying: this.upgrade.isApplying,
      upgradeReport: this.upgrade.report(),
      hasStagedImage: this.staged !== undefined,
      crashDump: this.crashDumpBytes,
      baudRate: this.uart.baudRate,
      cfun: this.cfun,
      network: this.network,
      build: this.currentBuild,
      hasOldBootrom: this.oldBootrom,
      imei: this.options.imei ?? DEFAULT_IMEI,
    };
  }

  private async act(followUp: AtFollowUp): Promise<void> {
    switch (followUp.kind) {
      case 'set-echo':
        this.hasEcho = followUp.isOn;
        return;
      case 'set-cfun':
        this.cfun = followUp.level;
        return;
      case 'set-baud':
        await this.uart.setBaudRate(followUp.baudRate);
        return;
      case 'set-boot-mode':
        this.bootMode = followUp.bootMode;
        return;
      case 'reboot':
        this.reboot();
        return;
      case 'enter-stp':
        this.openStpLine(followUp.method);
        return;
      case 'apply-staged':
        this.applyStaged();
        return;
    }
  }

  private openStpLine(method: StpMethod): void {
    const maxTransfer = this.firmware === 'bootrom' ? BOOTROM_MAX_TRANSFER : APP_MAX_TRANSFER;
    const receiver = new ImageReceiver(method, {
      keepBytes: this.options.keepImageBytes,
      expectedBytes: this.options.expectedImageBytes,
    });
    let replyCount = 0;
    let blockCount = 0;
    // Block numbers for targeted faults: a new TRANSFER_BLOCK_CMD tid is a new block; resends keep theirs.
    let blockNumber = 0;
    let lastBlockCmdTid = -1;
    this.strikes.onStpLine();
    const server: StpServer = new StpServer(
      { maxTransfer },
      {
        send: (bytes) => this.uart.send(bytes),
        takeBlock: (data) => this.takeBlock(session, data, ++blockCount),
        shouldCorruptReply: (op) => {
          if (session.corruptNextReply) {
            session.corruptNextReply = false;
            return true;
          }
          if (!this.faults.has('corrupt-reply-crc') || op === 0) return false;
          return ++replyCount % this.plan.corruptReplyEvery === 0;
        },
        ...(this.strikes.isEmpty
          ? {}
          : {
              beforeRequest: async (header: { op: number; tid: number }, context: { isSessionOpen: boolean }) => {
                if (header.op === 2 && header.tid !== lastBlockCmdTid) {
                  lastBlockCmdTid = header.tid;
                  blockNumber++;
                }
                const request = header.op === 0 ? (context.isSessionOpen ? 'close' : 'reset') : header.op === 1 ? 'open' : header.op === 2 ? 'block-cmd' : 'block';
                const strike = this.strikes.onStpRequest(request, blockNumber);
                return strike ? this.strikeAtStp(session, strike, `${request} ${blockNumber} tid ${header.tid}`) : 'go';
              },
            }),
        sessionEnding: () => {
          session.image = this.storeImage(session, true);
        },
        sessionClosed: () => this.finishSession(session),
        log: (line) => this.log(line),
      },
    );
    const session: ActiveSession = {
      server,
      receiver,
      ...(this.faults.has('drop-bytes') ? { dropper: new ByteDropper(this.plan) } : {}),
    };
    this.session = session;
    this.lineMode = 'stp';
    this.armStpIdle(session);
    this.log(`STP line open (${method}, max transfer ${maxTransfer})`);
  }

  private async takeBlock(session: ActiveSession, data: Uint8Array, blockNumber: number): Promise<{ residue: number } | 'halt'> {
    let residue = 0;
    const isTargeted = session.residueNextBlock === true;
    session.residueNextBlock = false;
    if ((isTargeted || (this.faults.has('residue') && blockNumber % this.plan.residueEveryBlocks === 0)) && data.length > 1) {
      residue = Math.min(data.length - 1, Math.max(1, Math.floor(data.length * this.plan.residueShare)));
    }
    const receiver = session.receiver;
    receiver.store(data.subarray(0, data.length - residue));
    if (this.faults.has('unplug') && !this.hasUnplugged && receiver.share >= this.plan.unplugAtShare) {
      this.hasUnplugged = true;
      this.pullCable(session);
      return 'halt';
    }
    if (this.faults.has('crash-mid-transfer') && !this.hasCrashedOnce && receiver.share >= this.plan.crashAtShare) {
      this.hasCrashedOnce = true;
      this.crash(session);
      return 'halt';
    }
    while (receiver.takeDueStall()) {
      this.log(`STP stall at ${(receiver.share * 100).toFixed(1)} %`);
      await this.scaledPause(this.timings.stallMs);
    }
    return { residue };
  }

  /** Once per session: a complete image recorded at the closing RESET is not recorded again. */
  private storeImage(session: ActiveSession, isComplete: boolean): StoredImage {
    if (session.image) return session.image;
    const image = session.receiver.finish(isComplete);
    this.storedImages.push(image);
    session.image = image;
    return image;
  }

  private recordSession(session: ActiveSession, isComplete: boolean): StoredImage {
    const image = this.storeImage(session, isComplete);
    if (this.session === session) {
      this.session = undefined;
      if (this.stpIdleTimer) {
        clearTimeout(this.stpIdleTimer);
        this.timers.delete(this.stpIdleTimer);
        this.stpIdleTimer = undefined;
      }
    }
    return image;
  }

  private finishSession(session: ActiveSession): void {
    const image = this.recordSession(session, true);
    this.log(`STP session closed: ${image.length} bytes stored (${image.method})`);
    switch (session.receiver.method) {
      case 'recovery':
        // The bootrom now starts updater.elf: minutes of silence, then the updater answers.
        this.viaRecovery = true;
        this.goBusy(this.timings.updaterLoadMs, () => this.bootInto('updater'));
        return;
      case 'fff':
        this.lineMode = 'at';
        this.staged = image.header ? { header: image.header } : {};
        return;
      case 'on-the-fly':
        this.startUpgrade(image.header, this.timings.applyMs + this.timings.postTransferBusyMs);
        this.goBusy(this.timings.postTransferBusyMs, () => (this.lineMode = 'at'));
        return;
    }
  }

  /** Starts applying an image: AT+SMUPGRADE? reports on it from now on. */
  private startUpgrade(header: SyntheticHeader | undefined, realMs: number, isCommitted = false): void {
    this.upgrade.start(
      header,
      { build: this.currentBuild, network: this.network },
      {
        durationMs: realMs * this.timeScale,
        patchFails: this.faults.has('patch-fails'),
        fallbackBuild: this.options.nextBuild ?? this.currentBuild + 1,
        isCommitted,
      },
    );
  }

  /**
   * FFF: AT+SMUPGRADE applies the staged file. The modem reports on-going for a while,
   * then reboots by itself into the result (+SYSSTART, echo on again).
   */
  private applyStaged(): void {
    const staged = this.staged;
    this.staged = undefined;
    this.startUpgrade(staged?.header, this.timings.applyMs, true);
    this.schedule(this.timings.applyMs / 2, () => this.reboot());
  }

  /** AT+SMSWBOOT=<mode>,1 or AT^RESET: silent, then the program the boot mode names. */
  private reboot(): void {
    const settled = this.upgrade.settleAtReboot();
    if (settled.kind === 'installed') {
      this.currentBuild = settled.firmware.build;
      this.network = settled.firmware.network;
      if (settled.isSuccess) {
        this.isAppIntact = true;
        if (this.viaRecovery) this.oldBootrom = false;
      }
    } else if (settled.kind === 'interrupted') {
      // Rebooted in the middle of writing the image: the application is not whole.
      this.isAppIntact = false;
    }
    const intoApp = this.bootMode === 1 || this.bootMode === 0;
    if (intoApp && this.isAppIntact) {
      this.goBusy(this.timings.appBootMs, () => this.bootInto('application'));
    } else {
      this.goBusy(this.timings.updaterBootMs, () => this.bootInto('updater'));
    }
  }

  private bootInto(firmware: ModemFirmware): void {
    this.firmware = firmware;
    this.smodState = firmware === 'bootrom' ? 0 : firmware === 'updater' ? 4 : 2;
    this.hasEcho = firmware === 'application';
    this.cfun = 1;
    if (firmware === 'application') this.bootMode = 1;
    if (this.isSilenced) {
      this.lineMode = 'dead';
      return;
    }
    this.lineMode = 'at';
    this.assembler.clear();
    this.log(`booted: ${firmware} (state ${this.smodState}, build ${this.currentBuild})`);
    if (firmware === 'application') void this.uart.send(latin1('\r\n+SYSSTART\r\n'));
  }

  /** Without a session (a targeted fault at a command): the program it ran comes back. */
  private crash(session: ActiveSession | undefined): void {
    this.log(session ? `crash at ${session.receiver.length} bytes (fault crash-mid-transfer)` : `crash in the ${this.firmware} (targeted fault)`);
    if (session) this.recordSession(session, false);
    this.crashDumpBytes = buildCrashDumpImage(midTransferCrashSpec(buildStringFor(this.network, this.currentBuild)));
    const method = session?.receiver.method;
    const next: ModemFirmware =
      method === undefined ? this.firmware : method === 'recovery' ? 'bootrom' : method === 'on-the-fly' ? 'updater' : 'application';
    if (method === 'on-the-fly') this.isAppIntact = false;
    this.goBusy(this.timings.crashSilenceMs, () => {
      this.bootInto(next);
      // Every boot after a crash announces itself, whichever program comes up.
      if (next !== 'application') void this.uart.send(latin1('\r\n+SYSSTART\r\n'));
    });
  }

  private pullCable(session: ActiveSession | undefined): void {
    this.log(session ? `cable pulled at ${session.receiver.length} bytes (fault unplug)` : `cable pulled in the ${this.firmware} (targeted fault)`);
    if (session) this.recordSession(session, false);
    const method = session?.receiver.method;
    if (method === 'on-the-fly') this.isAppIntact = false;
    // Unplugging the USB power-cycles the modem: it will come back where the transfer left it.
    const next: ModemFirmware =
      method === undefined ? this.firmware : method === 'recovery' ? 'bootrom' : method === 'on-the-fly' ? 'updater' : 'application';
    this.firmware = next;
    this.smodState = next === 'bootrom' ? 0 : next === 'updater' ? 4 : 2;
    this.lineMode = 'dead';
    if (this.options.unplug) this.options.unplug();
    else void this.io.close();
  }

  private stpIdleTimer: ReturnType<typeof setTimeout> | undefined;
  private lastStpRequestAtMs = 0;
  private isInsideStpPush = false;

  /**
   * Drops an STP session whose host has gone quiet, so a restarted host can talk AT
   * again. Measured from the last valid request, never while one is being handled
   * (a stall is the modem's silence, not the host's).
   */
  private armStpIdle(session: ActiveSession): void {
    this.lastStpRequestAtMs = performance.now();
    if (this.stpIdleTimer) return;
    const check = () => {
      this.stpIdleTimer = undefined;
      if (this.session !== session || this.lineMode !== 'stp' || this.isStopped) return;
      const quietMs = performance.now() - this.lastStpRequestAtMs;
      if (this.isInsideStpPush || quietMs < this.timings.stpIdleMs) {
        this.stpIdleTimer = setTimeout(check, Math.max(1, this.timings.stpIdleMs - quietMs));
        this.timers.add(this.stpIdleTimer);
        return;
      }
      this.log('STP line idle: session dropped, back to AT');
      session.server.halt();
      this.recordSession(session, false);
      if (session.receiver.method === 'on-the-fly') this.isAppIntact = false;
      this.lineMode = 'at';
    };
    this.stpIdleTimer = setTimeout(check, this.timings.stpIdleMs);
    this.timers.add(this.stpIdleTimer);
  }

  /** The UART went away under a session: what was received is kept as incomplete. */
  private interruptSession(): void {
    const session = this.session;
    if (!session) return;
    session.server.halt();
    this.recordSession(session, false);
  }

  private goBusy(realMs: number, then: () => void): void {
    this.lineMode = 'busy';
    this.assembler.clear();
    this.uart.discardInput();
    this.schedule(realMs, then);
  }

  private schedule(realMs: number, then: () => void): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.isStopped) then();
    }, realMs * this.timeScale);
    this.timers.add(timer);
    return timer;
  }

  private scaledPause(realMs: number): Promise<void> {
    return new Promise((resolve) => {
      const resume = () => {
        this.pauses.delete(resume);
        resolve();
      };
      this.pauses.add(resume);
      this.schedule(realMs, resume);
    });
  }

  private log(line: string): void {
    this.options.log?.(`[modem] ${line}`);
  }
}

/** Line noise: every byte arrives with its high bit set, which no AT text has. */
function garbleBytes(bytes: Uint8Array): Uint8Array {
  return bytes.map((byte) => byte | 0x80);
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}
