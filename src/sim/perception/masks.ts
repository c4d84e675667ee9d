/** Small mask helpers the simulated servers share: an object's mask and IoU between masks. */
import { createMask } from '../../core/index.js';
import type { Mask } from '../../core/index.js';

export function objectMask(width: number, height: number, pixels: Int32Array | readonly number[]): Mask {
  const mask = createMask(width, height);
  for (const pixel of pixels) mask.data[pixel] = 1;
  return mask;
}

/** Intersection over union of the foregrounds; 0 when both are empty. */
export function maskIou(a: Mask, b: Mask): number {
  let intersection = 0;
  let union = 0;
  const length = Math.min(a.data.length, b.data.length);
  for (let index = 0; index < length; index += 1) {
    const inA = a.data[index] !== 0;
    const inB = b.data[index] !== 0;
    if (inA && inB) intersection += 1;
    if (inA || inB) union += 1;
  }
  return union === 0 ? 0 : intersection / union;
}
