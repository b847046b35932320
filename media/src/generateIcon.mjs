// Draws media/icon.png (128x128): a modem chip with signal bars and an upgrade arrow.
// Run: node media/src/generateIcon.mjs. Shapes are signed-distance tests, 4x4 supersampled.
import { deflateSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SIZE = 128;
const SAMPLES = 4;

const roundedRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = Math.max(x0 + r, Math.min(x, x1 - r));
  const cy = Math.max(y0 + r, Math.min(y, y1 - r));
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= x0 && x <= x1 && y >= y0 && y <= y1;
};
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const triangle = (ax, ay, bx, by, cx, cy) => (x, y) => {
  const s = (px, py, qx, qy) => (x - qx) * (py - qy) - (px - qx) * (y - qy);
  const d1 = s(ax, ay, bx, by), d2 = s(bx, by, cx, cy), d3 = s(cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};

// Layers, bottom first: [shape, [r, g, b]].
const layers = [
  [roundedRect(4, 4, 124, 124, 24), [0x1b, 0x2a, 0x38]],
  [roundedRect(18, 30, 78, 98, 8), [0x2b, 0x8a, 0xd8]],
  // Chip pins.
  ...[40, 54, 68, 82].flatMap((y) => [
    [rect(12, y, 18, y + 5), [0x9c, 0xc9, 0xef]],
    [rect(78, y, 84, y + 5), [0x9c, 0xc9, 0xef]],
  ]),
  // Signal bars on the chip.
  [rect(28, 76, 35, 88), [0xff, 0xff, 0xff]],
  [rect(40, 66, 47, 88), [0xff, 0xff, 0xff]],
  [rect(52, 56, 59, 88), [0xff, 0xff, 0xff]],
  [rect(64, 44, 71, 88), [0xff, 0xff, 0xff]],
  // Upgrade arrow.
  [triangle(100, 24, 118, 50, 82, 50), [0x4e, 0xc9, 0x8a]],
  [rect(94, 48, 106, 100), [0x4e, 0xc9, 0x8a]],
];

const pixels = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  const row = y * (SIZE * 4 + 1);
  pixels[row] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    let r = 0, g = 0, b = 0, a = 0;
    for (let sy = 0; sy < SAMPLES; sy++) {
      for (let sx = 0; sx < SAMPLES; sx++) {
        const px = x + (sx + 0.5) / SAMPLES;
        const py = y + (sy + 0.5) / SAMPLES;
        let colour;
        for (const [shape, c] of layers) if (shape(px, py)) colour = c;
        if (colour) { r += colour[0]; g += colour[1]; b += colour[2]; a += 255; }
      }
    }
    const n = SAMPLES * SAMPLES;
    const covered = a / 255 || 1;
    const o = row + 1 + x * 4;
    pixels[o] = Math.round(r / covered);
    pixels[o + 1] = Math.round(g / covered);
    pixels[o + 2] = Math.round(b / covered);
    pixels[o + 3] = Math.round(a / n);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
};
const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(pixels, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(fileURLToPath(new URL('../icon.png', import.meta.url)), png);
