import { describe, expect, it } from 'vitest';
import { createRng } from '../world/index.js';
import { fillHoles } from './geometry.js';

/** Holes by the textbook rule: 4-connected regions of zeros not connected to the border, in scan order of their first pixel. */
function referenceHoles(raster: Uint8Array, width: number, height: number): { sizes: number[]; filled: Uint8Array } {
  const seen = new Uint8Array(width * height);
  const filled = Uint8Array.from(raster, (value) => (value === 1 ? 1 : 0));
  const sizes: number[] = [];
  for (let start = 0; start < width * height; start += 1) {
    if (raster[start] === 1 || seen[start] === 1) continue;
    const region: number[] = [start];
    seen[start] = 1;
    let touchesBorder = false;
    for (let index = 0; index < region.length; index += 1) {
      const pixel = region[index] as number;
      const x = pixel % width;
      const y = (pixel - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) touchesBorder = true;
      const neighbours = [x > 0 ? pixel - 1 : -1, x < width - 1 ? pixel + 1 : -1, y > 0 ? pixel - width : -1, y < height - 1 ? pixel + width : -1];
      for (const next of neighbours) {
        if (next < 0 || raster[next] === 1 || seen[next] === 1) continue;
        seen[next] = 1;
        region.push(next);
      }
    }
    if (touchesBorder) continue;
    sizes.push(region.length);
    for (const pixel of region) filled[pixel] = 1;
  }
  return { sizes, filled };
}

describe('fillHoles', () => {
  it('finds the same holes, sizes in scan order, and filled raster as the border-flood rule on 300 random rasters', () => {
    const rng = createRng(41);
    for (let trial = 0; trial < 300; trial += 1) {
      const width = rng.int(1, 24);
      const height = rng.int(1, 24);
      const density = rng.pick([0.3, 0.5, 0.7, 0.85]);
      const raster = Uint8Array.from({ length: width * height }, () => (rng.chance(density) ? 1 : 0));
      const expected = referenceHoles(raster, width, height);
      const actual = fillHoles(raster, width, height);
      expect(actual.sizes, `trial ${trial}`).toEqual(expected.sizes);
      expect(Array.from(actual.filled), `trial ${trial}`).toEqual(Array.from(expected.filled));
    }
  });
});
