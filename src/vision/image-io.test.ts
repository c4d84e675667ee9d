import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createMask, isMmevolveError } from '../core/index.js';
import type { RgbImage } from '../core/index.js';
import { decodeImage, decodeMaskPng, encodeImage, encodeMaskPng, readImage, readImageSize, writeImage } from './image-io.js';

const directory = mkdtempSync(join(tmpdir(), 'mmevolve-image-io-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const CELL = 16;
/** A 3 x 2 grid of distinct saturated colours, so each cell survives JPEG and can be located. */
const GRID_COLOURS: Array<[number, number, number]> = [
  [230, 20, 20], [20, 200, 20], [20, 20, 230],
  [230, 230, 20], [20, 220, 220], [230, 20, 230],
];
const GRID_COLUMNS = 3;
const GRID_ROWS = 2;

function gridImage(): RgbImage {
  const width = GRID_COLUMNS * CELL;
  const height = GRID_ROWS * CELL;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const colour = GRID_COLOURS[Math.floor(y / CELL) * GRID_COLUMNS + Math.floor(x / CELL)] ?? [0, 0, 0];
      data.set(colour, (y * width + x) * 3);
    }
  }
  return { width, height, data };
}

/**
 * Where OpenCV's ApplyExifOrientation puts stored pixel (x, y) of a width x height image:
 * 2 flip(1), 3 flip(-1), 4 flip(0), 5 transpose, 6 transpose+flip(1), 7 transpose+flip(-1), 8 transpose+flip(0).
 */
function orientPoint(orientation: number, x: number, y: number, width: number, height: number): [number, number] {
  switch (orientation) {
    case 2: return [width - 1 - x, y];
    case 3: return [width - 1 - x, height - 1 - y];
    case 4: return [x, height - 1 - y];
    case 5: return [y, x];
    case 6: return [height - 1 - y, x];
    case 7: return [height - 1 - y, width - 1 - x];
    case 8: return [y, width - 1 - x];
    default: return [x, y];
  }
}

function pixel(image: RgbImage, x: number, y: number): number[] {
  const offset = (y * image.width + x) * 3;
  return Array.from(image.data.subarray(offset, offset + 3));
}

function thrownError(promise: Promise<unknown>): Promise<{ code: string; message: string } | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (isMmevolveError(error) ? { code: error.code, message: error.message } : { code: 'foreign', message: String(error) }),
  );
}

describe('image IO', () => {
  it('round-trips RGB pixels exactly through PNG, and closely through JPEG and WebP', async () => {
    const image = gridImage();
    const png = await decodeImage(await encodeImage(image, 'png'));
    expect(Buffer.from(png.data).equals(Buffer.from(image.data))).toBe(true);
    for (const format of ['jpeg', 'webp'] as const) {
      const decoded = await decodeImage(await encodeImage(image, format));
      expect([decoded.width, decoded.height]).toEqual([image.width, image.height]);
      // Compare cell interiors (2 px away from colour edges, where lossy chroma blurs).
      let worst = 0;
      for (let y = 0; y < image.height; y += 1) {
        for (let x = 0; x < image.width; x += 1) {
          if (x % CELL < 2 || x % CELL >= CELL - 2 || y % CELL < 2 || y % CELL >= CELL - 2) continue;
          pixel(decoded, x, y).forEach((value, channel) => {
            worst = Math.max(worst, Math.abs(value - (pixel(image, x, y)[channel] ?? 0)));
          });
        }
      }
      expect(worst, `${format} max channel error inside cells`).toBeLessThan(24);
    }
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('applies EXIF orientation %i where OpenCV imread puts the pixels', async (orientation) => {
    const image = gridImage();
    const jpeg = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
      .withMetadata({ orientation })
      .toBuffer();
    const path = join(directory, `orientation-${orientation}.jpg`);
    writeFileSync(path, jpeg);
    const decoded = await readImage(path);
    const swapped = orientation >= 5;
    expect([decoded.width, decoded.height]).toEqual(swapped ? [image.height, image.width] : [image.width, image.height]);
    expect(await readImageSize(path)).toEqual({ width: decoded.width, height: decoded.height });
    for (let cell = 0; cell < GRID_COLOURS.length; cell += 1) {
      const storedX = (cell % GRID_COLUMNS) * CELL + CELL / 2;
      const storedY = Math.floor(cell / GRID_COLUMNS) * CELL + CELL / 2;
      const [x, y] = orientPoint(orientation, storedX, storedY, image.width, image.height);
      const got = pixel(decoded, x, y);
      const expected = GRID_COLOURS[cell] ?? [0, 0, 0];
      got.forEach((value, channel) => expect(Math.abs(value - (expected[channel] ?? 0)), `cell ${cell} channel ${channel}`).toBeLessThan(24));
    }
  });

  it('decodes EXIF-oriented JPEGs, PNGs and OpenCV-written grey/colour JPEGs to exactly the pixels OpenCV imread returns', async () => {
    const fixtures = new URL('./__fixtures__/exif/', import.meta.url);
    const expected = JSON.parse(readFileSync(new URL('expected.json', fixtures), 'utf8')) as {
      opencv: string;
      images: Record<string, { width: number; height: number; rgb: string }>;
    };
    const names = Object.keys(expected.images);
    expect(names.length).toBe(12);
    for (const name of names) {
      const reference = expected.images[name];
      if (reference === undefined) continue;
      const decoded = await readImage(fileURLToPath(new URL(name, fixtures)));
      expect([decoded.width, decoded.height], `${name} size`).toEqual([reference.width, reference.height]);
      const want = Buffer.from(reference.rgb, 'base64');
      let worst = 0;
      for (let index = 0; index < want.length; index += 1) worst = Math.max(worst, Math.abs((decoded.data[index] ?? 0) - (want[index] ?? 0)));
      expect(worst, `${name}: largest channel difference from OpenCV ${expected.opencv}`).toBe(0);
    }
  });

  it('rotates PNG by its EXIF orientation but leaves WebP as stored, as OpenCV 4.6 imread does', async () => {
    const image = gridImage();
    const raw = { raw: { width: image.width, height: image.height, channels: 3 as const } };
    const png = await sharp(image.data, raw).png().withMetadata({ orientation: 6 }).toBuffer();
    const webp = await sharp(image.data, raw).webp({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(webp).metadata()).orientation, 'fixture carries the EXIF tag').toBe(6);
    const fromPng = await decodeImage(png);
    expect([fromPng.width, fromPng.height]).toEqual([image.height, image.width]);
    expect(pixel(fromPng, ...orientPoint(6, 8, 8, image.width, image.height))).toEqual(GRID_COLOURS[0]);
    const fromWebp = await decodeImage(webp);
    expect([fromWebp.width, fromWebp.height]).toEqual([image.width, image.height]);
    const webpPath = join(directory, 'oriented.webp');
    writeFileSync(webpPath, webp);
    expect(await readImageSize(webpPath)).toEqual({ width: image.width, height: image.height });
  });

  it('drops alpha without compositing and expands greyscale to three channels', async () => {
    const rgba = await sharp(Buffer.from([10, 20, 30, 0, 200, 100, 50, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    expect(Array.from((await decodeImage(rgba)).data)).toEqual([10, 20, 30, 200, 100, 50]);
    const grey = await sharp(Buffer.from([0, 77, 255]), { raw: { width: 3, height: 1, channels: 1 } }).png().toBuffer();
    expect(Array.from((await decodeImage(grey)).data)).toEqual([0, 0, 0, 77, 77, 77, 255, 255, 255]);
  });

  it('reduces a 16-bit PNG to 8 bits as cv2.imread does (high byte)', async () => {
    // Written by scripts/fixtures/png16.py; cv2.imread returned [0, 0, 1, 127, 128, 254, 255, 255].
    const decoded = await readImage(fileURLToPath(new URL('./__fixtures__/ramp-16bit.png', import.meta.url)));
    expect([decoded.width, decoded.height]).toEqual([8, 1]);
    expect(Array.from(decoded.data).filter((_, index) => index % 3 === 0)).toEqual([0, 0, 1, 127, 128, 254, 255, 255]);
  });

  it('decodes a 1x1 image and an odd-sized one', async () => {
    const one = { width: 1, height: 1, data: new Uint8Array([1, 2, 3]) };
    expect(Array.from((await decodeImage(await encodeImage(one, 'png'))).data)).toEqual([1, 2, 3]);
    const odd = { width: 3, height: 5, data: new Uint8Array(45).map((_, index) => index * 5) };
    const decoded = await decodeImage(await encodeImage(odd, 'png'));
    expect([decoded.width, decoded.height, Array.from(decoded.data)]).toEqual([3, 5, Array.from(odd.data)]);
  });

  it('rejects a truncated JPEG with unreadable-image naming the source', async () => {
    const jpeg = await encodeImage(gridImage(), 'jpeg');
    const error = await thrownError(decodeImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'half.jpg'));
    expect(error?.code).toBe('unreadable-image');
    expect(error?.message).toContain('half.jpg');
    const garbage = await thrownError(decodeImage(new Uint8Array([1, 2, 3, 4]), 'garbage.bin'));
    expect(garbage?.code).toBe('unreadable-image');
    const missing = await thrownError(readImage(join(directory, 'missing.png')));
    expect(missing?.code).toBe('unreadable-image');
    expect(missing?.message).toContain('missing.png');
  });

  it('writes the format named by the extension', async () => {
    const image = gridImage();
    for (const name of ['out.png', 'out.jpg', 'out.webp']) {
      const path = join(directory, name);
      await writeImage(path, image);
      const metadata = await sharp(path).metadata();
      expect(metadata.format, name).toBe(name.endsWith('.png') ? 'png' : name.endsWith('.jpg') ? 'jpeg' : 'webp');
    }
    expect((await thrownError(writeImage(join(directory, 'out.gif'), image)))?.code).toBe('invalid-input');
  });

  it('round-trips masks through 8-bit PNG with foreground stored as 255', async () => {
    const mask = createMask(5, 3);
    mask.data.set([1, 0, 0, 1, 1, 0, 255, 0, 0, 0, 0, 0, 0, 0, 1]);
    const png = await encodeMaskPng(mask);
    expect((await sharp(png).metadata()).channels, 'PNG stored as 1-channel greyscale').toBe(1);
    const { data } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    expect(Array.from(data)).toEqual(Array.from(mask.data, (value) => (value ? 255 : 0)));
    expect(Array.from((await decodeMaskPng(png)).data)).toEqual(Array.from(mask.data, (value) => (value ? 1 : 0)));
  });

  it('reads colour mask files as foreground wherever a colour channel is non-zero', async () => {
    const rgb = await sharp(Buffer.from([0, 0, 0, 0, 0, 9, 128, 0, 0]), { raw: { width: 3, height: 1, channels: 3 } }).png().toBuffer();
    expect(Array.from((await decodeMaskPng(rgb)).data)).toEqual([0, 1, 1]);
    expect((await thrownError(decodeMaskPng(new Uint8Array([9, 9]), 'bad.png')))?.message).toContain('bad.png');
  });
});
