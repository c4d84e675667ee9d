import { describe, expect, it } from 'vitest';
import { createRng } from '../world/index.js';
import { connectedComponents } from './components.js';
import { componentHull } from './geometry.js';
import type { Point } from './geometry.js';

/** Andrew's monotone chain over all four corners of every pixel: the hull componentHull must equal. */
function referenceHull(pixels: Int32Array, width: number): Point[] {
  const points: Point[] = [];
  for (const pixel of pixels) {
    const x = pixel % width;
    const y = (pixel - x) / width;
    points.push([x, y], [x + 1, y], [x, y + 1], [x + 1, y + 1]);
  }
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const chain = (ordered: Point[]): Point[] => {
    const out: Point[] = [];
    for (const point of ordered) {
      while (out.length >= 2 && cross(out[out.length - 2] as Point, out[out.length - 1] as Point, point) <= 0) out.pop();
      out.push(point);
    }
    out.pop();
    return out;
  };
  return chain(points).concat(chain([...points].reverse()));
}

describe('componentHull', () => {
  it('equals the hull of every pixel corner on 300 random blobs (convex, concave, thin, single-pixel)', () => {
    const rng = createRng(12);
    const width = 40;
    const height = 30;
    let checked = 0;
    for (let trial = 0; trial < 300; trial += 1) {
      const labels = new Uint8Array(width * height);
      // A few random discs and bars, so shapes have notches, holes, diagonal steps and one-pixel rows.
      for (let stroke = rng.int(1, 4); stroke > 0; stroke -= 1) {
        const cx = rng.int(0, width - 1);
        const cy = rng.int(0, height - 1);
        const rx = rng.int(0, 8);
        const ry = rng.int(0, 8);
        for (let y = Math.max(0, cy - ry); y <= Math.min(height - 1, cy + ry); y += 1) {
          for (let x = Math.max(0, cx - rx); x <= Math.min(width - 1, cx + rx); x += 1) {
            if (rng.chance(0.85) && ((x - cx) / (rx + 0.5)) ** 2 + ((y - cy) / (ry + 0.5)) ** 2 <= 1) labels[y * width + x] = 1;
          }
        }
      }
      for (const component of connectedComponents(labels, width, height, 1, 0)) {
        expect(componentHull(component, width), `trial ${trial}`).toEqual(referenceHull(component.pixels, width));
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
