/**
 * CRC-16/XMODEM as the simulated modem checks it (poly 0x1021, init 0, no
 * reflection, no final xor). Deliberately a separate, bitwise implementation from
 * the host's codec under test: a mistake must not hide on both ends of the wire.
 */
export function simCrc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc ^= (bytes[i] ?? 0) << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}
