/**
 * COCO polygon → run lengths exactly as pycocotools `mask.frPyObjects` does it (common/maskApi.c
 * `rleFrPoly` and `rleFrBbox`). RefCOCO-family ground truth is built this way by every loader that our
 * numbers are compared with (REFER's getMask, LISA's refer_seg dataset, ReLA's convert_coco_poly_to_mask):
 * the polygon is upsampled ×5, its edges walked with rounding, and only the crossings of pixel columns
 * kept, so edge pixels differ from the OpenCV fill used for ReasonSeg (see REFERENCE.md).
 */

/** Run lengths (column-major, starting with zeros) of one polygon [x0, y0, x1, y1, …] in an h×w image. */
export function polygonRunLengths(xy: ReadonlyArray<number>, height: number, width: number): number[] {
  const k = Math.floor(xy.length / 2);
  if (k === 0) return [height * width];
  const scale = 5;
  // C `(int)(scale*v + .5)` truncates toward zero.
  const x: number[] = [];
  const y: number[] = [];
  for (let j = 0; j < k; j += 1) {
    x.push(Math.trunc(scale * (xy[2 * j] ?? 0) + 0.5));
    y.push(Math.trunc(scale * (xy[2 * j + 1] ?? 0) + 0.5));
  }
  x.push(x[0] ?? 0);
  y.push(y[0] ?? 0);
  const u: number[] = [];
  const v: number[] = [];
  for (let j = 0; j < k; j += 1) {
    let xs = x[j] ?? 0;
    let xe = x[j + 1] ?? 0;
    let ys = y[j] ?? 0;
    let ye = y[j + 1] ?? 0;
    const dx = Math.abs(xe - xs);
    const dy = Math.abs(ys - ye);
    const flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
    if (flip) {
      [xs, xe] = [xe, xs];
      [ys, ye] = [ye, ys];
    }
    const s = dx >= dy ? (ye - ys) / dx : (xe - xs) / dy;
    if (dx >= dy) {
      for (let d = 0; d <= dx; d += 1) {
        const t = flip ? dx - d : d;
        u.push(t + xs);
        v.push(Math.trunc(ys + s * t + 0.5));
      }
    } else {
      for (let d = 0; d <= dy; d += 1) {
        const t = flip ? dy - d : d;
        v.push(t + ys);
        u.push(Math.trunc(xs + s * t + 0.5));
      }
    }
  }
  // Points where the boundary crosses a pixel column, downsampled back to pixel coordinates.
  const starts: number[] = [];
  for (let j = 1; j < u.length; j += 1) {
    const uj = u[j] ?? 0;
    const uPrev = u[j - 1] ?? 0;
    if (uj === uPrev) continue;
    let xd = uj < uPrev ? uj : uj - 1;
    xd = (xd + 0.5) / scale - 0.5;
    if (Math.floor(xd) !== xd || xd < 0 || xd > width - 1) continue;
    const vj = v[j] ?? 0;
    const vPrev = v[j - 1] ?? 0;
    let yd = vj < vPrev ? vj : vPrev;
    yd = (yd + 0.5) / scale - 0.5;
    if (yd < 0) yd = 0;
    else if (yd > height) yd = height;
    yd = Math.ceil(yd);
    starts.push(xd * height + yd);
  }
  starts.push(height * width);
  // maskApi.c sorts as uint; every value here is non-negative, so a numeric sort is the same order.
  starts.sort((a, b) => a - b);
  let previous = 0;
  for (let j = 0; j < starts.length; j += 1) {
    const value = starts[j] ?? 0;
    starts[j] = value - previous;
    previous = value;
  }
  // Zero-length runs merge their neighbours: `b[m-1] += a[j++]` after skipping the zero.
  const runs: number[] = [];
  let j = 0;
  runs.push(starts[j++] ?? 0);
  while (j < starts.length) {
    if ((starts[j] ?? 0) > 0) {
      runs.push(starts[j++] ?? 0);
    } else {
      j += 1;
      if (j < starts.length) runs[runs.length - 1] = (runs[runs.length - 1] ?? 0) + (starts[j++] ?? 0);
    }
  }
  return runs;
}

/** pycocotools `rleFrBbox`: an [x, y, w, h] box drawn as the polygon of its four corners. */
export function boxRunLengths(box: readonly [number, number, number, number], height: number, width: number): number[] {
  const [xs, ys, w, h] = box;
  const xe = xs + w;
  const ye = ys + h;
  return polygonRunLengths([xs, ys, xs, ye, xe, ye, xe, ys], height, width);
}
