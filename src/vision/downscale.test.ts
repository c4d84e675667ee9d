import { describe, expect, it } from 'vitest';
import { downscaleImage } from './downscale.js';

function solid(width: number, height: number, rgb: readonly [number, number, number]) {
  const data = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) data.set(rgb, pixel * 3);
  return { width, height, data };
}

describe('downscaleImage', () => {
  it('averages each 2×2 block when halving', () => {
    const image = { width: 2, height: 2, data: new Uint8Array([0, 0, 0, 100, 100, 100, 200, 200, 200, 100, 100, 100]) };
    const half = downscaleImage(image, 1, 1);
    expect(Array.from(half.data), 'mean of 0, 100, 200, 100').toEqual([100, 100, 100]);
  });

  it('weights partly covered source pixels by the part covered (3 → 2 columns)', () => {
    const image = { width: 3, height: 1, data: new Uint8Array([0, 0, 0, 90, 90, 90, 180, 180, 180]) };
    const scaled = downscaleImage(image, 2, 1);
    // Cell 0 covers pixel 0 fully and half of pixel 1: (0 + 0.5·90) / 1.5 = 30; cell 1: (0.5·90 + 180) / 1.5 = 150.
    expect(Array.from(scaled.data)).toEqual([30, 30, 30, 150, 150, 150]);
  });

  it('keeps a flat colour exactly and returns the image itself at its own size', () => {
    const image = solid(57, 33, [12, 200, 99]);
    const scaled = downscaleImage(image, 28, 17);
    expect(scaled.width * scaled.height * 3).toBe(scaled.data.length);
    expect(new Set(Array.from(scaled.data)), 'no value but the flat colour’s').toEqual(new Set([12, 200, 99]));
    expect(downscaleImage(image, 57, 33)).toBe(image);
  });

  it('refuses to enlarge or to make an empty image', () => {
    const image = solid(10, 10, [0, 0, 0]);
    expect(() => downscaleImage(image, 11, 5)).toThrow(/cannot downscale a 10×10 image to 11×5/);
    expect(() => downscaleImage(image, 0, 5)).toThrow(/cannot downscale/);
  });
});
