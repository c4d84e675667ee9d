import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImageBytes } from './image-input.js';
import { decodeSimplePng } from './segmenter-png.js';
import { sceneFixture } from './test-support.js';

const image = sceneFixture(77).rendered.image;
const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** The PNG's chunks as [type, data] pairs (after the 8-byte signature). */
function chunks(png: Buffer): [string, Buffer][] {
  const found: [string, Buffer][] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    found.push([png.toString('latin1', offset + 4, offset + 8), png.subarray(offset + 8, offset + 8 + length)]);
    offset += 12 + length;
  }
  return found;
}

function rebuild(parts: [string, Uint8Array][]): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...parts.map(([type, data]) => chunk(type, data))]);
}

async function expectSameAsSharp(png: Buffer, what: string): Promise<void> {
  const direct = decodeSimplePng(png);
  expect(direct, `${what}: the direct decoder refused it`).toBeDefined();
  const reference = await decodeImageBytes(png);
  expect([direct?.width, direct?.height], `${what}: size`).toEqual([reference.width, reference.height]);
  expect(Buffer.from(direct?.data ?? []).equals(Buffer.from(reference.data)), `${what}: pixels differ from sharp's decode`).toBe(true);
}

describe('direct PNG decoding for the simulated segmenter', () => {
  it('decodes the unfiltered PNG sharp writes exactly as sharp decodes it', async () => {
    await expectSameAsSharp(await sharp(image.data, raw).png({ compressionLevel: 3 }).toBuffer(), 'default PNG');
  });

  it('undoes every row filter (none, sub, up, average, Paeth) exactly as sharp does', async () => {
    // Rows filtered in turn with filter types 0..4 (PNG section 9), written by hand so every one occurs.
    const { width, height, data } = image;
    const stride = width * 3;
    const filtered = Buffer.alloc(height * (stride + 1));
    const at = (y: number, index: number): number => (y < 0 || index < 0 ? 0 : (data[y * stride + index] ?? 0));
    for (let y = 0; y < height; y += 1) {
      const filter = y % 5;
      filtered[y * (stride + 1)] = filter;
      for (let index = 0; index < stride; index += 1) {
        const left = at(y, index - 3);
        const up = at(y - 1, index);
        const upLeft = at(y - 1, index - 3);
        const estimate = left + up - upLeft;
        const [toLeft, toUp, toUpLeft] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
        const paeth = toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
        const predicted = [0, left, up, (left + up) >> 1, paeth][filter] ?? 0;
        filtered[y * (stride + 1) + 1 + index] = (at(y, index) - predicted) & 0xff;
      }
    }
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header.set([8, 2, 0, 0, 0], 8);
    await expectSameAsSharp(rebuild([['IHDR', header], ['IDAT', deflateSync(filtered)], ['IEND', new Uint8Array()]]), 'filters 0..4');
  });

  it('joins image data split over several IDAT chunks', async () => {
    const png = await sharp(image.data, raw).png().toBuffer();
    const parts: [string, Uint8Array][] = [];
    for (const [type, data] of chunks(png)) {
      if (type !== 'IDAT') parts.push([type, data]);
      else for (let start = 0; start < data.length; start += 1000) parts.push(['IDAT', data.subarray(start, start + 1000)]);
    }
    const split = rebuild(parts);
    expect(chunks(split).filter(([type]) => type === 'IDAT').length, 'the test PNG was not split').toBeGreaterThan(2);
    await expectSameAsSharp(split, 'split IDAT');
  });

  it('leaves images with alpha, grey levels, palettes, JPEG bytes, colour profiles or bad checksums to sharp', async () => {
    const rgba = await sharp(image.data, raw).ensureAlpha().png().toBuffer();
    const grey = await sharp(image.data, raw).toColourspace('b-w').png().toBuffer();
    const palette = await sharp(image.data, raw).png({ palette: true }).toBuffer();
    const jpeg = await sharp(image.data, raw).jpeg().toBuffer();
    const plain = await sharp(image.data, raw).png().toBuffer();
    const withGamma = rebuild(chunks(plain).flatMap(([type, data]): [string, Uint8Array][] => (type === 'IHDR' ? [[type, data], ['gAMA', Buffer.from([0, 0, 0xb1, 0x8f])]] : [[type, data]])));
    const corrupt = Buffer.from(plain);
    corrupt[corrupt.length - 20] = (corrupt[corrupt.length - 20] ?? 0) ^ 0xff;
    for (const [what, bytes] of [['RGBA', rgba], ['grey', grey], ['palette', palette], ['JPEG', jpeg], ['gAMA chunk', withGamma], ['corrupt IDAT', corrupt]] as const) {
      expect(decodeSimplePng(bytes), `${what} should be left to sharp`).toBeUndefined();
    }
    expect(decodeSimplePng(withGamma.subarray(0, 8)), 'a bare signature should be left to sharp').toBeUndefined();
  });
});
