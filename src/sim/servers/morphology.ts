/** Boundary noise for simulated masks: erosion and dilation by whole pixels (4-neighbourhood). */
import type { Mask } from '../../core/index.js';

/** One step: dilate (grow) or erode (shrink) by one pixel, touching only the box grown by one. */
function step(mask: Mask, grow: boolean): Mask {
  const { width, height } = mask;
  const next = Uint8Array.from(mask.data);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const index = y * width + x;
      const value = mask.data[index] ?? 0;
      if (grow ? value === 1 : value === 0) continue;
      const neighbours = [x > 0 ? mask.data[index - 1] : 0, x < width - 1 ? mask.data[index + 1] : 0, y > 0 ? mask.data[index - width] : 0, y < height - 1 ? mask.data[index + width] : 0];
      if (grow ? neighbours.some((neighbour) => neighbour === 1) : neighbours.some((neighbour) => neighbour !== 1)) next[index] = grow ? 1 : 0;
    }
  }
  return { width, height, data: next };
}

/** Positive radius dilates, negative erodes. */
export function morph(mask: Mask, radius: number): Mask {
  let current = mask;
  for (let count = 0; count < Math.abs(radius); count += 1) current = step(current, radius > 0);
  return current;
}
