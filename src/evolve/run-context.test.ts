import { describe, expect, it } from 'vitest';
import type { Segmenter } from '../core/index.js';
import { encodeRle } from '../vision/index.js';
import { maskHash } from './evaluation.js';
import { createRunContext } from './evolve-segment.js';
import { rectangle, testImage } from './__tests__/support.js';

describe('RunContext mask identity', () => {
  it('shares one Mask object per mask content and encodes each mask object\'s RLE once', () => {
    const context = createRunContext(testImage(), 'the cup', { backends: { segmenter: {} as Segmenter } });
    const first = rectangle(2, 3, 10, 8);
    const copy = rectangle(2, 3, 10, 8);
    const other = rectangle(20, 3, 10, 8);
    const rle = context.rleOf(first);
    expect(rle, 'the RLE of the mask').toEqual(encodeRle(first));
    expect(context.rleOf(first), 'asked again: the same RLE object, not a new encode').toBe(rle);
    expect(context.sameMask(maskHash(rle), first), 'first mask of its content').toBe(first);
    expect(context.sameMask(maskHash(context.rleOf(copy)), copy), 'equal pixels in another object: the first object').toBe(first);
    expect(context.sameMask(maskHash(context.rleOf(other)), other), 'other pixels: its own object').toBe(other);
  });
});
