import { mmevolveError, sameSize } from '../core/index.js';
import type { Mask, RgbImage } from '../core/index.js';
import { drawText, fillRectangle, measureText } from './bitmap-font.js';
import { maskArea, maskBox } from './mask-ops.js';

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
 * Euclidean distances from a pixel colour to each palette colour, remembered per colour in a fixed
 * direct-mapped table shared by every image (a colour's distances depend on nothing else). Each value is
 * exactly what Math.hypot returned for it, so sums over pixels are unchanged; Math.hypot with three
 * arguments cost about 130 ns per call, ten per covered pixel, the most of a sample's overlay work (issue 18).
 */
const DISTANCE_SLOTS = 1 << 16;
const distanceTable = { colours: new Int32Array(0), distances: new Float64Array(0) };

/** Offset in distanceTable.distances of the colour's palette distances (computed on a miss). */
function paletteDistances(red: number, green: number, blue: number): number {
  if (distanceTable.colours.length === 0) {
    distanceTable.colours = new Int32Array(DISTANCE_SLOTS).fill(-1);
    distanceTable.distances = new Float64Array(DISTANCE_SLOTS * OVERLAY_PALETTE.length);
  }
  const colour = (red << 16) | (green << 8) | blue;
  const slot = Math.imul(colour, 0x9e3779b1) >>> 16;
  const offset = slot * OVERLAY_PALETTE.length;
  if (distanceTable.colours[slot] !== colour) {
    OVERLAY_PALETTE.forEach(([r, g, b], paletteIndex) => {
      distanceTable.distances[offset + paletteIndex] = Math.hypot(red - r, green - g, blue - b);
    });
    distanceTable.colours[slot] = colour;
  }
  return offset;
}

/**
 * The palette colour with the largest mean Euclidean RGB distance from the image pixels under the
 * mask, or under the union of the masks (the whole image when that is empty); the earliest palette
 * colour wins ties. Distances are summed per colour in pixel order, whatever the number of masks.
 */
export function chooseOverlayColour(image: RgbImage, mask: Mask | readonly Mask[]): [number, number, number] {
  const masks: readonly Mask[] = Array.isArray(mask) ? mask : [mask as Mask];
  for (const one of masks) checkMaskFits(image, one);
  const pixels = image.width * image.height;
  // The covered pixels as one plane: the mask itself, or a union made once (not tested per pixel per mask).
  const single = masks.length === 1 ? masks[0] : undefined;
  let plane: Uint8Array;
  if (single !== undefined) {
    plane = single.data;
  } else {
    plane = new Uint8Array(pixels);
    for (const one of masks) for (let index = 0; index < pixels; index += 1) if (one.data[index] !== 0) plane[index] = 1;
  }
  const useAll = maskArea({ width: image.width, height: image.height, data: plane }) === 0;
  const paletteSize = OVERLAY_PALETTE.length;
  const totals = new Float64Array(paletteSize);
  const { data } = image;
  for (let index = 0; index < pixels; index += 1) {
    if (!useAll && plane[index] === 0) continue;
    const offset = paletteDistances(data[index * 3] as number, data[index * 3 + 1] as number, data[index * 3 + 2] as number);
    for (let paletteIndex = 0; paletteIndex < paletteSize; paletteIndex += 1) {
      totals[paletteIndex] = (totals[paletteIndex] as number) + (distanceTable.distances[offset + paletteIndex] as number);
    }
  }
  let best = 0;
  for (let paletteIndex = 1; paletteIndex < paletteSize; paletteIndex += 1) {
    if ((totals[paletteIndex] as number) > (totals[best] as number)) best = paletteIndex;
  }
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
  // One mask (the evolve overlays) is blended straight from its own pixels, with no union copy.
  const single = list.length === 1 ? list[0] : undefined;
  if (single !== undefined) checkMaskFits(image, single);
  const union = single ?? unionMask(image, list);
  const colour = options.colour ?? chooseOverlayColour(image, union);
  const output: RgbImage = { width: image.width, height: image.height, data: new Uint8Array(image.data) };
  const covered = union.data;
  const source = image.data;
  const target = output.data;
  const pixels = covered.length;
  for (let index = 0; index < pixels; index += 1) {
    if (covered[index] === 0) continue;
    for (let channel = 0; channel < 3; channel += 1) {
      const offset = index * 3 + channel;
      target[offset] = blendChannel(source[offset] as number, colour[channel] as number, alpha);
    }
  }
  // Outlines and labels need each mask's box; plain overlays skip the scan.
  if (options.outlineBox !== true && (options.labels ?? []).every((label) => label.length === 0)) return output;
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
