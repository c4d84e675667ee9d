import { describe, expect, it } from 'vitest';
import { createMask, isMmevolveError } from '../core/index.js';
import type { Mask } from '../core/index.js';
import {
  connectedComponents,
  maskArea,
  maskBox,
  maskIntersectionUnion,
  maskIou,
  orMasks,
  removeSmallComponents,
} from './mask-ops.js';
import { encodeRle, rleBox, rleIntersectionUnion } from './rle.js';

function maskFromRows(rows: string[]): Mask {
  const mask = createMask(rows[0]?.length ?? 0, rows.length);
  rows.forEach((row, y) => [...row].forEach((cell, x) => (mask.data[y * mask.width + x] = cell === '#' ? 1 : 0)));
  return mask;
}

function rows(mask: Mask): string[] {
  const result: string[] = [];
  for (let y = 0; y < mask.height; y += 1) {
    result.push(Array.from(mask.data.subarray(y * mask.width, (y + 1) * mask.width), (v) => (v ? '#' : '.')).join(''));
  }
  return result;
}

function thrownCode(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return isMmevolveError(error) ? error.code : 'not an MmevolveError';
  }
  return undefined;
}

describe('mask operations', () => {
  it('measures area and a pixel-edge box of an odd-sized mask', () => {
    const mask = maskFromRows(['.....', '..#..', '.##..', '.....', '...#.', '.....', '.....']);
    expect(maskArea(mask)).toBe(4);
    expect(maskBox(mask)).toEqual([1, 1, 4, 5]);
  });

  it('returns null box and zero area for empty masks, the full frame for full masks, and handles 1x1', () => {
    expect(maskBox(createMask(3, 2))).toBeNull();
    expect(maskArea(createMask(3, 2))).toBe(0);
    const full = maskFromRows(['###', '###']);
    expect(maskBox(full)).toEqual([0, 0, 3, 2]);
    expect(maskBox(maskFromRows(['#']))).toEqual([0, 0, 1, 1]);
    expect(maskBox(maskFromRows(['.']))).toBeNull();
  });

  it('agrees with the run-based RLE box and intersection/union on a pseudo-random mask', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const a = createMask(37, 23);
    const b = createMask(37, 23);
    for (let index = 0; index < a.data.length; index += 1) {
      a.data[index] = random() < 0.3 ? 1 : 0;
      b.data[index] = random() < 0.6 ? 1 : 0;
    }
    expect(maskBox(a)).toEqual(rleBox(encodeRle(a)));
    expect(maskIntersectionUnion(a, b)).toEqual(rleIntersectionUnion(encodeRle(a), encodeRle(b)));
  });

  it('computes IoU, with 0 for two empty masks', () => {
    const a = maskFromRows(['##.', '...']);
    const b = maskFromRows(['.##', '...']);
    expect(maskIntersectionUnion(a, b)).toEqual({ intersection: 1, union: 3 });
    expect(maskIou(a, b)).toBeCloseTo(1 / 3, 15);
    expect(maskIou(createMask(2, 2), createMask(2, 2))).toBe(0);
    expect(maskIou(maskFromRows(['##']), maskFromRows(['##']))).toBe(1);
  });

  it('ORs masks into a 0/1 mask and needs a size for an empty list', () => {
    const a = maskFromRows(['#..', '...']);
    const b = maskFromRows(['...', '..#']);
    b.data[5] = 255;
    expect(rows(orMasks([a, b]))).toEqual(['#..', '..#']);
    expect(Array.from(orMasks([a, b]).data)).toEqual([1, 0, 0, 0, 0, 1]);
    expect(rows(orMasks([], { width: 2, height: 1 }))).toEqual(['..']);
    expect(thrownCode(() => orMasks([]))).toBe('invalid-input');
  });

  it('throws size-mismatch when sizes differ', () => {
    expect(thrownCode(() => maskIou(createMask(2, 3), createMask(3, 2)))).toBe('size-mismatch');
    expect(thrownCode(() => orMasks([createMask(2, 2)], { width: 3, height: 3 }))).toBe('size-mismatch');
  });

  it('treats diagonal neighbours as connected (8-connectivity)', () => {
    const mask = maskFromRows(['#....', '.#..#', '..#..', '.....', '##...']);
    const components = connectedComponents(mask);
    expect(components.map(rows)).toEqual([
      ['#....', '.#...', '..#..', '.....', '.....'],
      ['.....', '....#', '.....', '.....', '.....'],
      ['.....', '.....', '.....', '.....', '##...'],
    ]);
  });

  it('removes components smaller than the threshold and keeps the rest', () => {
    const mask = maskFromRows(['##..#', '##...', '.....', '...##']);
    expect(rows(removeSmallComponents(mask, 2))).toEqual(['##...', '##...', '.....', '...##']);
    expect(rows(removeSmallComponents(mask, 4))).toEqual(['##...', '##...', '.....', '.....']);
    expect(rows(removeSmallComponents(mask, 0))).toEqual(rows(mask));
    expect(connectedComponents(createMask(0, 0))).toEqual([]);
  });
});
