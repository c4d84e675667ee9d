import { mmevolveError } from '../../core/index.js';
import type { ResizedSize } from './smart-resize.js';
import { roundHalfToEven, smartResize } from './smart-resize.js';

/**
 * The resize rules of families whose processors differ from transformers' Qwen2-VL `smart_resize`
 * (smart-resize.ts). Each mirrors its upstream function line by line; Python's `round` is half to even and
 * `int()` truncates, and both are reproduced here.
 */
export interface ResizeBounds {
  minPixels: number;
  maxPixels: number;
}

export type ResizeRule = (height: number, width: number, bounds: ResizeBounds) => ResizedSize;

const MAX_ASPECT_RATIO = 200;

function checkInput(height: number, width: number, bounds: ResizeBounds, family: string): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw mmevolveError('invalid-input', `${family} resize needs positive integer sides, got ${width}×${height}`, 'Pass the image width and height in pixels.');
  }
  if (!(bounds.minPixels >= 0) || !(bounds.maxPixels > 0) || bounds.minPixels > bounds.maxPixels) {
    throw mmevolveError(
      'invalid-input',
      `${family} resize bounds are inconsistent: min pixels ${bounds.minPixels}, max pixels ${bounds.maxPixels}`,
      'Use 0 ≤ min pixels ≤ max pixels.',
    );
  }
}

function checkAspect(height: number, width: number, family: string): void {
  const aspectRatio = Math.max(height, width) / Math.min(height, width);
  if (aspectRatio > MAX_ASPECT_RATIO) {
    throw mmevolveError(
      'invalid-input',
      `absolute aspect ratio must be at most ${MAX_ASPECT_RATIO}, got ${aspectRatio} for ${width}×${height}`,
      `Crop or pad the image: the ${family} image processor rejects aspect ratios above 200.`,
    );
  }
}

/** The Qwen2-VL rule of transformers (factor 28 or 32), as a ResizeRule. */
export function transformersSmartResize(factor: number): ResizeRule {
  return (height, width, bounds) => smartResize(height, width, { factor, ...bounds });
}

/** qwen-vl-utils' `smart_resize` (first rounding at least one factor), as a ResizeRule. */
export function qwenVlUtilsSmartResize(factor: number): ResizeRule {
  return (height, width, bounds) => smartResize(height, width, { factor, ...bounds, atLeastFactor: true });
}

/**
 * GLM-4.1V / GLM-4.5V: transformers `models/glm4v/image_processing_glm4v.py` `smart_resize`, called for an
 * image with `num_frames = temporal_factor = 2` (the image is repeated over the temporal patch). So the
 * pixel bounds are compared with 2·h·w, and sides under the factor are first scaled up (with `int()`).
 */
export function glm4vSmartResize(height: number, width: number, bounds: ResizeBounds, factor = 28, temporalFactor = 2): ResizedSize {
  checkInput(height, width, bounds, 'GLM-4.5V');
  const numFrames = temporalFactor;
  let h = height;
  let w = width;
  if (h < factor || w < factor) {
    const scale = Math.max(factor / h, factor / w);
    h = Math.trunc(h * scale);
    w = Math.trunc(w * scale);
  }
  checkAspect(h, w, 'GLM-4.5V');
  let hBar = roundHalfToEven(h / factor) * factor;
  let wBar = roundHalfToEven(w / factor) * factor;
  const tBar = roundHalfToEven(numFrames / temporalFactor) * temporalFactor;
  if (tBar * hBar * wBar > bounds.maxPixels) {
    const beta = Math.sqrt((numFrames * h * w) / bounds.maxPixels);
    hBar = Math.max(factor, Math.floor(h / beta / factor) * factor);
    wBar = Math.max(factor, Math.floor(w / beta / factor) * factor);
  } else if (tBar * hBar * wBar < bounds.minPixels) {
    const beta = Math.sqrt(bounds.minPixels / (numFrames * h * w));
    hBar = Math.ceil((h * beta) / factor) * factor;
    wBar = Math.ceil((w * beta) / factor) * factor;
  }
  return { height: hBar, width: wBar };
}

/**
 * Keye-VL's image processor (`keye-vl-8b-preview/image_processing_keye.py` `smart_resize`): a side under the
 * factor is set to the factor and the other scaled with it (Python `round`); the downscale branch has no
 * `max(factor, …)` floor.
 */
export function keyeProcessorSmartResize(height: number, width: number, bounds: ResizeBounds, factor = 28): ResizedSize {
  checkInput(height, width, bounds, 'Keye-VL');
  let h = height;
  let w = width;
  if (h < factor) {
    w = roundHalfToEven((w * factor) / h);
    h = factor;
  }
  if (w < factor) {
    h = roundHalfToEven((h * factor) / w);
    w = factor;
  }
  checkAspect(h, w, 'Keye-VL');
  let hBar = roundHalfToEven(h / factor) * factor;
  let wBar = roundHalfToEven(w / factor) * factor;
  if (hBar * wBar > bounds.maxPixels) {
    const beta = Math.sqrt((h * w) / bounds.maxPixels);
    hBar = Math.floor(h / beta / factor) * factor;
    wBar = Math.floor(w / beta / factor) * factor;
  } else if (hBar * wBar < bounds.minPixels) {
    const beta = Math.sqrt(bounds.minPixels / (h * w));
    hBar = Math.ceil((h * beta) / factor) * factor;
    wBar = Math.ceil((w * beta) / factor) * factor;
  }
  return { height: hBar, width: wBar };
}

/** keye-vl-utils' defaults (`vision_process.py`: IMAGE_FACTOR 28, MIN_PIXELS 4·28², MAX_PIXELS 16384·28²). */
export const KEYE_VL_UTILS_BOUNDS: ResizeBounds = { minPixels: 4 * 28 * 28, maxPixels: 16384 * 28 * 28 };

/**
 * What Keye-VL's README pipeline does to an image: keye-vl-utils `fetch_image` resizes it (qwen-vl-utils rule,
 * its own bounds), then the processor resizes that result again with the processor's bounds.
 */
export function keyePipelineResize(height: number, width: number, processorBounds: ResizeBounds): ResizedSize {
  const fetched = qwenVlUtilsSmartResize(28)(height, width, KEYE_VL_UTILS_BOUNDS);
  return keyeProcessorSmartResize(fetched.height, fetched.width, processorBounds);
}
