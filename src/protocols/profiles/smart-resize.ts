import { mmevolveError } from '../../core/index.js';

/**
 * Qwen's `smart_resize`, as in transformers' Qwen2-VL image processor (used unchanged by Qwen2.5-VL and,
 * with factor 32, by Qwen3-VL): round both sides to the factor, then rescale the area into
 * [minPixels, maxPixels]. Every step below mirrors one line of the Python function; see
 * /work/shared/REFERENCE.md "Qwen smart_resize".
 */
export interface SmartResizeOptions {
  /** patch size × spatial merge size: 28 for Qwen2/2.5-VL (14 × 2), 32 for Qwen3-VL (16 × 2). */
  factor: number;
  minPixels: number;
  maxPixels: number;
  /**
   * qwen-vl-utils' variant (also copied by NEO, Seed1.5-VL's cookbook and keye-vl-utils): the first rounding is
   * `max(factor, round_by_factor(side))`, so a side under half the factor does not round to 0.
   */
  atLeastFactor?: boolean;
}

export interface ResizedSize {
  height: number;
  width: number;
}

/** transformers image_processing_qwen2_vl.py raises above this ratio of the long to the short side. */
const MAX_ASPECT_RATIO = 200;

/**
 * Python 3's `round(x)` for a float: round half to even (22.5 → 22, 23.5 → 24), unlike `Math.round`.
 * `x - floor(x)` is exact for doubles, so the tie test is exact too.
 */
export function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function smartResize(height: number, width: number, options: SmartResizeOptions): ResizedSize {
  const { factor, minPixels, maxPixels } = options;
  if (!isPositiveInteger(height) || !isPositiveInteger(width)) {
    throw mmevolveError(
      'invalid-input',
      `smart_resize needs positive integer sides, got ${width}×${height}`,
      'Pass the image width and height in pixels.',
    );
  }
  if (!isPositiveInteger(factor) || !(minPixels >= 0) || !(maxPixels > 0) || minPixels > maxPixels) {
    throw mmevolveError(
      'invalid-input',
      `smart_resize options are inconsistent: factor ${factor}, min pixels ${minPixels}, max pixels ${maxPixels}`,
      'Use a positive integer factor and 0 ≤ min pixels ≤ max pixels.',
    );
  }
  const aspectRatio = Math.max(height, width) / Math.min(height, width);
  if (aspectRatio > MAX_ASPECT_RATIO) {
    throw mmevolveError(
      'invalid-input',
      `absolute aspect ratio must be at most ${MAX_ASPECT_RATIO}, got ${aspectRatio} for ${width}×${height}`,
      'Crop or pad the image: Qwen image processors reject aspect ratios above 200.',
    );
  }
  const floorSide = options.atLeastFactor === true ? factor : 0;
  let resizedHeight = Math.max(floorSide, roundHalfToEven(height / factor) * factor);
  let resizedWidth = Math.max(floorSide, roundHalfToEven(width / factor) * factor);
  if (resizedHeight * resizedWidth > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    resizedHeight = Math.max(factor, Math.floor(height / beta / factor) * factor);
    resizedWidth = Math.max(factor, Math.floor(width / beta / factor) * factor);
  } else if (resizedHeight * resizedWidth < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    resizedHeight = Math.ceil((height * beta) / factor) * factor;
    resizedWidth = Math.ceil((width * beta) / factor) * factor;
  }
  return { height: resizedHeight, width: resizedWidth };
}

function isPositiveInteger(value: number): boolean {
  return Number.isInteger(value) && value > 0;
}
