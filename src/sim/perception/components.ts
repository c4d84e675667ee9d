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

/** Root of a run's union-find tree, halving the path on the way (roots are the tree's first run). */
function findRoot(parent: number[], run: number): number {
  let current = run;
  let next = parent[current] ?? current;
  while (next !== current) {
    const grandparent = parent[next] ?? next;
    parent[current] = grandparent;
    current = grandparent;
    next = parent[current] ?? current;
  }
  return current;
}

/** Join two runs' trees; the smaller root stays, so a root is always its tree's first run in scan order. */
function unite(parent: number[], a: number, b: number): void {
  const rootA = findRoot(parent, a);
  const rootB = findRoot(parent, b);
  if (rootA < rootB) parent[rootB] = rootA;
  else if (rootB < rootA) parent[rootA] = rootB;
}

/** Horizontal runs of equal label in scan order, with a union-find forest over them. */
interface RunTable {
  starts: number[];
  /** Exclusive. */
  ends: number[];
  rows: number[];
  labels: number[];
  parent: number[];
}

function emptyRuns(): RunTable {
  return { starts: [], ends: [], rows: [], labels: [], parent: [] };
}

function pushRun(runs: RunTable, start: number, end: number, y: number, label: number): void {
  runs.parent.push(runs.starts.length);
  runs.starts.push(start);
  runs.ends.push(end);
  runs.rows.push(y);
  runs.labels.push(label);
}

/** Unite each run of the current row with the previous row's runs of its label that touch it (8-connectivity). */
function linkRows(runs: RunTable, previousFirst: number, currentFirst: number): void {
  const { starts, ends, labels, parent } = runs;
  let candidate = previousFirst;
  for (let run = currentFirst; run < starts.length; run += 1) {
    const start = starts[run] ?? 0;
    const end = ends[run] ?? 0;
    while (candidate < currentFirst && (ends[candidate] ?? 0) < start) candidate += 1;
    for (let other = candidate; other < currentFirst && (starts[other] ?? 0) <= end; other += 1) {
      if (labels[other] === labels[run]) unite(parent, run, other);
    }
  }
}

/** Components (at least `minArea` pixels) from linked runs, numbered by their first run = first pixel. */
function componentsFromRuns(runs: RunTable, width: number, minArea: number, skipLabel: number): Component[] {
  const { starts, ends, rows, parent } = runs;
  const numberOfRoot = new Map<number, number>();
  const numbers = new Int32Array(starts.length);
  const sizes: number[] = [];
  const boxes: [number, number, number, number][] = [];
  const componentLabels: number[] = [];
  for (let run = 0; run < starts.length; run += 1) {
    const root = findRoot(parent, run);
    const start = starts[run] ?? 0;
    const end = ends[run] ?? 0;
    const y = rows[run] ?? 0;
    let number = numberOfRoot.get(root);
    if (number === undefined) {
      number = sizes.length;
      numberOfRoot.set(root, number);
      sizes.push(0);
      boxes.push([start, y, end, y + 1]);
      componentLabels.push(runs.labels[run] ?? skipLabel);
    }
    numbers[run] = number;
    sizes[number] = (sizes[number] ?? 0) + end - start;
    const box = boxes[number];
    if (box === undefined) continue;
    if (start < box[0]) box[0] = start;
    if (end > box[2]) box[2] = end;
    box[3] = y + 1;
  }
  // Members of each kept component, written run by run: already row-major sorted.
  const members: (Int32Array | undefined)[] = sizes.map((size) => (size < minArea ? undefined : new Int32Array(size)));
  const written = new Int32Array(sizes.length);
  for (let run = 0; run < starts.length; run += 1) {
    const number = numbers[run] ?? 0;
    const target = members[number];
    if (target === undefined) continue;
    let count = written[number] ?? 0;
    const rowOffset = (rows[run] ?? 0) * width;
    const end = ends[run] ?? 0;
    for (let x = starts[run] ?? 0; x < end; x += 1) target[count++] = rowOffset + x;
    written[number] = count;
  }
  const components: Component[] = [];
  members.forEach((pixels, number) => {
    const box = boxes[number];
    if (pixels === undefined || box === undefined) return;
    components.push({ label: componentLabels[number] ?? skipLabel, pixels, box });
  });
  return components;
}

/**
 * 8-connected components of every label except `skipLabel`, with at least `minArea` pixels, in scan
 * order of their first pixel. Labels horizontal runs of equal label and unites touching runs of
 * consecutive rows: one comparison per pixel, union-find on runs only (issue 4: several times faster
 * than a flood fill per component, same components in the same order).
 */
export function connectedComponents(
  labels: Uint8Array,
  width: number,
  height: number,
  minArea: number,
  skipLabel: number = UNLABELLED,
): Component[] {
  const runs = emptyRuns();
  let previousFirst = 0;
  for (let y = 0; y < height; y += 1) {
    const rowOffset = y * width;
    const first = runs.starts.length;
    let x = 0;
    while (x < width) {
      const label = labels[rowOffset + x] ?? skipLabel;
      if (label === skipLabel) {
        x += 1;
        continue;
      }
      const start = x;
      x += 1;
      while (x < width && labels[rowOffset + x] === label) x += 1;
      pushRun(runs, start, x, y, label);
    }
    linkRows(runs, previousFirst, first);
    previousFirst = first;
  }
  return componentsFromRuns(runs, width, minArea, skipLabel);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * connectedComponents(classifyPixels(...)) in one pass over the RGB data: runs are built while pixels
 * are classified, without a label image (the segmenter's fresh-image path, issue 4). Same components.
 */
export function paletteComponents(
  image: { width: number; height: number; data: Uint8Array },
  palette: readonly PaletteColour[],
  maxDistance: number,
  minArea: number,
): Component[] {
  const { width, height, data } = image;
  const table = lookupTable(palette, maxDistance);
  const runs = emptyRuns();
  // Whole rows of 4-pixel groups as 32-bit words when aligned (little-endian): a third of the loads.
  const words = LITTLE_ENDIAN && width % 4 === 0 && data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, (width * height * 3) / 4) : undefined;
  let previousFirst = 0;
  for (let y = 0, offset = 0; y < height; y += 1) {
    const first = runs.starts.length;
    let runLabel = UNLABELLED;
    let runStart = 0;
    if (words !== undefined) {
      for (let x = 0, word = offset / 4; x < width; x += 4, word += 3) {
        // Bytes r0 g0 b0 r1 | g1 b1 r2 g2 | b2 r3 g3 b3, least significant first; keys as below.
        const one = words[word] ?? 0;
        const two = words[word + 1] ?? 0;
        const three = words[word + 2] ?? 0;
        let label = table[((one & 0xfc) << 10) | ((one >>> 4) & 0xfc0) | ((one >>> 18) & 0x3f)] ?? UNLABELLED;
        if (label !== runLabel) {
          if (runLabel !== UNLABELLED) pushRun(runs, runStart, x, y, runLabel);
          [runLabel, runStart] = [label, x];
        }
        label = table[((one >>> 14) & 0x3f000) | ((two & 0xfc) << 4) | ((two >>> 10) & 0x3f)] ?? UNLABELLED;
        if (label !== runLabel) {
          if (runLabel !== UNLABELLED) pushRun(runs, runStart, x + 1, y, runLabel);
          [runLabel, runStart] = [label, x + 1];
        }
        label = table[((two >>> 6) & 0x3f000) | ((two >>> 20) & 0xfc0) | ((three >>> 2) & 0x3f)] ?? UNLABELLED;
        if (label !== runLabel) {
          if (runLabel !== UNLABELLED) pushRun(runs, runStart, x + 2, y, runLabel);
          [runLabel, runStart] = [label, x + 2];
        }
        label = table[((three << 2) & 0x3f000) | ((three >>> 12) & 0xfc0) | ((three >>> 26) & 0x3f)] ?? UNLABELLED;
        if (label !== runLabel) {
          if (runLabel !== UNLABELLED) pushRun(runs, runStart, x + 3, y, runLabel);
          [runLabel, runStart] = [label, x + 3];
        }
      }
      offset += width * 3;
    } else {
      for (let x = 0; x < width; x += 1, offset += 3) {
        const red = (data[offset] ?? 0) >> 2;
        const green = (data[offset + 1] ?? 0) >> 2;
        const blue = (data[offset + 2] ?? 0) >> 2;
        const label = table[(red << 12) | (green << 6) | blue] ?? UNLABELLED;
        if (label === runLabel) continue;
        if (runLabel !== UNLABELLED) pushRun(runs, runStart, x, y, runLabel);
        runLabel = label;
        runStart = x;
      }
    }
    if (runLabel !== UNLABELLED) pushRun(runs, runStart, width, y, runLabel);
    linkRows(runs, previousFirst, first);
    previousFirst = first;
  }
  return componentsFromRuns(runs, width, minArea, UNLABELLED);
}
