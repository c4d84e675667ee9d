import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../core/index.js';
import { getProfile } from '../protocols/index.js';
import { DEFAULT_IMAGE_ENCODING, planImage } from './image-payload.js';

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

  it('downscales to the Qwen2.5-VL frame when it has fewer pixels and records both frames', async () => {
    const image = gradient(2000, 1500);
    const planned = planImage(image, getProfile('qwen2.5-vl'), DEFAULT_IMAGE_ENCODING);
    const frame = getProfile('qwen2.5-vl').imageFrame({ width: 2000, height: 1500 });
    expect(planned.frame).toEqual({ original: { width: 2000, height: 1500 }, sent: frame });
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
