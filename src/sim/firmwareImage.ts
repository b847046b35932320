import { open } from 'node:fs/promises';

/**
 * Synthetic modem firmware for tests, the demo and benchmarks. The internals of real
 * .dup files are unknown, so these files only need to be the right size and to tell
 * the simulated modem what they would install: a short ASCII header line at offset 0,
 * then pseudo-random bytes (incompressible, like real images).
 *
 *   SIMDUP1 kind=full net=CAT-M1 build=41065 size=5835531\n
 *   SIMDUP1 kind=diff net=CAT-M1 from=38638 build=41065 size=512000\n
 */
export const SYNTHETIC_MAGIC = 'SIMDUP1';
/** A header longer than this is not ours. */
const MAX_HEADER_BYTES = 160;

export type SyntheticFirmwareKind = 'full' | 'diff';
export type ModemNetwork = 'CAT-M1' | 'NB-IoT';

export interface SyntheticFirmwareOptions {
  kind: SyntheticFirmwareKind;
  network: ModemNetwork;
  /** The build the image installs. */
  build: number;
  /** For a diff: the build it patches. */
  fromBuild?: number;
  /** Total file size in bytes, header included. */
  size: number;
  seed?: number;
}

export interface SyntheticHeader {
  kind: SyntheticFirmwareKind;
  network: ModemNetwork;
  build: number;
  fromBuild?: number;
  /** The whole file's size as the header announces it. */
  size?: number;
  /** Bytes the header line takes, newline included. */
  headerBytes: number;
}

export function syntheticHeaderLine(options: SyntheticFirmwareOptions): string {
  const from = options.kind === 'diff' && options.fromBuild !== undefined ? ` from=${options.fromBuild}` : '';
  return `${SYNTHETIC_MAGIC} kind=${options.kind} net=${options.network}${from} build=${options.build} size=${options.size}\n`;
}

/** Reads the header line, or undefined when the bytes do not start with one. */
export function readSyntheticHeader(bytes: Uint8Array): SyntheticHeader | undefined {
  const limit = Math.min(bytes.length, MAX_HEADER_BYTES);
  let end = -1;
  for (let i = 0; i < limit; i++) {
    if (bytes[i] === 0x0a) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  const line = String.fromCharCode(...bytes.subarray(0, end));
  if (!line.startsWith(`${SYNTHETIC_MAGIC} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of line.slice(SYNTHETIC_MAGIC.length + 1).split(' ')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const kind = fields.get('kind');
  const network = fields.get('net');
  const build = Number(fields.get('build'));
  if ((kind !== 'full' && kind !== 'diff') || (network !== 'CAT-M1' && network !== 'NB-IoT') || !Number.isInteger(build)) {
    return undefined;
  }
  const from = fields.has('from') ? Number(fields.get('from')) : undefined;
  const size = fields.has('size') ? Number(fields.get('size')) : undefined;
  return {
    kind,
    network,
    build,
    ...(from !== undefined && Number.isInteger(from) ? { fromBuild: from } : {}),
    ...(size !== undefined && Number.isInteger(size) ? { size } : {}),
    headerBytes: end + 1,
  };
}

/** The whole image in memory (fine up to a few MB). */
export function makeSyntheticFirmware(options: SyntheticFirmwareOptions): Uint8Array {
  const out = new Uint8Array(options.size);
  let at = 0;
  for (const chunk of syntheticChunks(options)) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Writes the same bytes as makeSyntheticFirmware, streamed, for 6 MB images. */
export async function writeSyntheticFirmware(path: string, options: SyntheticFirmwareOptions): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (const chunk of syntheticChunks(options)) await file.write(chunk);
  } finally {
    await file.close();
  }
}

const CHUNK_BYTES = 1 << 20;

export function* syntheticChunks(options: SyntheticFirmwareOptions, chunkBytes = CHUNK_BYTES): Generator<Uint8Array> {
  if (options.kind === 'diff' && options.fromBuild === undefined) {
    throw new RangeError('A synthetic diff needs fromBuild: the build it patches.');
  }
  const header = Uint8Array.from(syntheticHeaderLine(options), (c) => c.charCodeAt(0));
  const random = pseudoRandomStream(options.seed ?? options.build * 31 + options.size);
  let remaining = options.size;
  let first = true;
  while (remaining > 0) {
    const chunk = random(Math.min(chunkBytes, remaining));
    if (first) {
      chunk.set(header.subarray(0, Math.min(header.length, chunk.length)), 0);
      first = false;
    }
    remaining -= chunk.length;
    yield chunk;
  }
}

/** A stand-in for updater.elf: the ELF magic and a 32-bit little-endian ident, then noise. */
export function makeSyntheticUpdaterElf(size = 340_000, seed = 0x7f454c46): Uint8Array {
  const bytes = pseudoRandomStream(seed)(size);
  const ident = [0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  bytes.set(ident.slice(0, Math.min(ident.length, size)), 0);
  return bytes;
}

export function isElf(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** xorshift32, four bytes per step: 6 MB in tens of milliseconds. */
function pseudoRandomStream(seed: number): (count: number) => Uint8Array {
  let state = seed >>> 0 || 0x9e3779b9;
  return (count) => {
    const out = new Uint8Array(count);
    let i = 0;
    while (i < count) {
      state ^= state << 13;
      state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      for (let b = 0; b < 4 && i < count; b++, i++) out[i] = (state >>> (b * 8)) & 0xff;
    }
    return out;
  };
}
