import { crc32, deflateRawSync } from 'node:zlib';

/**
 * A tiny zip writer for tests: stored or deflated entries, and the bad ones a real zip
 * library refuses to write (names that climb out, absolute names, an encrypted flag, a
 * declared size that lies), so the reader's refusals can be tested on real archives.
 */
export interface ZipEntrySpec {
  name: string;
  data?: Uint8Array | string;
  /** Deflate the data (default: stored). */
  deflate?: boolean;
  /** Set the "encrypted" bit of the general purpose flags (the data stays as given). */
  encrypted?: boolean;
  /** The uncompressed size written in the headers, instead of the real one. */
  declaredSize?: number;
}

export function makeZip(entries: readonly ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const spec of entries) {
    const raw = typeof spec.data === 'string' ? Buffer.from(spec.data) : Buffer.from(spec.data ?? new Uint8Array(0));
    const packed = spec.deflate ? deflateRawSync(raw) : raw;
    // Traditional PKWARE encryption puts a 12-byte header before the data (not encrypted here: only flagged).
    const body = spec.encrypted ? Buffer.concat([Buffer.alloc(12, 0xa5), packed]) : packed;
    const name = Buffer.from(spec.name, 'utf8');
    const flags = (spec.encrypted ? 0x1 : 0) | 0x800;
    const method = spec.deflate ? 8 : 0;
    const crc = crc32(raw) >>> 0;
    const size = spec.declaredSize ?? raw.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size >>> 0, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const centralBytes = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}
