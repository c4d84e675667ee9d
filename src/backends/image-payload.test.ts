import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../core/index.js';
import { getProfile } from '../protocols/index.js';
import { DEFAULT_IMAGE_ENCODING, planImage } from './image-payload.js';
import type { FramingProfile } from './image-payload.js';

function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let index = 0; index < width * height; index += 1) data.set([index % 256, (index * 3) % 256, 90], index * 3);
  return { width, height, data };
}

describe('planImage', () => {
  it('encodes an image once for any number of requests and keys the hash on the encoding', async () => {
    const image = gradient(40, 30);
    const first = planImage(image, undefined, DEFAULT_IMAGE_ENCODING);
    const second = planImage(image, undefined, DEFAULT_IMAGE_ENCODING);
    expect(first.dataUrl()).toBe(second.dataUrl());
    expect(first.hash()).toBe(second.hash());
    const png = planImage(image, undefined, { ...DEFAULT_IMAGE_ENCODING, format: 'png' });
    expect(png.hash()).not.toBe(first.hash());
    expect((await png.dataUrl()).startsWith('data:image/png;base64,')).toBe(true);
  });

  it('sends a small image in the Qwen2.5-VL frame without calling it a downscale (721×459 → 728×448)', () => {
    const planned = planImage(gradient(721, 459), getProfile('qwen2.5-vl'), DEFAULT_IMAGE_ENCODING);
    expect(planned.frame.sent).toEqual({ width: 728, height: 448 });
    expect(planned.warnings, 'far under the max pixels: snapping to the patch grid is not a downscale').toEqual([]);
  });

  it('downscales an image over the profile\'s max pixels, warns, and records both frames', async () => {
    const qwen = getProfile('qwen2.5-vl');
    const small: FramingProfile = { name: 'qwen2.5-vl-small', pixelBounds: { maxPixels: 200_704 }, imageFrame: (size) => qwen.imageFrame(size, { maxPixels: 200_704 }), fromModelBox: (box) => box };
    const planned = planImage(gradient(800, 600), small, DEFAULT_IMAGE_ENCODING);
    const frame = small.imageFrame({ width: 800, height: 600 });
    expect(frame.width * frame.height).toBeLessThanOrEqual(200_704);
    expect(planned.frame).toEqual({ original: { width: 800, height: 600 }, sent: frame });
    expect(planned.warnings[0]?.code).toBe('image-downscaled');
    const url = await planned.dataUrl();
    const metadata = await sharp(Buffer.from(url.split(',')[1] ?? '', 'base64')).metadata();
    expect({ width: metadata.width, height: metadata.height }).toEqual(frame);
  });

  it('sends already-encoded bytes unchanged', async () => {
    const bytes = new Uint8Array([137, 80, 78, 71]);
    const planned = planImage({ mimeType: 'image/png', bytes, width: 1, height: 1 }, getProfile('qwen2.5-vl'), DEFAULT_IMAGE_ENCODING);
    expect(await planned.dataUrl()).toBe('data:image/png;base64,iVBORw==');
    expect(planned.frame.sent).toEqual({ width: 1, height: 1 });
  });
});
