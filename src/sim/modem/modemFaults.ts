/** The failures the simulated modem can act out, each observable on the wire. */
export type SimFault =
  | 'silent' // answers nothing at all (modem dead / board not in mirror mode)
  | 'crash-mid-transfer' // crashes at ~40 % of the STP transfer: silent, reboots (+SYSSTART), new /fs/crashdump
  | 'corrupt-reply-crc' // corrupts the header CRC of some STP replies (payload still sent)
  | 'residue' // TRANSFER_BLOCK replies report a non-zero residue now and then
  | 'drop-bytes' // drops some bytes of some host requests (no reply; the host must resend)
  | 'wrong-baud' // the modem's UART runs at 115200 while the host talks 921600
  | 'patch-fails' // FFF diff upgrade ends with "Patch didn't apply!"
  | 'unplug'; // the port vanishes mid-transfer

export const SIM_FAULTS: readonly SimFault[] = [
  'silent',
  'crash-mid-transfer',
  'corrupt-reply-crc',
  'residue',
  'drop-bytes',
  'wrong-baud',
  'patch-fails',
  'unplug',
];

export function isSimFault(name: string): name is SimFault {
  return (SIM_FAULTS as readonly string[]).includes(name);
}

/**
 * Where and how often each fault strikes: a table, so a test can read what to expect
 * and override it. Counts, not randomness, so every run replays the same way.
 */
export interface FaultPlan {
  /** Every Nth fresh STP reply (RESET excepted) goes out with a bad header CRC. */
  corruptReplyEvery: number;
  /** Every Nth TRANSFER_BLOCK reports a residue... */
  residueEveryBlocks: number;
  /** ...of this share of the block (at least 1 byte, never the whole block). */
  residueShare: number;
  /** Drop `dropByteCount` bytes each time this many STP bytes have arrived... */
  dropEveryBytes: number;
  dropByteCount: number;
  /** ...at most this often per STP session, so a transfer still ends. */
  maxDropsPerSession: number;
  /** Share of the expected image at which the modem crashes ('crash-mid-transfer'). */
  crashAtShare: number;
  /** Share of the expected image at which the cable is pulled ('unplug'). */
  unplugAtShare: number;
  /** The modem's UART rate under 'wrong-baud'. */
  wrongBaudRate: number;
  /** Faults aimed at one command or STP request (see FaultStrike); they strike whatever `faults` says. */
  strikes: readonly FaultStrike[];
}

export const DEFAULT_FAULT_PLAN: FaultPlan = {
  corruptReplyEvery: 11,
  residueEveryBlocks: 7,
  residueShare: 0.25,
  dropEveryBytes: 15_000,
  dropByteCount: 3,
  maxDropsPerSession: 5,
  crashAtShare: 0.4,
  unplugAtShare: 0.4,
  wrongBaudRate: 115200,
  strikes: [],
};

/** Removes bytes from the STP input stream as the plan says ('drop-bytes'). */
export class ByteDropper {
  private received = 0;
  private nextDropAt: number;
  private drops = 0;

  constructor(private readonly plan: FaultPlan) {
    this.nextDropAt = plan.dropEveryBytes;
  }

  get dropCount(): number {
    return this.drops;
  }

  filter(chunk: Uint8Array): Uint8Array {
    const kept: number[] = [];
    let from = 0;
    const chunkStart = this.received;
    const chunkEnd = chunkStart + chunk.length;
    while (this.drops < this.plan.maxDropsPerSession && this.nextDropAt < chunkEnd) {
      const cut = this.nextDropAt - chunkStart;
      for (let i = from; i < cut; i++) kept.push(chunk[i]!);
      from = Math.min(chunk.length, cut + this.plan.dropByteCount);
      this.drops++;
      this.nextDropAt += this.plan.dropEveryBytes;
    }
    this.received = chunkEnd;
    if (from === 0) return chunk;
    for (let i = from; i < chunk.length; i++) kept.push(chunk[i]!);
    return Uint8Array.from(kept);
  }
}

/**
 * A fault aimed at one point of the conversation instead of a share of the image: the
 * reliability matrix needs "silence at AT+SMSWBOOT=3,1", "crash at the closing RESET",
 * "a slow reply to block 3 just past the host's deadline". Counted, never random.
 */
export type StrikePoint =
  /**
   * The `occurrence`-th (1-based, default 1) command line whose text equals `command`,
   * counted from the first time the modem took the command `after` (when given): "the
   * first AT after AT+SMSWBOOT=3,1" stays put however many wake-up probes came before.
   */
  | { at: 'command'; command: string; occurrence?: number; after?: string }
  /**
   * An STP request of the `session`-th STP line (1-based, default: any): the first RESET,
   * SESSION_OPEN, the TRANSFER_BLOCK_CMD/TRANSFER_BLOCK of block `block` (1-based; a resend
   * keeps its number), or the closing RESET.
   */
  | { at: 'stp'; request: StpRequestKind; block?: number; session?: number };

export type StpRequestKind = 'reset' | 'open' | 'block-cmd' | 'block' | 'close';

export type StrikeEffect =
  /** The modem stops answering for good (until a power cycle). */
  | 'silent'
  /** No reply; a new /fs/crashdump; silent for crashSilenceMs, then it boots back into the program it ran. */
  | 'crash'
  /** The USB cable is pulled: the host's port vanishes; the modem keeps its state for the next power-on. */
  | 'unplug'
  /** The request is lost on the line (bytes dropped): no reply, the modem stays alive. */
  | 'drop'
  /** AT: the reply's bytes arrive garbled (high bits set), as line noise would leave them. */
  | 'garble'
  /** STP: the reply goes out with a bad header CRC (payload still sent). */
  | 'corrupt-crc'
  /** STP TRANSFER_BLOCK: the modem takes all but a quarter of the block. */
  | 'residue'
  /** The reply leaves `delayMs` late (wall clock, NOT scaled: it is measured against host deadlines). */
  | 'delay'
  /** AT: the modem's UART switches to the plan's wrongBaudRate before it replies. */
  | 'baud';

export interface FaultStrike {
  point: StrikePoint;
  effect: StrikeEffect;
  /** For 'delay': wall-clock ms. */
  delayMs?: number;
  /**
   * How many consecutive matching requests it strikes (default 1). A slow modem is slow
   * for a request every time it is asked: 'delay' of a resent STP request counts again.
   */
  times?: number;
}

/** What a strike asks the modem to do with one request. */
export interface StrikeVerdict {
  effect: StrikeEffect;
  delayMs: number;
}

/**
 * Decides, request by request, which planned strike hits. Pure bookkeeping: the modem
 * reports what it received, the book answers with the effect (or undefined).
 */
export class StrikeBook {
  private readonly hitsLeft: number[];
  /** Per strike: matching commands seen since it was armed (its `after` command came). */
  private readonly matchesSeen: number[];
  private readonly isArmed: boolean[];
  private stpSession = 0;

  constructor(private readonly strikes: readonly FaultStrike[]) {
    this.hitsLeft = strikes.map((s) => s.times ?? 1);
    this.matchesSeen = strikes.map(() => 0);
    this.isArmed = strikes.map((s) => s.point.at !== 'command' || s.point.after === undefined);
  }

  get isEmpty(): boolean {
    return this.strikes.length === 0;
  }

  /** A command line arrived (its text as parsed). */
  onCommand(command: string): StrikeVerdict | undefined {
    let verdict: StrikeVerdict | undefined;
    for (const [index, strike] of this.strikes.entries()) {
      const point = strike.point;
      if (point.at !== 'command') continue;
      if (!this.isArmed[index]) {
        if (point.after === command) this.isArmed[index] = true;
        continue;
      }
      if (point.command !== command) continue;
      this.matchesSeen[index]!++;
      if (verdict || this.hitsLeft[index]! <= 0 || this.matchesSeen[index]! < (point.occurrence ?? 1)) continue;
      this.hitsLeft[index]!--;
      verdict = { effect: strike.effect, delayMs: strike.delayMs ?? 0 };
    }
    return verdict;
  }

  /** A new STP session opened its line (AT+SMSTPU / AT+STP answered OK). */
  onStpLine(): void {
    this.stpSession++;
  }

  /** A valid STP request arrived; `block` is the 1-based block number for block-cmd/block. */
  onStpRequest(request: StpRequestKind, block: number): StrikeVerdict | undefined {
    for (const [index, strike] of this.strikes.entries()) {
      const point = strike.point;
      if (point.at !== 'stp' || this.hitsLeft[index]! <= 0) continue;
      if (point.request !== request || (point.session ?? this.stpSession) !== this.stpSession) continue;
      if ((request === 'block-cmd' || request === 'block') && (point.block ?? 1) !== block) continue;
      this.hitsLeft[index]!--;
      return { effect: strike.effect, delayMs: strike.delayMs ?? 0 };
    }
    return undefined;
  }
}
