import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { boxRunLengths, polygonRunLengths } from './coco-polygon.js';
import { rleCountsFromString } from './rle.js';

// Written by src/eval/datasets/__fixtures__/make-refer-fixture.py with pycocotools 2.0.11 (frPyObjects).
const here = path.dirname(fileURLToPath(import.meta.url));
const golden = JSON.parse(readFileSync(path.join(here, '..', 'eval', 'datasets', '__fixtures__', 'refer-golden.json'), 'utf8')) as {
  polygons: { height: number; width: number; xy: number[]; counts: string }[];
  box: { height: number; width: number; box: [number, number, number, number]; counts: string };
};

describe('polygonRunLengths', () => {
  it('matches pycocotools frPyObjects on 60 random polygons, including vertices outside the image', () => {
    const mismatched = golden.polygons
      .map((polygon, index) => ({ index, ours: polygonRunLengths(polygon.xy, polygon.height, polygon.width), theirs: rleCountsFromString(polygon.counts) }))
      .filter(({ ours, theirs }) => JSON.stringify(ours) !== JSON.stringify(theirs))
      .map(({ index }) => index);
    expect(mismatched, 'polygons whose runs differ from pycocotools').toEqual([]);
  });

  it('fills a 2×2 square at integer corners the way pycocotools does (left/top edge in, right/bottom out)', () => {
    // frPyObjects([[1,1, 3,1, 3,3, 1,3]], 4, 4) → columns 1 and 2, rows 1 and 2: runs 5,2,2,2,5.
    expect(polygonRunLengths([1, 1, 3, 1, 3, 3, 1, 3], 4, 4)).toEqual([5, 2, 2, 2, 5]);
  });

  it('rasterises a box as pycocotools frBbox does', () => {
    expect(boxRunLengths(golden.box.box, golden.box.height, golden.box.width)).toEqual(rleCountsFromString(golden.box.counts));
  });
});
