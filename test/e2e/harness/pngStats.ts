import { inflateSync } from 'node:zlib';

/** Width, height and how much the pixels vary: a blank or single-colour capture has a spread near 0. */
export interface PngStats {
  width: number;
  height: number;
  /** Standard deviation of luma over all pixels, 0–255. */
  lumaStdDev: number;
  /** How many distinct (coarsely quantised) colours appear. */
  distinctColours: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes per pixel by PNG colour type, for 8-bit samples (what Chromium writes). */
const BYTES_PER_PIXEL: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Decodes a non-interlaced 8-bit PNG (Chromium's screenshots) just far enough to measure it. */
export function pngStats(png: Uint8Array): PngStats {
  const bytes = Buffer.from(png);
  if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Buffer[] = [];
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const bitDepth = data[8];
      colourType = data[9] ?? -1;
      if (bitDepth !== 8 || data[12] !== 0) throw new Error(`unsupported PNG: bit depth ${bitDepth}, interlace ${data[12]}`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  const bpp = BYTES_PER_PIXEL[colourType];
  if (!bpp || width === 0 || height === 0) throw new Error(`unsupported PNG colour type ${colourType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : undefined;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[x - bpp]! : 0;
      const b = prev ? prev[x]! : 0;
      const c = prev && x >= bpp ? prev[x - bpp]! : 0;
      const value = row[x]!;
      switch (filter) {
        case 0: out[x] = value; break;
        case 1: out[x] = (value + a) & 0xff; break;
        case 2: out[x] = (value + b) & 0xff; break;
        case 3: out[x] = (value + ((a + b) >> 1)) & 0xff; break;
        case 4: out[x] = (value + paeth(a, b, c)) & 0xff; break;
        default: throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
    }
  }
  let sum = 0;
  let sumSquares = 0;
  const colours = new Set<number>();
  const count = width * height;
  for (let i = 0; i < count; i++) {
    const p = i * bpp;
    const [r, g, b] = bpp >= 3 ? [pixels[p]!, pixels[p + 1]!, pixels[p + 2]!] : [pixels[p]!, pixels[p]!, pixels[p]!];
    const luma = 0.299 * r + 0.587 * g + 0.114 * b;
    sum += luma;
    sumSquares += luma * luma;
    colours.add(((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4));
  }
  const mean = sum / count;
  return { width, height, lumaStdDev: Math.sqrt(Math.max(0, sumSquares / count - mean * mean)), distinctColours: colours.size };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
