/**
 * Canonical image, mask and box types. Every model convention (resized frames, 0–1000 boxes) converts
 * to and from these at the edge; inside mmevolve everything is in the original image frame.
 */

/** 8-bit RGB, row-major, interleaved: data.length === width * height * 3. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/**
 * A binary mask, row-major, one byte per pixel: 0 = background, 1 = foreground.
 * Ground-truth label maps use the same shape with 255 = ignore (see LabelMap).
 */
export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Ground truth for scoring: 0 background, 1 target, 255 ignore (excluded from gIoU/cIoU). */
export type LabelMap = Mask;

export const IGNORE_LABEL = 255;

/**
 * Box [x1, y1, x2, y2] in absolute pixels of the original image, pixel-edge coordinates: a mask whose
 * foreground spans columns 3..5 has x1 = 3 and x2 = 6. Values may be fractional (model output).
 */
export type Box = readonly [x1: number, y1: number, x2: number, y2: number];

export interface Size {
  readonly width: number;
  readonly height: number;
}

export function createMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height) };
}

export function sameSize(a: Size, b: Size): boolean {
  return a.width === b.width && a.height === b.height;
}
