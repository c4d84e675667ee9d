import { describe, expect, it } from 'vitest';
import { createMask } from '../../core/index.js';
import { morph } from './morphology.js';

function square(size: number, from: number, to: number): ReturnType<typeof createMask> {
  const mask = createMask(size, size);
  for (let y = from; y < to; y += 1) for (let x = from; x < to; x += 1) mask.data[y * size + x] = 1;
  return mask;
}

const area = (mask: ReturnType<typeof createMask>): number => mask.data.reduce((sum, value) => sum + value, 0);

describe('morph', () => {
  it('dilates a 4×4 square by one pixel into a 4-neighbour cross-grown shape of 32 pixels', () => {
    expect(area(morph(square(10, 3, 7), 1))).toBe(16 + 4 * 4);
  });

  it('erodes a 4×4 square by one pixel to its 2×2 core, and an empty mask stays empty', () => {
    expect(area(morph(square(10, 3, 7), -1))).toBe(4);
    expect(area(morph(createMask(5, 5), 2))).toBe(0);
  });

  it('treats the image border as background when eroding', () => {
    expect(area(morph(square(4, 0, 4), -1))).toBe(4);
  });

  it('gives the same mask with the foreground box given as when it scans for it, at the border and inside', () => {
    for (const [size, from, to] of [[10, 3, 7], [6, 0, 6], [9, 0, 3], [9, 6, 9]] as const) {
      for (const radius of [-2, -1, 1, 2, 3]) {
        const mask = square(size, from, to);
        expect(Array.from(morph(mask, radius, [from, from, to, to]).data), `square ${from}–${to} of ${size}, radius ${radius}`).toEqual(Array.from(morph(mask, radius).data));
      }
    }
    expect(morph(createMask(5, 5), 2, [0, 0, 0, 0]).data.every((value) => value === 0)).toBe(true);
  });
});
