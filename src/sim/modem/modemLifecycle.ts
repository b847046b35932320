import type { ModemState } from '../../core/parse/modemVersion';
import type { ByteTransport } from '../../core/transport/byteTransport';
import type { ModemNetwork, SyntheticHeader } from '../firmwareImage';
import type { AtModemView, BootMode, ModemFirmware, StpMethod } from './atInterpreter';
import { CAPTURE_33080_SPEC, buildCrashDumpImage, midTransferCrashSpec } from './crashDumpImage';
import type { StoredImage } from './imageReceiver';
import type { ModemClock } from './modemClock';
import type { SimFault } from './modemFaults';
import { DEFAULT_BUILD, DEFAULT_IMEI, buildStringFor } from './modemIdentity';
import type { ModemLine } from './modemLine';
import type { ModemTimings } from './modemTimings';
import type { SimulatedModemOptions } from './simulatedModemOptions';
import { UpgradeTracker } from './upgradeTracker';

/** An STP session cut short (already recorded as incomplete): where its transfer stopped. */
export interface InterruptedTransfer {
  method: StpMethod;
  length: number;
}

export interface ModemLifecycleDeps {
  io: ByteTransport;
  line: ModemLine;
  clock: ModemClock;
  timings: ModemTimings;
  faults: ReadonlySet<SimFault>;
  options: SimulatedModemOptions;
  log: (line: string) => void;
}

/**
 * What the modem runs and what it will run: the program up now and its build, the
 * boot mode, the image staged or being applied, and the reboots, crashes and power
 * cycles that move from one to the next.
 */
export class ModemLifecycle {
  hasEcho: boolean;
  bootMode: BootMode;
  cfun = 1;

  private currentFirmware: ModemFirmware;
  private smodState: ModemState;
  private currentBuild: number;
  private network: ModemNetwork;
  private oldBootrom: boolean;
  private bootloader0Build: number;
  /** An ON_THE_FLY transfer was interrupted: the application is gone until an upgrade completes. */
  private isAppIntact: boolean;
  private crashDumpBytes: Uint8Array;
  private staged: { header?: SyntheticHeader } | undefined;
  private readonly upgrade = new UpgradeTracker();
  private viaRecovery = false;
  /** The board's FFH step set boot mode 0 (AT+SMSWBOOT=0,1). */
  private isFfhSwitched = false;
  /** A targeted 'silent' fault: dead until a power cycle, whatever reboot was already scheduled. */
  private isSilenced = false;

  constructor(private readonly deps: ModemLifecycleDeps) {
    const options = deps.options;
    this.currentBuild = options.build ?? DEFAULT_BUILD;
    this.network = options.network ?? 'CAT-M1';
    this.oldBootrom = options.hasOldBootrom ?? false;
    this.bootloader0Build = options.bootromBuild ?? this.currentBuild;
    const state = options.state ?? 2;
    this.currentFirmware = state === 0 ? 'bootrom' : state === 4 ? 'updater' : 'application';
    this.smodState = state;
    this.hasEcho = this.currentFirmware === 'application' && (options.hasEchoAtStart ?? true);
    this.bootMode = state === 2 ? 1 : 3;
    this.isAppIntact = state === 2;
    this.crashDumpBytes = options.crashDump ?? buildCrashDumpImage(CAPTURE_33080_SPEC);
  }

  get firmware(): ModemFirmware {
    return this.currentFirmware;
  }

  get state(): ModemState {
    return this.smodState;
  }

  get build(): number {
    return this.currentBuild;
  }

  /** Bootloader0's build unless it is the old bootrom: set at power-on, changed only by the board's FFH rewrite. */
  get bootromBuild(): number {
    return this.bootloader0Build;
  }

  get hasOldBootrom(): boolean {
    return this.oldBootrom;
  }

  get crashDump(): Uint8Array {
    return this.crashDumpBytes;
  }

  get networkKind(): ModemNetwork {
    return this.network;
  }

  get imei(): string {
    return this.deps.options.imei ?? DEFAULT_IMEI;
  }

  /**
   * The board's updater sent updater.elf to the recovery bootrom itself (STP, as the
   * host's recovery path does; the board paced the bytes): the bootrom starts it, minutes
   * of silence, then the updater answers in state 4. False when the bootrom is not
   * listening or the file is no ELF (it would not start it).
   */
  loadUpdaterFromBoard(head: Uint8Array): boolean {
    if (this.currentFirmware !== 'bootrom' || this.deps.line.mode !== 'at' || !isElfHead(head)) return false;
    this.deps.log('updater.elf loaded by the board');
    // Held in RAM only, as after the host's recovery: a power cut brings the bootrom back.
    this.viaRecovery = true;
    this.deps.line.goBusy(this.deps.timings.updaterLoadMs, () => this.bootInto('updater'));
    return true;
  }

  /** The board's FFH step wrote a new bootrom (Bootloader0) through the running application. */
  rewriteBootromFromBoard(): boolean {
    if (this.currentFirmware !== 'application' || this.deps.line.mode !== 'at') return false;
    this.deps.log('bootrom rewritten by the board (FFH)');
    this.oldBootrom = false;
    this.bootloader0Build = this.currentBuild;
    return true;
  }

  /** AT+SMSWBOOT=0,1 from the board: reboot into the FFH bootrom, which answers as state 0. */
  switchToFfh(): boolean {
    if (this.currentFirmware !== 'application' || this.deps.line.mode !== 'at') return false;
    this.bootMode = 0;
    this.isFfhSwitched = true;
    this.deps.line.goBusy(this.deps.timings.updaterBootMs, () => this.bootInto('bootrom'));
    return true;
  }

  /**
   * The AT+SMOD? state the modem comes up in after a power cycle (the board's USB
   * unplugged): an interrupted on-the-fly write leaves no application (4), an interrupted
   * recovery leaves the bootrom (0), a modem switched to its updater boots it again (4).
   */
  get stateAfterPowerCycle(): 0 | 2 | 4 {
    if (this.currentFirmware === 'bootrom') return 0;
    // Switched to FFH by the board and not booted elsewhere since: the FFH bootrom starts.
    if (this.isFfhSwitched && this.bootMode === 0) return 0;
    if (this.viaRecovery && !this.isAppIntact) return 0;
    if (!this.isAppIntact) return 4;
    return this.bootMode === 1 || this.bootMode === 0 ? 2 : 4;
  }

  /** What the AT interpreter answers from. */
  atView(baudRate: number): AtModemView {
    return {
      firmware: this.currentFirmware,
      state: this.smodState,
      bootMode: this.bootMode,
      isApplying: this.upgrade.isApplying,
      upgradeReport: this.upgrade.report(),
      hasStagedImage: this.staged !== undefined,
      crashDump: this.crashDumpBytes,
      baudRate,
      cfun: this.cfun,
      network: this.network,
      build: this.currentBuild,
      hasOldBootrom: this.oldBootrom,
      bootromBuild: this.bootloader0Build,
      imei: this.deps.options.imei ?? DEFAULT_IMEI,
    };
  }

  /** The closing RESET was answered: each method goes on its own way. */
  sessionClosed(image: StoredImage): void {
    const { line, timings } = this.deps;
    switch (image.method) {
      case 'recovery':
        // The bootrom now starts updater.elf: minutes of silence, then the updater answers.
        this.viaRecovery = true;
        line.goBusy(timings.updaterLoadMs, () => this.bootInto('updater'));
        return;
      case 'fff':
        line.mode = 'at';
        this.staged = image.header ? { header: image.header } : {};
        return;
      case 'on-the-fly':
        this.startUpgrade(image.header, timings.applyMs + timings.postTransferBusyMs);
        line.goBusy(timings.postTransferBusyMs, () => (line.mode = 'at'));
        return;
    }
  }

  /** A session ended before its closing RESET: an on-the-fly write leaves no whole application. */
  transferLost(method: StpMethod): void {
    if (method === 'on-the-fly') this.isAppIntact = false;
  }

  /**
   * FFF: AT+SMUPGRADE applies the staged file. The modem reports on-going for a while,
   * then reboots by itself into the result (+SYSSTART, echo on again).
   */
  applyStaged(): void {
    const staged = this.staged;
    this.staged = undefined;
    this.startUpgrade(staged?.header, this.deps.timings.applyMs, true);
    this.deps.clock.schedule(this.deps.timings.applyMs / 2, () => this.reboot());
  }

  /** AT+SMSWBOOT=<mode>,1 or AT^RESET: silent, then the program the boot mode names. */
  reboot(): void {
    const settled = this.upgrade.settleAtReboot();
    if (settled.kind === 'installed') {
      this.currentBuild = settled.firmware.build;
      this.network = settled.firmware.network;
      // Bootloader0 stays as it was: the docs' sample output after an upgrade still shows
      // [33080]. Only the board's FFH rewrite (rewriteBootromFromBoard) replaces it.
      if (settled.isSuccess) this.isAppIntact = true;
    } else if (settled.kind === 'interrupted') {
      // Rebooted in the middle of writing the image: the application is not whole.
      this.isAppIntact = false;
    }
    const { line, timings } = this.deps;
    const intoApp = this.bootMode === 1 || this.bootMode === 0;
    if (intoApp && this.isAppIntact) {
      line.goBusy(timings.appBootMs, () => this.bootInto('application'));
    } else {
      line.goBusy(timings.updaterBootMs, () => this.bootInto('updater'));
    }
  }

  /** Dead until a power cycle: nothing more is read or answered. */
  goSilent(cut: InterruptedTransfer | undefined): void {
    this.isSilenced = true;
    if (cut) this.transferLost(cut.method);
    this.deps.line.mode = 'dead';
    this.deps.line.uart.discardInput();
  }

  /** Without a transfer (a targeted fault at a command): the program it ran comes back. */
  crash(cut: InterruptedTransfer | undefined): void {
    this.deps.log(cut ? `crash at ${cut.length} bytes (fault crash-mid-transfer)` : `crash in the ${this.currentFirmware} (targeted fault)`);
    this.crashDumpBytes = buildCrashDumpImage(midTransferCrashSpec(buildStringFor(this.network, this.currentBuild)));
    const next = this.firmwareAfterCut(cut?.method);
    if (cut) this.transferLost(cut.method);
    this.deps.line.goBusy(this.deps.timings.crashSilenceMs, () => {
      this.bootInto(next);
      // Every boot after a crash announces itself, whichever program comes up.
      if (next !== 'application') void this.deps.line.uart.send(latin1('\r\n+SYSSTART\r\n'));
    });
  }

  pullCable(cut: InterruptedTransfer | undefined): void {
    this.deps.log(cut ? `cable pulled at ${cut.length} bytes (fault unplug)` : `cable pulled in the ${this.currentFirmware} (targeted fault)`);
    if (cut) this.transferLost(cut.method);
    // Unplugging the USB power-cycles the modem: it will come back where the transfer left it.
    const next = this.firmwareAfterCut(cut?.method);
    this.currentFirmware = next;
    this.smodState = next === 'bootrom' ? 0 : next === 'updater' ? 4 : 2;
    this.deps.line.mode = 'dead';
    if (this.deps.options.unplug) this.deps.options.unplug();
    else void this.deps.io.close();
  }

  private firmwareAfterCut(method: StpMethod | undefined): ModemFirmware {
    return method === undefined ? this.currentFirmware : method === 'recovery' ? 'bootrom' : method === 'on-the-fly' ? 'updater' : 'application';
  }

  /** Starts applying an image: AT+SMUPGRADE? reports on it from now on. */
  private startUpgrade(header: SyntheticHeader | undefined, realMs: number, isCommitted = false): void {
    this.upgrade.start(
      header,
      { build: this.currentBuild, network: this.network },
      {
        durationMs: realMs * this.deps.clock.timeScale,
        patchFails: this.deps.faults.has('patch-fails'),
        fallbackBuild: this.deps.options.nextBuild ?? this.currentBuild + 1,
        isCommitted,
      },
    );
  }

  private bootInto(firmware: ModemFirmware): void {
    this.currentFirmware = firmware;
    this.smodState = firmware === 'bootrom' ? 0 : firmware === 'updater' ? 4 : 2;
    this.hasEcho = firmware === 'application';
    this.cfun = 1;
    if (firmware === 'application') this.bootMode = 1;
    const line = this.deps.line;
    if (this.isSilenced) {
      line.mode = 'dead';
      return;
    }
    line.mode = 'at';
    line.assembler.clear();
    this.deps.log(`booted: ${firmware} (state ${this.smodState}, build ${this.currentBuild})`);
    if (firmware === 'application') void line.uart.send(latin1('\r\n+SYSSTART\r\n'));
  }
}

function isElfHead(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}
