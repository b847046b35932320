/**
 * A file to send, read a piece at a time so a 6 MB image is never held whole.
 */
export interface BlockSource {
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes from `offset`; rejects when the source holds fewer. */
  read(offset: number, length: number, signal?: AbortSignal): Promise<Uint8Array>;
  /**
   * Optional: fills all of `target` from `offset`. Lets the STP sender read a block straight
   * into the frame it writes, sparing a copy and an allocation per block.
   */
  readInto?(target: Uint8Array, offset: number, signal?: AbortSignal): Promise<void>;
}
