import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { internvlCandidateGrids, internvlTiling } from './internvl-tiling.js';
import { pythonSetOrder, pythonTupleHash } from './python-set-order.js';

// Printed by CPython 3.11 with InternVL's own expressions (see __fixtures__/make-internvl-golden.py).
const golden = JSON.parse(readFileSync(new URL('./__fixtures__/internvl-golden.json', import.meta.url), 'utf8')) as {
  orders: Record<string, number[][]>;
  tilings: Array<[number, number, number, number, number, number]>;
};

describe('pythonTupleHash', () => {
  it('matches the hash CPython 3.11 prints for small int pairs', () => {
    // `hash((1, 2))` and `hash((4, 1))` in CPython 3.11, read as unsigned 64-bit.
    expect(BigInt.asIntN(64, pythonTupleHash([1, 2]))).toBe(-3550055125485641917n);
    expect(BigInt.asIntN(64, pythonTupleHash([4, 1]))).toBe(159514286966033244n);
  });
});

describe('pythonSetOrder', () => {
  it('drops duplicates and keeps one entry per pair', () => {
    const order = pythonSetOrder([
      [1, 1],
      [1, 2],
      [1, 1],
      [2, 1],
    ]);
    expect(order).toHaveLength(3);
    expect(new Set(order.map((pair) => pair.join(',')))).toEqual(new Set(['1,1', '1,2', '2,1']));
  });
});

describe('internvlCandidateGrids', () => {
  it('lists the default 1..12 grids in the order sorted(set(...)) gives in CPython 3.11', () => {
    // Printed by CPython 3.11 for InternVL's target_ratios expression with min_num=1, max_num=12.
    const python = [
      [1, 1], [1, 2], [2, 1], [3, 1], [1, 3], [2, 2], [4, 1], [1, 4], [5, 1], [1, 5], [1, 6], [6, 1],
      [3, 2], [2, 3], [7, 1], [1, 7], [4, 2], [2, 4], [1, 8], [8, 1], [1, 9], [3, 3], [9, 1], [2, 5],
      [5, 2], [10, 1], [1, 10], [11, 1], [1, 11], [12, 1], [3, 4], [4, 3], [1, 12], [6, 2], [2, 6],
    ];
    expect(internvlCandidateGrids(1, 12)).toEqual(python);
  });

  it('reproduces the CPython order for other bounds, where the table grows differently', () => {
    expect(internvlCandidateGrids(1, 6)).toEqual([
      [1, 1], [1, 2], [2, 1], [3, 1], [1, 3], [4, 1], [1, 4], [2, 2], [1, 5], [5, 1], [6, 1], [2, 3], [1, 6], [3, 2],
    ]);
    expect(internvlCandidateGrids(4, 4)).toEqual([
      [4, 1], [1, 4], [2, 2],
    ]);
  });
});

describe('internvl golden fixtures from CPython', () => {
  it('matches the candidate order for every min/max pair up to 24 tiles', () => {
    const mismatched = Object.entries(golden.orders).filter(([bounds, expected]) => {
      const [minTiles = 0, maxTiles = 0] = bounds.split(':').map(Number);
      return JSON.stringify(internvlCandidateGrids(minTiles, maxTiles)) !== JSON.stringify(expected);
    });
    expect(Object.keys(golden.orders)).toHaveLength(300);
    expect(mismatched.map(([bounds]) => bounds)).toEqual([]);
  });

  it('chooses the same grid as find_closest_aspect_ratio on 600 sizes plus 132 where only the set order decides', () => {
    const mismatched = golden.tilings.filter(([width, height, minTiles, maxTiles, cols, rows]) => {
      const tiling = internvlTiling(width, height, { minTiles, maxTiles });
      return tiling.cols !== cols || tiling.rows !== rows;
    });
    expect(golden.tilings).toHaveLength(732);
    expect(mismatched).toEqual([]);
  });
});

describe('internvlTiling', () => {
  it('uses one tile and no thumbnail for a 448×448 image', () => {
    expect(internvlTiling(448, 448)).toEqual({ cols: 1, rows: 1, numTiles: 1, imageTokens: 256 });
  });

  it('breaks exact ratio ties toward the larger grid only when the image fills half of it', () => {
    // 1:1 ties between 1×1, 2×2 and 3×3. 800² = 640000 > 0.5·448²·4 = 401408 but < 0.5·448²·9 = 903168.
    expect(internvlTiling(800, 800)).toMatchObject({ cols: 2, rows: 2, numTiles: 5, imageTokens: 1280 });
    // 1000² = 1000000 > 903168, so 3×3 wins: 9 tiles + thumbnail.
    expect(internvlTiling(1000, 1000)).toEqual({ cols: 3, rows: 3, numTiles: 10, imageTokens: 2560 });
  });

  it('picks the grid with the closest aspect ratio for common frames', () => {
    expect(internvlTiling(1920, 1080)).toMatchObject({ cols: 4, rows: 2, numTiles: 9 });
    expect(internvlTiling(1080, 1920)).toMatchObject({ cols: 2, rows: 4, numTiles: 9 });
    expect(internvlTiling(640, 480)).toMatchObject({ cols: 4, rows: 3, numTiles: 13, imageTokens: 13 * 256 });
    expect(internvlTiling(4000, 100)).toMatchObject({ cols: 12, rows: 1 });
    expect(internvlTiling(300, 900)).toMatchObject({ cols: 1, rows: 3 });
  });

  it('resolves a tie between equal-tile grids in CPython set order (min = max = 4, ratio 2.5)', () => {
    // 4/1 and 2/2 are both 1.5 from 2.5. Python visits (4, 1) before (2, 2): a small image keeps (4, 1) ...
    expect(internvlTiling(20, 8, { minTiles: 4, maxTiles: 4 })).toMatchObject({ cols: 4, rows: 1 });
    // ... and a large one (625000 > 401408 pixels) lets the later (2, 2) replace it.
    expect(internvlTiling(1250, 500, { minTiles: 4, maxTiles: 4 })).toMatchObject({ cols: 2, rows: 2 });
  });

  it('respects max tiles and rejects inconsistent bounds', () => {
    expect(internvlTiling(4000, 100, { maxTiles: 6 })).toMatchObject({ cols: 6, rows: 1, numTiles: 7 });
    expect(() => internvlTiling(100, 100, { minTiles: 3, maxTiles: 2 })).toThrow(/inconsistent/);
    expect(() => internvlTiling(0, 100)).toThrow(/positive integer/);
  });
});
