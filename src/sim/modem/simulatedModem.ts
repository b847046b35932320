import type { ModemState } from '../../core/parse/modemVersion';
import type { ModemNetwork } from '../firmwareImage';
import type { ByteTransport } from '../../core/transport/byteTransport';
import { formatAtReply, interpretAtCommand, parseAtCommand, type AtFollowUp } from './atInterpreter';
import type { StoredImage } from './imageReceiver';
import { ModemClock } from './modemClock';
import { DEFAULT_FAULT_PLAN, StrikeBook, type FaultPlan, type SimFault, type StrikeVerdict } from './modemFaults';
import { ModemLifecycle } from './modemLifecycle';
import { ModemLine, type LineMode } from './modemLine';
import { DEFAULT_MODEM_TIMINGS, type ModemTimings } from './modemTimings';
import { ModemUart } from './modemUart';
import type { SimulatedModemOptions } from './simulatedModemOptions';
import { APP_MAX_TRANSFER, BOOTROM_MAX_TRANSFER, StpLine } from './stpLine';

export type { SimFault } from './modemFaults';
export type { SimulatedModemOptions } from './simulatedModemOptions';
export type { StoredImage } from './imageReceiver';
export type { ModemTimings } from './modemTimings';
export { DEFAULT_MODEM_TIMINGS } from './modemTimings';
export { APP_MAX_TRANSFER, BOOTROM_MAX_TRANSFER } from './stpLine';
export { PATCH_FAILURE_RESULT, UPGRADE_SUCCESS_RESULT } from './upgradeTracker';

/**
 * A Sequans modem behind its UART, as PROTOCOL.md sections 1–4 and 8 describe it:
 * the AT interpreter of the bootrom, the application and the updater, an STP server
 * with the modem's checks, the reboots and waits of each upgrade path, the crash
 * dump, line-rate pacing, and the faults a real modem shows.
 *
 * This class reads the line and hands each byte to the mode it is in; what the modem
 * runs lives in ModemLifecycle, STP sessions in StpLine, its timers in ModemClock.
 */
export class SimulatedModem {
  readonly commandsSeen: string[] = [];
  private readonly uart: ModemUart;
  private readonly clock: ModemClock;
  private readonly line: ModemLine;
  private readonly lifecycle: ModemLifecycle;
  private readonly stp: StpLine;
  private readonly plan: FaultPlan;
  private readonly faults: ReadonlySet<SimFault>;
  private readonly strikes: StrikeBook;
  private running: Promise<void> | undefined;
  private readyPromise: Promise<void> = Promise.resolve();

  constructor(
    io: ByteTransport,
    private readonly options: SimulatedModemOptions = {},
  ) {
    const timings: ModemTimings = { ...DEFAULT_MODEM_TIMINGS, ...options.timings };
    const log = (line: string) => this.log(line);
    this.plan = { ...DEFAULT_FAULT_PLAN, ...options.faultPlan };
    this.faults = new Set(options.faults ?? []);
    this.strikes = new StrikeBook(this.plan.strikes);
    this.clock = new ModemClock(options.timeScale ?? 1);
    this.uart = new ModemUart(io, {
      timeScale: this.clock.timeScale,
      isPaced: options.paceLine ?? true,
      assumedHostBaud: options.assumedHostBaud,
      uartBaud: options.uartBaud,
      log: options.log,
    });
    this.line = new ModemLine(this.uart, this.clock);
    const { clock, line, faults, plan, strikes } = this;
    this.lifecycle = new ModemLifecycle({ io, line, clock, timings, faults, options, log });
    this.stp = new StpLine({ line, clock, timings, plan, faults, strikes, options, lifecycle: this.lifecycle, log });
  }

  get state(): ModemState {
    return this.lifecycle.state;
  }

  get build(): number {
    return this.lifecycle.build;
  }

  get bootromBuild(): number {
    return this.lifecycle.bootromBuild;
  }

  get hasOldBootrom(): boolean {
    return this.lifecycle.hasOldBootrom;
  }

  get network(): ModemNetwork {
    return this.lifecycle.networkKind;
  }

  get imei(): string {
    return this.lifecycle.imei;
  }

  /** Whether an AT probe would be answered now (not dead, rebooting, loading or in STP). */
  get isAnswering(): boolean {
    return this.line.mode === 'at';
  }

  /** The board's updater loaded updater.elf into the recovery bootrom (see ModemLifecycle). */
  loadUpdaterFromBoard(head: Uint8Array): boolean {
    return this.lifecycle.loadUpdaterFromBoard(head);
  }

  /** The board's FFH step replaced the old bootrom: Bootloader0 is new from now on. */
  rewriteBootromFromBoard(): boolean {
    return this.lifecycle.rewriteBootromFromBoard();
  }

  /** The board sent AT+SMSWBOOT=0,1: the modem reboots into the FFH bootrom (state 0). */
  switchToFfh(): boolean {
    return this.lifecycle.switchToFfh();
  }

  /**
   * An AT command the board's own updater sends over the board's UART (the on-board
   * methods, `sqnsupgrade.run()`): answered by the same interpreter as the wire's, the
   * reply as text, or null when the modem would not answer now (dead, busy, in STP).
   * Synchronous: the board's code waits for it. AT+IPR changes only the board's side
   * here (the modem's wire keeps its rate for mirror mode), and AT+SMSTPU opens an STP
   * session the board feeds (blockFromBoard).
   */
  atFromBoard(commandText: string): string | null {
    if (this.line.mode !== 'at' || this.clock.isStopped) return null;
    const command = parseAtCommand(commandText);
    if (!command) return null;
    this.commandsSeen.push(command.text);
    this.log(`AT ${command.text} (from the board)`);
    const outcome = interpretAtCommand(command, this.lifecycle.atView(this.uart.baudRate));
    const reply = Buffer.from(formatAtReply(outcome, this.lifecycle.firmware)).toString('latin1');
    for (const followUp of outcome.followUps ?? []) {
      switch (followUp.kind) {
        case 'set-baud':
          break;
        case 'enter-stp':
          this.stp.openFromBoard(followUp.method);
          break;
        default:
          void this.act(followUp);
      }
    }
    return reply;
  }

  /** A block of the board's own transfer: modem-time ms to wait before the next, or 'failed'. */
  blockFromBoard(data: Uint8Array): number | 'failed' {
    return this.stp.blockFromBoard(data);
  }

  /** The board's own transfer is complete (its closing RESET). */
  closeFromBoard(): boolean {
    return this.stp.closeFromBoard();
  }

  get hasEchoOn(): boolean {
    return this.lifecycle.hasEcho;
  }

  /** 'busy' while rebooting, loading or crashed: input is lost. */
  get mode(): LineMode {
    return this.line.mode;
  }

  /** The AT+SMOD? state the modem comes up in after a power cycle (the board's USB unplugged). */
  get stateAfterPowerCycle(): 0 | 2 | 4 {
    return this.lifecycle.stateAfterPowerCycle;
  }

  get stored(): ReadonlyArray<StoredImage> {
    return this.stp.stored;
  }

  get crashDump(): Uint8Array {
    return this.lifecycle.crashDump;
  }

  /** Bytes received so far in the STP session in progress (0 when none). */
  get sessionBytes(): number {
    return this.stp.sessionBytes;
  }

  start(): void {
    if (this.running) return;
    if (this.faults.has('silent')) this.line.mode = 'dead';
    this.uart.onClosed((why) => {
      if (why !== 'stopped') this.log(`UART closed: ${why}`);
      this.stp.interrupt();
    });
    this.uart.start();
    this.readyPromise = this.faults.has('wrong-baud') ? this.uart.setBaudRate(this.plan.wrongBaudRate) : Promise.resolve();
    this.running = (async () => {
      await this.readyPromise;
      for (;;) {
        const chunk = await this.uart.next();
        if (!chunk || this.clock.isStopped) return;
        await this.process(chunk);
      }
    })().catch((error: unknown) => this.log(`modem stopped on error: ${error instanceof Error ? error.stack : String(error)}`));
  }

  /** Resolves once the modem's UART is set up (the 'wrong-baud' rate applied). */
  get ready(): Promise<void> {
    return this.readyPromise;
  }

  async stop(): Promise<void> {
    this.clock.stop();
    this.stp.halt();
    await this.uart.stop();
    await this.running;
  }

  private async process(chunk: Uint8Array): Promise<void> {
    switch (this.line.mode) {
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
    const rest = await this.stp.push(chunk);
    if (rest === undefined) return;
    // The closing RESET was answered: the line is AT again (or busy, by the method's rules).
    if (this.line.mode === 'at' && rest.length) await this.processAt(rest);
  }

  private async processAt(bytes: Uint8Array): Promise<void> {
    const assembler = this.line.assembler;
    assembler.push(bytes);
    for (;;) {
      const line = assembler.takeLine();
      if (!line) return;
      const command = parseAtCommand(line.text.replace(/\+\+\+/g, ''));
      const strike = command ? this.strikes.onCommand(command.text) : undefined;
      if (strike && (await this.strikeAtCommand(strike, command!.text)) === 'stop') return;
      if (strike?.effect === 'drop') continue;
      if (this.lifecycle.hasEcho) await this.uart.send(line.raw);
      if (!command) continue;
      this.commandsSeen.push(command.text);
      this.log(`AT ${command.text}`);
      const outcome = interpretAtCommand(command, this.lifecycle.atView(this.uart.baudRate));
      const reply = formatAtReply(outcome, this.lifecycle.firmware);
      await this.uart.send(strike?.effect === 'garble' ? garbleBytes(reply) : reply);
      for (const followUp of outcome.followUps ?? []) await this.act(followUp);
      if (this.line.mode !== 'at') {
        const rest = assembler.takeRest();
        if (this.line.mode === 'stp' && rest.length) await this.processStp(rest);
        return;
      }
    }
  }

  /** A targeted fault at a command line (FaultPlan.strikes): 'stop' when the modem no longer reads the line. */
  private async strikeAtCommand(strike: StrikeVerdict, command: string): Promise<'stop' | 'go'> {
    this.log(`fault ${strike.effect} at ${command}`);
    switch (strike.effect) {
      case 'silent':
        this.lifecycle.goSilent(undefined);
        return 'stop';
      case 'crash':
        this.lifecycle.crash(undefined);
        return 'stop';
      case 'unplug':
        this.lifecycle.pullCable(undefined);
        return 'stop';
      case 'delay':
        await this.clock.wallClockPause(strike.delayMs);
        return this.clock.isStopped ? 'stop' : 'go';
      case 'baud':
        await this.uart.setBaudRate(this.plan.wrongBaudRate);
        return 'go';
      default:
        return 'go';
    }
  }

  private async act(followUp: AtFollowUp): Promise<void> {
    switch (followUp.kind) {
      case 'set-echo':
        this.lifecycle.hasEcho = followUp.isOn;
        return;
      case 'set-cfun':
        this.lifecycle.cfun = followUp.level;
        return;
      case 'set-baud':
        await this.uart.setBaudRate(followUp.baudRate);
        return;
      case 'set-boot-mode':
        this.lifecycle.bootMode = followUp.bootMode;
        return;
      case 'reboot':
        this.lifecycle.reboot();
        return;
      case 'enter-stp':
        this.stp.open(followUp.method, this.lifecycle.firmware === 'bootrom' ? BOOTROM_MAX_TRANSFER : APP_MAX_TRANSFER);
        return;
      case 'apply-staged':
        this.lifecycle.applyStaged();
        return;
    }
  }

  private log(line: string): void {
    this.options.log?.(`[modem] ${line}`);
  }
}

/** Line noise: every byte arrives with its high bit set, which no AT text has. */
function garbleBytes(bytes: Uint8Array): Uint8Array {
  return bytes.map((byte) => byte | 0x80);
}
