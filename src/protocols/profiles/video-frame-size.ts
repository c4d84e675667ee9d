/**
 * The size each video frame is resized to, apart from the image rule: qwen-vl-utils `fetch_video`
 * (QwenLM/Qwen3-VL qwen-vl-utils/src/qwen_vl_utils/vision_process.py @96588727e44c78b25ba03ea03b8e12f7e64fd0da;
 * QwenLM/Qwen2.5-VL's at @f0af2996e843cf46aa5f778c38d6694500c2ca81 has the same form with factor 28):
 *   min_pixels   = VIDEO_MIN_TOKEN_NUM (128) · factor²
 *   total_pixels = MODEL_SEQ_LEN (128000) · factor² · 0.9          (the whole video's pixel budget)
 *   max_pixels   = max(min(VIDEO_MAX_TOKEN_NUM (768) · factor², total_pixels / nframes · FRAME_FACTOR (2)),
 *                      int(min_pixels · 1.05))
 * then the image `smart_resize` (first rounding at least one factor) of each frame into those bounds.
 * transformers' Qwen3VLVideoProcessor mirrors it with `cap_pixels_per_frame=True` ("the reference
 * implementation"). Two frames share one temporal patch, so a video costs ceil(n / 2) · (h/factor)·(w/factor)
 * tokens. Images keep their own, much larger bounds (profiles.ts).
 */
import type { Size } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';
import type { VideoDefaults } from './model-profile.js';
import { smartResize } from './smart-resize.js';

/** Frames merged into one temporal patch (qwen-vl-utils FRAME_FACTOR, transformers temporal_patch_size). */
export const VIDEO_FRAME_FACTOR = 2;

/** qwen-vl-utils' default total budget: MODEL_SEQ_LEN 128000 tokens · factor² · 0.9. */
export function qwenVlUtilsTotalVideoPixels(factor: number): number {
  return 128000 * factor * factor * 0.9;
}

export interface VideoFrameBounds {
  minPixels: number;
  maxPixels: number;
}

/** Per-frame pixel bounds for a video of `frameCount` frames. */
export function videoFramePixelBounds(video: VideoDefaults, frameCount: number): VideoFrameBounds {
  if (!Number.isInteger(frameCount) || frameCount < 1) {
    throw mmevolveError('invalid-input', `a video needs at least one frame, got ${frameCount}`, 'pass the number of sampled frames');
  }
  const shareOfBudget = (video.totalPixels / frameCount) * VIDEO_FRAME_FACTOR;
  return { minPixels: video.minPixels, maxPixels: Math.max(Math.min(video.maxPixels, shareOfBudget), Math.trunc(video.minPixels * 1.05)) };
}

/** The size every frame of a `frameCount`-frame video of `size` is resized to. */
export function videoFrameSize(video: VideoDefaults, factor: number, size: Size, frameCount: number): Size {
  const bounds = videoFramePixelBounds(video, frameCount);
  const resized = smartResize(size.height, size.width, { factor, ...bounds, atLeastFactor: true });
  return { width: resized.width, height: resized.height };
}

/** Visual tokens of the whole video: one token per factor² pixels of a frame, per temporal patch. */
export function videoTokens(video: VideoDefaults, factor: number, size: Size, frameCount: number): number {
  const frame = videoFrameSize(video, factor, size, frameCount);
  return Math.ceil(frameCount / VIDEO_FRAME_FACTOR) * (frame.width / factor) * (frame.height / factor);
}
