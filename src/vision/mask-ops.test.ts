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

describe('mask counts over word-aligned and unaligned buffers', () => {
  it('gives area, box and intersection/union equal to a per-pixel count, for aligned buffers, unaligned views, odd lengths and any non-zero value', () => {
    let state = 7;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state >>> 24;
    };
    for (const [width, height] of [
      [7, 5],
      [16, 9],
      [33, 3],
    ] as const) {
      for (const offset of [0, 1, 3]) {
        const view = (density: number): Mask => {
          const backing = new Uint8Array(width * height + offset + 4);
          const data = backing.subarray(offset, offset + width * height);
          for (let index = 0; index < data.length; index += 1) data[index] = next() < density ? (next() % 2 === 0 ? 1 : 255) : 0;
          return { width, height, data };
        };
        const a = view(40);
        const b = view(90);
        const plainArea = (mask: Mask): number => Array.from(mask.data).filter((value) => value !== 0).length;
        let intersection = 0;
        let union = 0;
        for (let index = 0; index < a.data.length; index += 1) {
          if (a.data[index] !== 0 && b.data[index] !== 0) intersection += 1;
          if (a.data[index] !== 0 || b.data[index] !== 0) union += 1;
        }
        const label = `${width}×${height} at byte offset ${offset}`;
        expect(maskArea(a), label).toBe(plainArea(a));
        expect(maskArea(b), label).toBe(plainArea(b));
        expect(maskIntersectionUnion(a, b), label).toEqual({ intersection, union });
        const xs = Array.from(a.data.keys()).filter((index) => a.data[index] !== 0);
        const box = xs.length === 0 ? null : [Math.min(...xs.map((i) => i % width)), Math.min(...xs.map((i) => Math.floor(i / width))), Math.max(...xs.map((i) => i % width)) + 1, Math.max(...xs.map((i) => Math.floor(i / width))) + 1];
        expect(maskBox(a), label).toEqual(box);
      }
    }
  });
});
