/**
 * Recover the mask an overlay shows by its blend colour. Overlays blend a colour c into the masked
 * pixels as out = round(alpha·c + (1 − alpha)·pixel) with alpha 0.5 (vision's renderOverlay), so for a
 * masked pixel 2·out − raw ≈ c, and for an untouched pixel 2·out − raw = raw. The colour c is whatever
 * value of 2·out − raw the changed pixels agree on, so no palette needs to be known.
 */
import { createMask, mmevolveError } from '../../core/index.js';
import type { Mask, RgbImage } from '../../core/index.js';
import { connectedComponents } from './components.js';

/** A pixel "changed" when some channel moved at least this much (JPEG q≥90 noise stays below ~6). */
const CHANGE_THRESHOLD = 10;
/** Mask fragments smaller than this are box outlines, label glyphs or noise. */
const MIN_FRAGMENT = 12;

export interface RecoveredOverlay {
  mask: Mask;
  /** The estimated blend colour, undefined when nothing changed. */
  colour: readonly [number, number, number] | undefined;
}

function estimateBlendColour(raw: RgbImage, overlay: RgbImage): readonly [number, number, number] | undefined {
  const counts = new Uint32Array(512);
  const sums = new Float64Array(512 * 3);
  const before = raw.data;
  const after = overlay.data;
  for (let offset = 0; offset < before.length; offset += 3) {
    const red0 = before[offset] ?? 0;
    const green0 = before[offset + 1] ?? 0;
    const blue0 = before[offset + 2] ?? 0;
    const red1 = after[offset] ?? 0;
    const green1 = after[offset + 1] ?? 0;
    const blue1 = after[offset + 2] ?? 0;
    const changed = Math.abs(red1 - red0) >= CHANGE_THRESHOLD || Math.abs(green1 - green0) >= CHANGE_THRESHOLD || Math.abs(blue1 - blue0) >= CHANGE_THRESHOLD;
    if (!changed) continue;
    const red = Math.min(255, Math.max(0, 2 * red1 - red0));
    const green = Math.min(255, Math.max(0, 2 * green1 - green0));
    const blue = Math.min(255, Math.max(0, 2 * blue1 - blue0));
    const bin = ((red >> 5) << 6) | ((green >> 5) << 3) | (blue >> 5);
    counts[bin] = (counts[bin] ?? 0) + 1;
    sums[bin * 3] = (sums[bin * 3] ?? 0) + red;
    sums[bin * 3 + 1] = (sums[bin * 3 + 1] ?? 0) + green;
    sums[bin * 3 + 2] = (sums[bin * 3 + 2] ?? 0) + blue;
  }
  let best = -1;
  let bestCount = 0;
  for (let bin = 0; bin < 512; bin += 1) {
    const count = counts[bin] ?? 0;
    if (count > bestCount) {
      bestCount = count;
      best = bin;
    }
  }
  if (best < 0) return undefined;
  return [
    Math.round((sums[best * 3] ?? 0) / bestCount),
    Math.round((sums[best * 3 + 1] ?? 0) / bestCount),
    Math.round((sums[best * 3 + 2] ?? 0) / bestCount),
  ];
}

/** Candidate state of a pixel painted solid in the overlay colour: mask or not is unknown. */
const PAINTED = 2;
/** A blend explains a pixel only within this squared RGB distance (±30 per channel: JPEG edges). */
const PLAUSIBLE_BLEND = 3 * 30 * 30;
/** Squared RGB distance from raw beyond which a non-blended pixel was repainted (JPEG noise is far below). */
const REPAINTED_DISTANCE = 900;
/** Raw pixels closer than this (sum of channel differences) belong to the same surface. */
const SAME_SURFACE = 40;

/**
 * Box outlines and label tags are painted opaque over the overlay, often on mask pixels (the outline
 * runs inside the mask's box). A painted pixel joins the mask when the raw image continues the surface
 * of an adjacent mask pixel there: masks follow objects, so the growth stops at the object's edge.
 */
function growIntoPainted(candidate: Uint8Array, raw: RgbImage): void {
  const { width, height, data } = raw;
  const queue = new Int32Array(candidate.length);
  let head = 0;
  let tail = 0;
  for (let pixel = 0; pixel < candidate.length; pixel += 1) if (candidate[pixel] === 1) queue[tail++] = pixel;
  while (head < tail) {
    const pixel = queue[head++] ?? 0;
    const x = pixel % width;
    const neighbours = [x > 0 ? pixel - 1 : -1, x < width - 1 ? pixel + 1 : -1, pixel >= width ? pixel - width : -1, pixel < (height - 1) * width ? pixel + width : -1];
    for (const neighbour of neighbours) {
      if (neighbour < 0 || candidate[neighbour] !== PAINTED) continue;
      const difference =
        Math.abs((data[pixel * 3] ?? 0) - (data[neighbour * 3] ?? 0)) +
        Math.abs((data[pixel * 3 + 1] ?? 0) - (data[neighbour * 3 + 1] ?? 0)) +
        Math.abs((data[pixel * 3 + 2] ?? 0) - (data[neighbour * 3 + 2] ?? 0));
      if (difference > SAME_SURFACE) continue;
      candidate[neighbour] = 1;
      queue[tail++] = neighbour;
    }
  }
}

/** Mark background pixels (value 0) reachable from the image border, 4-connected. */
function outsideOf(mask: Uint8Array, width: number, height: number): Uint8Array {
  const outside = new Uint8Array(width * height);
  const stack = new Int32Array(width * height);
  let top = 0;
  const push = (pixel: number): void => {
    if (mask[pixel] !== 0 || outside[pixel] === 1) return;
    outside[pixel] = 1;
    stack[top++] = pixel;
  };
  for (let x = 0; x < width; x += 1) {
    push(x);
    push((height - 1) * width + x);
  }
  for (let y = 0; y < height; y += 1) {
    push(y * width);
    push(y * width + width - 1);
  }
  while (top > 0) {
    const pixel = stack[--top] ?? 0;
    const x = pixel % width;
    if (x > 0) push(pixel - 1);
    if (x < width - 1) push(pixel + 1);
    if (pixel >= width) push(pixel - width);
    if (pixel < (height - 1) * width) push(pixel + width);
  }
  return outside;
}

export function recoverOverlay(raw: RgbImage, overlay: RgbImage): RecoveredOverlay {
  if (raw.width !== overlay.width || raw.height !== overlay.height) {
    throw mmevolveError(
      'size-mismatch',
      `overlay is ${overlay.width}×${overlay.height} but the raw image is ${raw.width}×${raw.height}`,
      'send the overlay at the raw image size',
    );
  }
  const mask = createMask(raw.width, raw.height);
  const colour = estimateBlendColour(raw, overlay);
  if (colour === undefined) return { mask, colour };
  // Nearest of three hypotheses per pixel: blended (out ≈ (c + raw) / 2), untouched (out ≈ raw) or
  // painted solid (out ≈ c: box outlines, label backgrounds). JPEG noise near edges reaches ±20 per
  // channel, so comparing hypotheses beats a fixed tolerance. Ties go to blended (raw ≈ c inside a mask).
  const { width, height } = raw;
  const candidate = new Uint8Array(width * height);
  let x1 = width;
  let y1 = height;
  let x2 = -1;
  let y2 = -1;
  const [targetRed, targetGreen, targetBlue] = colour;
  for (let pixel = 0, offset = 0; pixel < candidate.length; pixel += 1, offset += 3) {
    const red0 = raw.data[offset] ?? 0;
    const green0 = raw.data[offset + 1] ?? 0;
    const blue0 = raw.data[offset + 2] ?? 0;
    const red1 = overlay.data[offset] ?? 0;
    const green1 = overlay.data[offset + 1] ?? 0;
    const blue1 = overlay.data[offset + 2] ?? 0;
    const blendedRed = red1 - (targetRed + red0) / 2;
    const blendedGreen = green1 - (targetGreen + green0) / 2;
    const blendedBlue = blue1 - (targetBlue + blue0) / 2;
    const blended = blendedRed * blendedRed + blendedGreen * blendedGreen + blendedBlue * blendedBlue;
    const untouched = (red1 - red0) ** 2 + (green1 - green0) ** 2 + (blue1 - blue0) ** 2;
    const solid = (red1 - targetRed) ** 2 + (green1 - targetGreen) ** 2 + (blue1 - targetBlue) ** 2;
    if (blended <= untouched && blended <= solid && blended <= PLAUSIBLE_BLEND) {
      candidate[pixel] = 1;
    } else if (solid < untouched || untouched > REPAINTED_DISTANCE) {
      // Painted solid, or repainted otherwise (label text): whether it is under the mask is unknown.
      candidate[pixel] = PAINTED;
    }
  }
  growIntoPainted(candidate, raw);
  for (let pixel = 0; pixel < candidate.length; pixel += 1) {
    if (candidate[pixel] !== 1) {
      candidate[pixel] = 0;
      continue;
    }
    const x = pixel % width;
    const y = (pixel - x) / width;
    if (x < x1) x1 = x;
    if (x > x2) x2 = x;
    if (y < y1) y1 = y;
    if (y > y2) y2 = y;
  }
  if (x2 < 0) return { mask, colour };
  // Clean-up works on the candidates' box (plus a one-pixel frame), not the whole image.
  const left = Math.max(0, x1 - 1);
  const top = Math.max(0, y1 - 1);
  const boxWidth = Math.min(width - 1, x2 + 1) - left + 1;
  const boxHeight = Math.min(height - 1, y2 + 1) - top + 1;
  const local = new Uint8Array(boxWidth * boxHeight);
  for (let y = 0; y < boxHeight; y += 1) local.set(candidate.subarray((top + y) * width + left, (top + y) * width + left + boxWidth), y * boxWidth);
  const kept = new Uint8Array(local.length);
  for (const component of connectedComponents(local, boxWidth, boxHeight, MIN_FRAGMENT, 0)) {
    for (const pixel of component.pixels) kept[pixel] = 1;
  }
  // Fill pinholes that noise left inside the mask (real holes, like a ring's, are far larger).
  const outside = outsideOf(kept, boxWidth, boxHeight);
  const enclosed = new Uint8Array(kept.length);
  for (let pixel = 0; pixel < enclosed.length; pixel += 1) if (kept[pixel] === 0 && outside[pixel] === 0) enclosed[pixel] = 1;
  for (const hole of connectedComponents(enclosed, boxWidth, boxHeight, 0, 0)) {
    if (hole.pixels.length < MIN_FRAGMENT) for (const pixel of hole.pixels) kept[pixel] = 1;
  }
  for (let y = 0; y < boxHeight; y += 1) mask.data.set(kept.subarray(y * boxWidth, (y + 1) * boxWidth), (top + y) * width + left);
  return { mask, colour };
}

/** The mask shown by an overlay of `raw` (see recoverOverlay). */
export function recoverOverlayMask(raw: RgbImage, overlay: RgbImage): Mask {
  return recoverOverlay(raw, overlay).mask;
}
