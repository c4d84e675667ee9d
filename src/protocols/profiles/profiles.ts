import type { Box, Size } from '../../core/index.js';
import { internvlTiling, INTERNVL_TILE_SIZE } from './internvl-tiling.js';
import type { BoxConvention, BoxSyntax, GroundingSupport, ModelProfile, ProfileFamily, ProfileOptions, VideoDefaults, VideoInfo } from './model-profile.js';
import { RELATIVE_FRAME, normalizeBox, roundBox, scaleBox } from './model-profile.js';
import type { ResizeRule } from './resize-rules.js';
import { transformersSmartResize } from './resize-rules.js';
import { VIDEO_FRAME_FACTOR, qwenVlUtilsTotalVideoPixels, videoFramePixelBounds, videoFrameSize, videoTokens } from './video-frame-size.js';

export interface PatchGridFamily {
  name: string;
  family: ProfileFamily;
  description: string;
  patchSize: number;
  mergeSize: number;
  boxConvention: BoxConvention;
  /** Default 'json-bbox_2d' (the Qwen families). */
  boxSyntax?: BoxSyntax;
  /** Default 'native'. */
  grounding?: GroundingSupport;
  sources: readonly string[];
  minPixels: number;
  maxPixels: number;
  video: VideoDefaults | null;
  /** Default: transformers' Qwen2-VL smart_resize with factor patch × merge. */
  resize?: ResizeRule;
  /** Largest relative coordinate the model writes (Seed1.5-VL: 999); default 1000. */
  relativeMax?: number;
}

/** Qwen-style processors: resize to a multiple of patch × merge, one token per merged patch. */
export function createPatchGridProfile(family: PatchGridFamily): ModelProfile {
  const factor = family.patchSize * family.mergeSize;
  const resize = family.resize ?? transformersSmartResize(factor);
  const imageFrame = (size: Size, options: ProfileOptions = {}): Size => {
    const resized = resize(size.height, size.width, {
      minPixels: options.minPixels ?? family.minPixels,
      maxPixels: options.maxPixels ?? family.maxPixels,
    });
    return { width: resized.width, height: resized.height };
  };
  // The frame boxes are written in: the resized image, or 0–1000 regardless of the resize.
  const boxFrame = (size: Size, options?: ProfileOptions): Size =>
    family.boxConvention === 'absolute-resized' ? imageFrame(size, options) : RELATIVE_FRAME;
  const relativeMax = family.relativeMax ?? RELATIVE_FRAME.width;
  const clampFrame = (frame: Size): Size =>
    family.boxConvention === 'absolute-resized' ? frame : { width: Math.min(frame.width, relativeMax), height: Math.min(frame.height, relativeMax) };
  return {
    name: family.name,
    family: family.family,
    description: family.description,
    boxConvention: family.boxConvention,
    boxSyntax: family.boxSyntax ?? 'json-bbox_2d',
    grounding: family.grounding ?? 'native',
    sources: family.sources,
    pixelBounds: { minPixels: family.minPixels, maxPixels: family.maxPixels },
    video: family.video,
    imageFrame,
    toModelBox: (box: Box, imageSize: Size, options?: ProfileOptions): Box => {
      const frame = boxFrame(imageSize, options);
      return normalizeBox(roundBox(scaleBox(box, imageSize, frame)), clampFrame(frame));
    },
    fromModelBox: (modelBox: Box, imageSize: Size, options?: ProfileOptions): Box =>
      normalizeBox(scaleBox(modelBox, boxFrame(imageSize, options), imageSize), imageSize),
    imageTokens: (size: Size, options?: ProfileOptions): number => {
      const frame = imageFrame(size, options);
      return (frame.height / factor) * (frame.width / factor);
    },
    imageInfo: (size: Size, options?: ProfileOptions) => {
      const frame = imageFrame(size, options);
      return {
        kind: 'patch-grid',
        resizedWidth: frame.width,
        resizedHeight: frame.height,
        grid: [1, frame.height / family.patchSize, frame.width / family.patchSize] as const,
        imageTokens: (frame.height / factor) * (frame.width / factor),
      };
    },
    videoInfo: (size: Size, frameCount: number): VideoInfo | null => {
      const video = family.video;
      if (video === null) return null;
      const frame = videoFrameSize(video, factor, size, frameCount);
      const bounds = videoFramePixelBounds(video, frameCount);
      const grid = [Math.ceil(frameCount / VIDEO_FRAME_FACTOR), frame.height / family.patchSize, frame.width / family.patchSize] as const;
      return { frames: frameCount, frameWidth: frame.width, frameHeight: frame.height, ...bounds, grid, videoTokens: videoTokens(video, factor, size, frameCount) };
    },
  };
}

/**
 * Qwen2.5-VL: patch 14, spatial merge 2 (config.json vision_config) → factor 28. Pixel bounds: min 3136 and
 * max 16384·28·28 = 12845056, the model's own default — QwenLM/Qwen2.5-VL qwen-vl-utils vision_process.py
 * (MIN_PIXELS 4·28·28, MAX_PIXELS 16384·28·28; README: "4-16384" visual tokens per image), the model repos'
 * preprocessor_config.json, hence vLLM's default, and the published EVOL-SAM3 run (process_vision_info).
 * transformers' bare Qwen2VLImageProcessor defaults to 28·28·1280 = 1003520; pass maxPixels to match a
 * server capped that way. Grounding boxes are absolute pixels of the resized image (Qwen2.5-VL cookbooks).
 * Video: qwen-vl-utils FPS 2, FPS_MIN_FRAMES 4, FPS_MAX_FRAMES 768, VIDEO_MIN/MAX_PIXELS 128·28² / 768·28².
 */
export const qwen25VlProfile: ModelProfile = createPatchGridProfile({
  name: 'qwen2.5-vl',
  family: 'qwen2.5-vl',
  description: 'Qwen2.5-VL: smart_resize factor 28, boxes in absolute pixels of the resized image',
  patchSize: 14,
  mergeSize: 2,
  boxConvention: 'absolute-resized',
  sources: [
    'QwenLM/Qwen2.5-VL qwen-vl-utils/src/qwen_vl_utils/vision_process.py',
    'huggingface/transformers src/transformers/models/qwen2_vl/image_processing_qwen2_vl.py',
  ],
  minPixels: 3136,
  maxPixels: 12845056,
  video: { fps: 2, minFrames: 4, maxFrames: 768, minPixels: 128 * 28 * 28, maxPixels: 768 * 28 * 28, totalPixels: qwenVlUtilsTotalVideoPixels(28) },
});

/**
 * Qwen3-VL: patch 16, spatial merge 2 → factor 32. Pixel bounds from the Qwen3-VL model repos'
 * preprocessor_config.json (Qwen2VLImageProcessorFast with size.shortest_edge 65536 = 256², longest_edge
 * 16777216 = 4096²). Grounding boxes are relative 0–1000 (Qwen3-VL cookbooks). Video: transformers
 * Qwen3VLVideoProcessor fps 2, min_frames 4, max_frames 768; per frame 128·32² to 768·32² pixels and a
 * whole-video budget of 128000·32²·0.9 pixels (qwen-vl-utils fetch_video, video-frame-size.ts); frame
 * sampling and the `<t seconds>` timestamp text are in qwen3-vl-video.ts (commits cited there).
 */
export const qwen3VlProfile: ModelProfile = createPatchGridProfile({
  name: 'qwen3-vl',
  family: 'qwen3-vl',
  description: 'Qwen3-VL: smart_resize factor 32, boxes relative 0–1000',
  patchSize: 16,
  mergeSize: 2,
  boxConvention: 'relative-1000',
  sources: [
    'Qwen/Qwen3-VL-* preprocessor_config.json',
    'huggingface/transformers src/transformers/models/qwen3_vl/video_processing_qwen3_vl.py @930941c62f02ae20fbdf35f9496bde938b2dfcac',
    'huggingface/transformers src/transformers/models/qwen3_vl/processing_qwen3_vl.py @e1b551679e267be053b45581cbabd028a14defd2',
    'QwenLM/Qwen3-VL qwen-vl-utils/src/qwen_vl_utils/vision_process.py @96588727e44c78b25ba03ea03b8e12f7e64fd0da (fetch_video frame bounds)',
  ],
  minPixels: 65536,
  maxPixels: 16777216,
  video: { fps: 2, minFrames: 4, maxFrames: 768, minPixels: 128 * 32 * 32, maxPixels: 768 * 32 * 32, totalPixels: qwenVlUtilsTotalVideoPixels(32) },
});

/**
 * InternVL3.5: dynamic 448-px tiles (1..12 by default, `max_num=12` in the model cards' load_image) plus a
 * thumbnail, 256 tokens per tile; grounding as `<ref>label</ref><box>[[x1, y1, x2, y2]]</box>` in 0–1000.
 * The same conventions hold for InternVL2.5 and InternVL3, which share the preprocessing code.
 */
export const internvl35Profile: ModelProfile = {
  name: 'internvl3.5',
  family: 'internvl3.5',
  description: 'InternVL3.5: 448-px dynamic tiles + thumbnail, boxes relative 0–1000 in <box>[[...]]</box>',
  boxConvention: 'relative-1000',
  boxSyntax: 'internvl-box',
  grounding: 'native',
  sources: ['OpenGVLab/InternVL3_5-* README load_image / dynamic_preprocess (model cards)'],
  pixelBounds: null,
  video: null,
  imageFrame: (size: Size, options: ProfileOptions = {}): Size => {
    const tiling = internvlTiling(size.width, size.height, tilingOptions(options));
    return { width: tiling.cols * INTERNVL_TILE_SIZE, height: tiling.rows * INTERNVL_TILE_SIZE };
  },
  toModelBox: (box: Box, imageSize: Size): Box =>
    normalizeBox(roundBox(scaleBox(box, imageSize, RELATIVE_FRAME)), RELATIVE_FRAME),
  fromModelBox: (modelBox: Box, imageSize: Size): Box =>
    normalizeBox(scaleBox(modelBox, RELATIVE_FRAME, imageSize), imageSize),
  imageTokens: (size: Size, options: ProfileOptions = {}): number =>
    internvlTiling(size.width, size.height, tilingOptions(options)).imageTokens,
  imageInfo: (size: Size, options: ProfileOptions = {}) => {
    const tiling = internvlTiling(size.width, size.height, tilingOptions(options));
    return { kind: 'tiles', cols: tiling.cols, rows: tiling.rows, numTiles: tiling.numTiles, imageTokens: tiling.imageTokens };
  },
  videoInfo: (): null => null,
};

function tilingOptions(options: ProfileOptions): { minTiles?: number; maxTiles?: number } {
  return {
    ...(options.minTiles === undefined ? {} : { minTiles: options.minTiles }),
    ...(options.maxTiles === undefined ? {} : { maxTiles: options.maxTiles }),
  };
}

/** Unknown models: we send the original image and ask for absolute pixels of it (json-box syntax). */
export const genericProfile: ModelProfile = {
  name: 'generic',
  family: 'generic',
  description: 'Generic: no resizing assumed, boxes in absolute pixels of the original image',
  boxConvention: 'absolute-original',
  boxSyntax: 'json-box',
  grounding: 'fallback-generic',
  sources: [],
  pixelBounds: null,
  video: null,
  imageFrame: (size: Size): Size => ({ width: size.width, height: size.height }),
  toModelBox: (box: Box, imageSize: Size): Box => normalizeBox(roundBox(box), imageSize),
  fromModelBox: (modelBox: Box, imageSize: Size): Box => normalizeBox(modelBox, imageSize),
  imageTokens: (): null => null,
  imageInfo: (size: Size) => ({ kind: 'original', width: size.width, height: size.height }),
  videoInfo: (): null => null,
};
