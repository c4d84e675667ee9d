/**
 * Pixel classification to the nearest palette colour and 8-connected components per colour: the
 * first step of everything the simulation "sees". Only pixels are used, never scene data.
 */

/** A named palette colour in 8-bit RGB. */
export interface PaletteColour {
  readonly name: string;
  readonly rgb: readonly [number, number, number];
}

/** Label value for pixels that match no palette colour within the distance threshold. */
export const UNLABELLED = 255;

/** Lookup tables per palette and threshold: 6 bits per channel (bucket centres), built once. */
const lookupTables = new Map<string, Uint8Array>();

function lookupTable(palette: readonly PaletteColour[], maxDistance: number): Uint8Array {
  const key = `${maxDistance}:${palette.map((colour) => colour.rgb.join(',')).join(';')}`;
  const cached = lookupTables.get(key);
  if (cached !== undefined) return cached;
  const table = new Uint8Array(64 * 64 * 64);
  const limit = maxDistance * maxDistance;
  for (let red = 0; red < 64; red += 1) {
    for (let green = 0; green < 64; green += 1) {
      for (let blue = 0; blue < 64; blue += 1) {
        let best = UNLABELLED;
        let bestDistance = limit + 1;
        palette.forEach((colour, index) => {
          const dr = red * 4 + 1.5 - colour.rgb[0];
          const dg = green * 4 + 1.5 - colour.rgb[1];
          const db = blue * 4 + 1.5 - colour.rgb[2];
          const distance = dr * dr + dg * dg + db * db;
          if (distance < bestDistance) [best, bestDistance] = [index, distance];
        });
        table[(red << 12) | (green << 6) | blue] = best;
      }
    }
  }
  lookupTables.set(key, table);
  return table;
}

/**
 * Label each pixel with the index of its nearest palette colour when the Euclidean RGB distance is at
 * most `maxDistance`, else UNLABELLED. The threshold absorbs JPEG q≥90 artefacts (typically < 20).
 * Decided per 4×4×4 colour bucket (at most ±2 levels per channel from the exact rule): palette colours
 * are ≥ 85 apart and backgrounds ≥ 123 from them, far beyond that rounding.
 */
export function classifyPixels(
  data: Uint8Array,
  pixelCount: number,
  palette: readonly PaletteColour[],
  maxDistance: number,
): Uint8Array {
  const table = lookupTable(palette, maxDistance);
  const labels = new Uint8Array(pixelCount);
  for (let pixel = 0, offset = 0; pixel < pixelCount; pixel += 1, offset += 3) {
    const red = (data[offset] ?? 0) >> 2;
    const green = (data[offset + 1] ?? 0) >> 2;
    const blue = (data[offset + 2] ?? 0) >> 2;
    labels[pixel] = table[(red << 12) | (green << 6) | blue] ?? UNLABELLED;
  }
  return labels;
}

/** One 8-connected component of equal labels. `pixels` are row-major indices, in scan order. */
export interface Component {
  readonly label: number;
  readonly pixels: Int32Array;
  /** Pixel-edge box [x1, y1, x2, y2] (exclusive right/bottom). */
  readonly box: readonly [number, number, number, number];
}

/**
 * 8-connected components of every label except `skipLabel`, with at least `minArea` pixels.
 * Flood fill with an explicit stack (no recursion), O(pixels).
 */
export function connectedComponents(
  labels: Uint8Array,
  width: number,
  height: number,
  minArea: number,
  skipLabel: number = UNLABELLED,
): Component[] {
  const pixelCount = width * height;
  const visited = new Uint8Array(pixelCount);
  const stack = new Int32Array(pixelCount);
  const members = new Int32Array(pixelCount);
  const components: Component[] = [];
  for (let seed = 0; seed < pixelCount; seed += 1) {
    const label = labels[seed] ?? skipLabel;
    if (visited[seed] === 1 || label === skipLabel) continue;
    visited[seed] = 1;
    let top = 0;
    let size = 0;
    stack[top++] = seed;
    let x1 = width;
    let y1 = height;
    let x2 = 0;
    let y2 = 0;
    while (top > 0) {
      const pixel = stack[--top] ?? 0;
      members[size++] = pixel;
      const x = pixel % width;
      const y = (pixel - x) / width;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
      for (let dy = -1; dy <= 1; dy += 1) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const neighbour = ny * width + nx;
          if (visited[neighbour] === 1 || labels[neighbour] !== label) continue;
          visited[neighbour] = 1;
          stack[top++] = neighbour;
        }
      }
    }
    if (size < minArea) continue;
    const pixels = members.slice(0, size).sort();
    components.push({ label, pixels, box: [x1, y1, x2 + 1, y2 + 1] });
  }
  return components;
}
