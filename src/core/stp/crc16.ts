/**
 * CRC-16/XMODEM: poly 0x1021, no reflection, no final xor. STP protects every header
 * and payload with it (PROTOCOL.md §3). Table-driven because a 6 MB image is checked
 * 2016 bytes at a time on the hot path of the transfer.
 */
const CRC16_XMODEM_TABLE: Uint16Array = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

/** Feeds one byte into a running CRC (for checking a header without copying it). */
export function crc16XmodemUpdate(crc: number, byte: number): number {
  return ((crc << 8) & 0xffff) ^ CRC16_XMODEM_TABLE[((crc >>> 8) ^ byte) & 0xff]!;
}

/** CRC of `bytes`; pass a previous result as `init` to continue over several pieces. */
export function crc16Xmodem(bytes: Uint8Array, init = 0): number {
  let crc = init & 0xffff;
  for (let i = 0; i < bytes.length; i++) {
    crc = ((crc << 8) & 0xffff) ^ CRC16_XMODEM_TABLE[((crc >>> 8) ^ bytes[i]!) & 0xff]!;
  }
  return crc;
}
