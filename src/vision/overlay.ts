import { mmevolveError, sameSize } from '../core/index.js';
import type { Mask, RgbImage } from '../core/index.js';
import { drawText, fillRectangle, measureText } from './bitmap-font.js';
import { maskBox } from './mask-ops.js';

/**
 * Overlays that show masks to a model. Blend, per channel, on mask pixels only:
 *
 *     out = Math.round(alpha * colour + (1 - alpha) * pixel)        (blendChannel)
 *
 * computed in float64 with Math.round (halves round up). A pixel under several masks is blended once.
 * Box outlines and labels are drawn opaque in the same colour afterwards, so those pixels no longer
 * follow the blend formula. The simulated MLLM recovers a mask from (raw, overlay) by testing
 * `overlay === blendChannel(raw, colour, alpha)` on all three channels — use blendChannel for it.
 */

export type RgbColour = readonly [number, number, number];

/** Saturated, mutually distant colours; the first ones are preferred on ties. */
export const OVERLAY_PALETTE: readonly RgbColour[] = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 0],
  [255, 0, 255],
  [0, 255, 255],
  [255, 128, 0],
  [128, 0, 255],
  [0, 255, 128],
  [255, 0, 128],
];

/** Plain English names of the palette colours, as a prompt names an overlay ("the red mask"). */
const OVERLAY_COLOUR_NAMES: readonly string[] = ['red', 'green', 'blue', 'yellow', 'magenta', 'cyan', 'orange', 'purple', 'spring green', 'rose'];

/** The name of a palette colour, or its rgb() notation for a colour outside the palette. */
export function overlayColourName(colour: RgbColour): string {
  const index = OVERLAY_PALETTE.findIndex((entry) => entry[0] === colour[0] && entry[1] === colour[1] && entry[2] === colour[2]);
  return OVERLAY_COLOUR_NAMES[index] ?? `rgb(${colour.join(', ')})`;
}

export const DEFAULT_OVERLAY_ALPHA = 0.5;

export interface OverlayOptions {
  /** Weight of the overlay colour, 0..1 (default 0.5). */
  alpha?: number;
  /** Overlay colour; default chooseOverlayColour(image, union of the masks). */
  colour?: RgbColour;
  /** Draw a 2-px opaque outline along each mask's bounding box (inside the box). */
  outlineBox?: boolean;
  /** Text per mask (e.g. "1", "2"), drawn in a small tag at the top-left of that mask's box. */
  labels?: string[];
}

/** One channel of the overlay blend; exported so consumers reproduce overlays exactly. */
export function blendChannel(pixel: number, colour: number, alpha: number): number {
  return Math.round(alpha * colour + (1 - alpha) * pixel);
}

function checkMaskFits(image: RgbImage, mask: Mask): void {
  if (!sameSize(image, mask)) {
    throw mmevolveError(
      'size-mismatch',
      `mask ${mask.width}x${mask.height} does not match image ${image.width}x${image.height}`,
      'resize the mask to the image size before drawing an overlay',
    );
  }
}

/**
 * The palette colour with the largest mean Euclidean RGB distance from the image pixels under the
 * mask (the whole image when the mask is empty); the earliest palette colour wins ties.
 */
export function chooseOverlayColour(image: RgbImage, mask: Mask): [number, number, number] {
  checkMaskFits(image, mask);
  const useAll = !mask.data.some((value) => value !== 0);
  const totals = OVERLAY_PALETTE.map(() => 0);
  const { data } = image;
  for (let index = 0; index < mask.data.length; index += 1) {
    if (!useAll && mask.data[index] === 0) continue;
    const red = data[index * 3] as number;
    const green = data[index * 3 + 1] as number;
    const blue = data[index * 3 + 2] as number;
    OVERLAY_PALETTE.forEach(([r, g, b], paletteIndex) => {
      totals[paletteIndex] = (totals[paletteIndex] as number) + Math.hypot(red - r, green - g, blue - b);
    });
  }
  let best = 0;
  totals.forEach((total, paletteIndex) => {
    if (total > (totals[best] as number)) best = paletteIndex;
  });
  const [r, g, b] = OVERLAY_PALETTE[best] as RgbColour;
  return [r, g, b];
}

function unionMask(image: RgbImage, masks: Mask[]): Mask {
  const union = { width: image.width, height: image.height, data: new Uint8Array(image.width * image.height) };
  for (const mask of masks) {
    checkMaskFits(image, mask);
    for (let index = 0; index < mask.data.length; index += 1) if (mask.data[index] !== 0) union.data[index] = 1;
  }
  return union;
}

/** Black or white, whichever reads better on `colour` (Rec. 601 luma). */
function textColourOn(colour: RgbColour): RgbColour {
  const luma = 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2];
  return luma > 140 ? [0, 0, 0] : [255, 255, 255];
}

const OUTLINE_WIDTH = 2;
const LABEL_SCALE = 2;
const LABEL_PADDING = 2;

/** A copy of `image` with the masks blended in one colour, plus optional box outlines and labels. */
export function renderOverlay(image: RgbImage, masks: Mask | Mask[], options: OverlayOptions = {}): RgbImage {
  const list = Array.isArray(masks) ? masks : [masks];
  const alpha = options.alpha ?? DEFAULT_OVERLAY_ALPHA;
  if (!(alpha >= 0 && alpha <= 1)) {
    throw mmevolveError('invalid-input', `overlay alpha ${alpha} is outside 0..1`, 'use an alpha such as 0.5');
  }
  const union = unionMask(image, list);
  const colour = options.colour ?? chooseOverlayColour(image, union);
  const output: RgbImage = { width: image.width, height: image.height, data: Uint8Array.from(image.data) };
  for (let index = 0; index < union.data.length; index += 1) {
    if (union.data[index] === 0) continue;
    for (let channel = 0; channel < 3; channel += 1) {
      const offset = index * 3 + channel;
      output.data[offset] = blendChannel(image.data[offset] as number, colour[channel] as number, alpha);
    }
  }
  list.forEach((mask, maskIndex) => {
    const box = maskBox(mask);
    if (box === null) return;
    const [x1, y1, x2, y2] = box;
    if (options.outlineBox === true) {
      fillRectangle(output, x1, y1, x2, y1 + OUTLINE_WIDTH, colour);
      fillRectangle(output, x1, y2 - OUTLINE_WIDTH, x2, y2, colour);
      fillRectangle(output, x1, y1, x1 + OUTLINE_WIDTH, y2, colour);
      fillRectangle(output, x2 - OUTLINE_WIDTH, y1, x2, y2, colour);
    }
    const label = options.labels?.[maskIndex];
    if (label !== undefined && label.length > 0) {
      const size = measureText(label, LABEL_SCALE);
      const tagWidth = size.width + 2 * LABEL_PADDING;
      const tagHeight = size.height + 2 * LABEL_PADDING;
      // Keep the tag inside the image: shift it left/up when the box touches the right/bottom edge.
      const left = Math.max(0, Math.min(x1, image.width - tagWidth));
      const top = Math.max(0, Math.min(y1, image.height - tagHeight));
      fillRectangle(output, left, top, left + tagWidth, top + tagHeight, colour);
      drawText(output, label, left + LABEL_PADDING, top + LABEL_PADDING, textColourOn(colour), LABEL_SCALE);
    }
  });
  return output;
}

/**
 * Panels placed left to right, top-aligned, separated by `gap` pixels of `background`, which also
 * fills below shorter panels.
 */
export function sideBySide(images: RgbImage[], gap = 8, background: RgbColour = [255, 255, 255]): RgbImage {
  if (images.length === 0) {
    throw mmevolveError('invalid-input', 'sideBySide needs at least one image', 'pass the panels to place next to each other');
  }
  const width = images.reduce((sum, image) => sum + image.width, 0) + gap * (images.length - 1);
  const height = Math.max(...images.map((image) => image.height));
  const output: RgbImage = { width, height, data: new Uint8Array(width * height * 3) };
  fillRectangle(output, 0, 0, width, height, background);
  let left = 0;
  for (const image of images) {
    for (let y = 0; y < image.height; y += 1) {
      const source = image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3);
      output.data.set(source, (y * width + left) * 3);
    }
    left += image.width + gap;
  }
  return output;
}
