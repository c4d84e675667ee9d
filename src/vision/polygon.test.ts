import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isMmevolveError, createMask } from '../core/index.js';
import type { Mask } from '../core/index.js';
import { DEFAULT_OPENCV_DRAWING_VERSION, fillPolygon, rasterizePolygon, truncatePoints } from './polygon.js';

interface PolygonFixture {
  name: string;
  width: number;
  height: number;
  points: Array<[number, number]>;
  runs: number[];
}

const fixtures = JSON.parse(
  readFileSync(new URL('./__fixtures__/polygons.json', import.meta.url), 'utf8'),
) as { opencv: string; cases: PolygonFixture[] };

interface VersionRuns {
  opencv: string;
  runs: number[][];
}

function readRuns(name: string): VersionRuns {
  return JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8')) as VersionRuns;
}

const opencv48 = readRuns('polygons-opencv-4.8.json');
const opencv412 = readRuns('polygons-opencv-4.12.json');

/** Row-major runs alternating 0/1 from zeros: the same encoding scripts/fixtures/polygons.py writes. */
function rowMajorRuns(mask: Mask): number[] {
  const runs: number[] = [];
  let current = 0;
  let length = 0;
  for (const value of mask.data) {
    const bit = value === 0 ? 0 : 1;
    if (bit === current) {
      length += 1;
    } else {
      runs.push(length);
      current = bit;
      length = 1;
    }
  }
  runs.push(length);
  return runs;
}

function picture(mask: Mask): string {
  const rows: string[] = [];
  for (let y = 0; y < mask.height; y += 1) {
    rows.push(Array.from(mask.data.subarray(y * mask.width, (y + 1) * mask.width), (v) => (v ? '#' : '.')).join(''));
  }
  return rows.join('\n');
}

describe('fillPolygon', () => {
  it.each([
    ['4.6', fixtures.opencv, fixtures.cases.map((fixture) => fixture.runs)],
    ['4.8', opencv48.opencv, opencv48.runs],
    ['4.12', opencv412.opencv, opencv412.runs],
  ] as const)('reproduces OpenCV %s (golden: %s) polylines + fillPoly on every golden polygon', (version, _source, expectedRuns) => {
    expect(fixtures.cases.length).toBeGreaterThanOrEqual(300);
    expect(expectedRuns.length).toBe(fixtures.cases.length);
    const failures: string[] = [];
    fixtures.cases.forEach((fixture, index) => {
      const mask = rasterizePolygon({ width: fixture.width, height: fixture.height }, fixture.points, 1, { opencv: version });
      if (rowMajorRuns(mask).join(',') !== expectedRuns[index]?.join(',')) {
        failures.push(`${fixture.name} (${fixture.width}x${fixture.height}) points ${JSON.stringify(fixture.points)}`);
      }
    });
    expect(failures, `masks differing from OpenCV ${version}:\n${failures.slice(0, 20).join('\n')}`).toEqual([]);
  });

  it('defaults to LISA\'s pinned OpenCV 4.8, which differs from 4.6 on part of the fixtures', () => {
    expect(DEFAULT_OPENCV_DRAWING_VERSION).toBe('4.8');
    let differing = 0;
    fixtures.cases.forEach((fixture, index) => {
      const size = { width: fixture.width, height: fixture.height };
      const byDefault = rowMajorRuns(rasterizePolygon(size, fixture.points)).join(',');
      expect(byDefault, `${fixture.name}: default drawing differs from OpenCV.js 4.8`).toBe(opencv48.runs[index]?.join(','));
      if (opencv48.runs[index]?.join(',') !== fixture.runs.join(',')) differing += 1;
    });
    expect(differing, 'the fixtures exercise the 4.6 → 4.8 change').toBeGreaterThan(20);
  });

  it('includes the boundary pixels of an axis-aligned square', () => {
    const mask = rasterizePolygon({ width: 5, height: 5 }, [[1, 1], [3, 1], [3, 3], [1, 3]]);
    expect(picture(mask)).toBe(['.....', '.###.', '.###.', '.###.', '.....'].join('\n'));
  });

  it('draws a single vertex as one pixel and a two-vertex polygon as a line', () => {
    expect(picture(rasterizePolygon({ width: 3, height: 3 }, [[1, 2]]))).toBe(['...', '...', '.#.'].join('\n'));
    expect(picture(rasterizePolygon({ width: 4, height: 4 }, [[0, 0], [3, 3]]))).toBe(
      ['#...', '.#..', '..#.', '...#'].join('\n'),
    );
  });

  it('writes the given value and leaves other pixels untouched', () => {
    const mask = createMask(4, 3);
    mask.data.fill(7);
    fillPolygon(mask, [[0, 0], [1, 0], [1, 1], [0, 1]], 255);
    expect(Array.from(mask.data)).toEqual([255, 255, 7, 7, 255, 255, 7, 7, 7, 7, 7, 7]);
  });

  it('clips a polygon larger than a 1x1 canvas to its single pixel', () => {
    const mask = rasterizePolygon({ width: 1, height: 1 }, [[-4, -4], [9, -4], [9, 9], [-4, 9]]);
    expect(Array.from(mask.data)).toEqual([1]);
  });

  it('draws nothing for an empty point list or an empty canvas', () => {
    expect(Array.from(rasterizePolygon({ width: 2, height: 2 }, []).data)).toEqual([0, 0, 0, 0]);
    expect(rasterizePolygon({ width: 0, height: 3 }, [[0, 0], [1, 1], [0, 2]]).data.length).toBe(0);
  });

  it('rejects fractional vertices with invalid-input and a hint to truncate', () => {
    let caught: unknown;
    try {
      rasterizePolygon({ width: 4, height: 4 }, [[0.5, 1], [3, 1], [2, 3]]);
    } catch (error) {
      caught = error;
    }
    expect(isMmevolveError(caught) && caught.code).toBe('invalid-input');
    expect(isMmevolveError(caught) && caught.hint).toMatch(/truncate/);
  });

  it('rejects vertices so far away that fixed-point arithmetic would lose exactness', () => {
    let caught: unknown;
    try {
      rasterizePolygon({ width: 4, height: 4 }, [[0, 0], [1_000_000, 1], [2, 3]]);
    } catch (error) {
      caught = error;
    }
    expect(isMmevolveError(caught) && caught.code).toBe('invalid-input');
  });
});

describe('truncatePoints', () => {
  it('truncates toward zero like numpy int32 casting, including negative coordinates', () => {
    expect(truncatePoints([[1.9, -0.5], [-2.7, 3.0], [0.99, 5.5]])).toEqual([[1, 0], [-2, 3], [0, 5]]);
  });

  it('rejects non-finite coordinates', () => {
    expect(() => truncatePoints([[Number.NaN, 1]])).toThrow(/not a finite number/);
  });
});
