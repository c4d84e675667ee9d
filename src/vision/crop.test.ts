import { describe, expect, it } from 'vitest';
import { cropImage } from './crop.js';

/** A width×height image whose pixel (x, y) is [x, y, 7]. */
function coordinateImage(width: number, height: number) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) for (let x = 0; x < width; x += 1) data.set([x, y, 7], (y * width + x) * 3);
  return { width, height, data };
}

function pixelAt(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  return Array.from(image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));
}

describe('cropImage', () => {
  it('copies the pixels of a box inside the image, rounding fractional edges outwards', () => {
    const crop = cropImage(coordinateImage(10, 8), [2.5, 1.2, 5.1, 4]);
    expect([crop.width, crop.height], 'x 2..6, y 1..4').toEqual([4, 3]);
    expect(pixelAt(crop, 0, 0), 'top-left is the image’s (2, 1)').toEqual([2, 1, 7]);
    expect(pixelAt(crop, 3, 2), 'bottom-right is the image’s (5, 3)').toEqual([5, 3, 7]);
  });

  it('clips a box that sticks out on any side to the image', () => {
    const image = coordinateImage(10, 8);
    const crop = cropImage(image, [-3, -2, 4, 3]);
    expect([crop.width, crop.height], 'left and top clipped').toEqual([4, 3]);
    expect(pixelAt(crop, 0, 0)).toEqual([0, 0, 7]);
    const right = cropImage(image, [8, 6, 15, 20]);
    expect([right.width, right.height], 'right and bottom clipped').toEqual([2, 2]);
    expect(pixelAt(right, 1, 1)).toEqual([9, 7, 7]);
  });

  it('refuses a box that keeps no pixel of the image instead of reading outside it', () => {
    const image = coordinateImage(10, 8);
    expect(() => cropImage(image, [12, 2, 15, 5]), 'right of the image').toThrow(/keeps no pixel/u);
    expect(() => cropImage(image, [2, -6, 5, -1]), 'above the image').toThrow(/keeps no pixel/u);
    expect(() => cropImage(image, [4, 4, 4, 6]), 'zero width').toThrow(/keeps no pixel/u);
  });
});
