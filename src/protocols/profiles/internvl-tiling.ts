import { mmevolveError } from '../../core/index.js';
import { pythonSetOrder } from './python-set-order.js';

/**
 * InternVL dynamic tiling (`dynamic_preprocess` + `find_closest_aspect_ratio` in the InternVL model repos'
 * modeling/chat code, used unchanged by InternVL3.5): the image is resized to a grid of 448-px tiles whose
 * cols/rows ratio is closest to the image's, plus a 448×448 thumbnail when the grid has more than one tile.
 * See /work/shared/REFERENCE.md "InternVL tiling".
 */
export interface InternvlTilingOptions {
  minTiles?: number;
  maxTiles?: number;
  tileSize?: number;
}

export interface InternvlTiling {
  cols: number;
  rows: number;
  /** cols · rows, plus one thumbnail when cols · rows > 1 (InternVL's load_image uses use_thumbnail=True). */
  numTiles: number;
  /** 256 tokens per 448-px tile after pixel shuffle (InternVL config: num_image_token = 256). */
  imageTokens: number;
}

export const INTERNVL_DEFAULT_MIN_TILES = 1;
export const INTERNVL_DEFAULT_MAX_TILES = 12;
export const INTERNVL_TILE_SIZE = 448;
export const INTERNVL_TOKENS_PER_TILE = 256;

const candidateCache = new Map<string, ReadonlyArray<readonly [number, number]>>();

/**
 * `sorted(set((i, j) for n in range(min, max + 1) for i in range(1, n + 1) for j in range(1, n + 1)
 * if min <= i * j <= max), key=lambda x: x[0] * x[1])` — including CPython's set order among grids with
 * the same tile count, which decides exact ties.
 */
export function internvlCandidateGrids(minTiles: number, maxTiles: number): ReadonlyArray<readonly [number, number]> {
  const cacheKey = `${minTiles}:${maxTiles}`;
  const cached = candidateCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const generated: Array<readonly [number, number]> = [];
  for (let count = minTiles; count <= maxTiles; count += 1) {
    for (let cols = 1; cols <= count; cols += 1) {
      for (let rows = 1; rows <= count; rows += 1) {
        const product = cols * rows;
        if (product <= maxTiles && product >= minTiles) generated.push([cols, rows]);
      }
    }
  }
  // Array.prototype.sort is stable (ES2019), like Python's sorted.
  const ordered = pythonSetOrder(generated).sort((a, b) => a[0] * a[1] - b[0] * b[1]);
  candidateCache.set(cacheKey, ordered);
  return ordered;
}

export function internvlTiling(width: number, height: number, options: InternvlTilingOptions = {}): InternvlTiling {
  const minTiles = options.minTiles ?? INTERNVL_DEFAULT_MIN_TILES;
  const maxTiles = options.maxTiles ?? INTERNVL_DEFAULT_MAX_TILES;
  const tileSize = options.tileSize ?? INTERNVL_TILE_SIZE;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw mmevolveError(
      'invalid-input',
      `InternVL tiling needs positive integer sides, got ${width}×${height}`,
      'Pass the image width and height in pixels.',
    );
  }
  if (!Number.isInteger(minTiles) || !Number.isInteger(maxTiles) || minTiles < 1 || maxTiles < minTiles) {
    throw mmevolveError(
      'invalid-input',
      `InternVL tile bounds are inconsistent: min ${minTiles}, max ${maxTiles}`,
      'Use integers with 1 ≤ min tiles ≤ max tiles.',
    );
  }
  const [cols, rows] = closestGrid(width, height, internvlCandidateGrids(minTiles, maxTiles), tileSize);
  const blocks = cols * rows;
  const numTiles = blocks > 1 ? blocks + 1 : blocks;
  return { cols, rows, numTiles, imageTokens: numTiles * INTERNVL_TOKENS_PER_TILE };
}

/** find_closest_aspect_ratio, line for line; float64 arithmetic like Python's floats. */
function closestGrid(
  width: number,
  height: number,
  candidates: ReadonlyArray<readonly [number, number]>,
  tileSize: number,
): readonly [number, number] {
  const aspectRatio = width / height;
  const area = width * height;
  let bestDifference = Number.POSITIVE_INFINITY;
  let best: readonly [number, number] = [1, 1];
  for (const candidate of candidates) {
    const difference = Math.abs(aspectRatio - candidate[0] / candidate[1]);
    if (difference < bestDifference) {
      bestDifference = difference;
      best = candidate;
    } else if (difference === bestDifference && area > 0.5 * tileSize * tileSize * candidate[0] * candidate[1]) {
      // Exact tie: a later (larger) grid wins only if the image has enough pixels to fill half of it.
      best = candidate;
    }
  }
  return best;
}
