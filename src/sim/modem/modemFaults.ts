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
