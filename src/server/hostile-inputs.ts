/**
 * Inputs an attacker sends, built in memory for the fault suite and bench/hardening-load (not product
 * code): decompression bombs, formats the server must not decode, deeply nested JSON. Each is what the
 * hardening audit (issue 15) measured, at the sizes it measured.
 */
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function png(width: number, height: number, bitDepth: number, colourType: number, idat: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([bitDepth, colourType, 0, 0, 0], 8);
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

/** A complete, valid 1-bit greyscale PNG of zeros: 7000×5700 is 4.9 KB on the wire and 120 MB as RGB. */
export function bombPng(width = 7000, height = 5700): Buffer {
  const rows = Buffer.alloc((Math.ceil(width / 8) + 1) * height);
  return png(width, height, 1, 0, deflateSync(rows, { level: 9 }));
}

/** A PNG of a few hundred bytes whose header claims width × height RGB pixels (its data is truncated). */
export function pngClaiming(width: number, height: number): Buffer {
  return png(width, height, 8, 2, deflateSync(Buffer.alloc(64)));
}

/** The audit's SVG: small text declaring a large canvas of blurred rectangles (libvips renders it slowly). */
export function blurredSvg(size = 1000, rectangles = 30): Buffer {
  const shapes = Array.from({ length: rectangles }, (_, index) => `<rect x="${(index * 37) % size}" y="${(index * 53) % size}" width="${size / 2}" height="${size / 3}" fill="#${(index * 123457).toString(16).padStart(6, '0').slice(0, 6)}" filter="url(#b)"/>`).join('');
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><defs><filter id="b"><feGaussianBlur stdDeviation="80"/></filter></defs>${shapes}</svg>`);
}

/** Small images in formats libvips decodes but the server must refuse. */
export async function otherFormats(): Promise<Record<'gif' | 'tiff' | 'avif', Buffer>> {
  const base = sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 10, b: 10 } } });
  return {
    gif: await base.clone().gif().toBuffer(),
    tiff: await base.clone().tiff().toBuffer(),
    avif: await base.clone().avif().toBuffer(),
  };
}

/** `[[[…]]]` nested `depth` deep: JSON.parse takes it, a recursive walker overflows its stack. */
export function deepJson(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

export function dataUrl(bytes: Uint8Array, type = 'image/png'): string {
  return `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;
}
