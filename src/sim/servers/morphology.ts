/** Boundary noise for simulated masks: erosion and dilation by whole pixels (4-neighbourhood). */
import type { Box, Mask } from '../../core/index.js';

interface Window {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Bounding window of the foreground grown by `margin` (clamped), or undefined for an empty mask. */
function foregroundWindow(mask: Mask, margin: number): Window | undefined {
  let x1 = mask.width;
  let y1 = mask.height;
  let x2 = -1;
  let y2 = -1;
  for (let y = 0; y < mask.height; y += 1) {
    const row = y * mask.width;
    for (let x = 0; x < mask.width; x += 1) {
      if (mask.data[row + x] !== 1) continue;
      if (x < x1) x1 = x;
      if (x > x2) x2 = x;
      if (y < y1) y1 = y;
      if (y > y2) y2 = y;
    }
  }
  if (x2 < 0) return undefined;
  return { x1: Math.max(0, x1 - margin), y1: Math.max(0, y1 - margin), x2: Math.min(mask.width - 1, x2 + margin), y2: Math.min(mask.height - 1, y2 + margin) };
}

/** One step inside the window: dilate (grow) or erode (shrink) by one pixel. */
function step(mask: Mask, grow: boolean, window: Window): Mask {
  const { width, height } = mask;
  const next = mask.data.slice();
  for (let y = window.y1; y <= window.y2; y += 1) {
    for (let x = window.x1; x <= window.x2; x += 1) {
      const index = y * width + x;
      const inside = mask.data[index] === 1;
      if (grow === inside) continue;
      const left = x > 0 && mask.data[index - 1] === 1;
      const right = x < width - 1 && mask.data[index + 1] === 1;
      const up = y > 0 && mask.data[index - width] === 1;
      const down = y < height - 1 && mask.data[index + width] === 1;
      if (grow ? left || right || up || down : !(left && right && up && down)) next[index] = grow ? 1 : 0;
    }
  }
  return { width, height, data: next };
}

/** The foreground's box [x1, y1, x2, y2] (x2, y2 exclusive) grown by `margin` (clamped) as a window. */
function boxWindow(mask: Mask, box: Box, margin: number): Window | undefined {
  if (box[2] <= box[0] || box[3] <= box[1]) return undefined;
  return { x1: Math.max(0, box[0] - margin), y1: Math.max(0, box[1] - margin), x2: Math.min(mask.width - 1, box[2] - 1 + margin), y2: Math.min(mask.height - 1, box[3] - 1 + margin) };
}

/**
 * Positive radius dilates, negative erodes. `foreground`, when the caller knows it, is the exact
 * pixel-edge box of the mask's foreground: it spares a scan of the whole mask (issue 4).
 */
export function morph(mask: Mask, radius: number, foreground?: Box): Mask {
  const window = foreground === undefined ? foregroundWindow(mask, Math.abs(radius)) : boxWindow(mask, foreground, Math.abs(radius));
  if (window === undefined) return mask;
  let current = mask;
  for (let count = 0; count < Math.abs(radius); count += 1) current = step(current, radius > 0, window);
  return current;
}
