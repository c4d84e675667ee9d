import type { Box, Size } from '../../core/index.js';

/**
 * What a client must know about an MLLM family to talk about image regions with it: which frame the model
 * sees, how it writes boxes, and how many tokens an image costs. Shared code asks the profile; it never
 * branches on the family name.
 */
export type ProfileFamily =
  | 'qwen2.5-vl'
  | 'qwen3-vl'
  | 'internvl3.5'
  | 'glm-4.5v'
  | 'mimo-vl'
  | 'keye-vl'
  | 'ernie-4.5-vl'
  | 'seed1.5-vl'
  | 'neo'
  | 'generic';

/**
 * - absolute-resized: pixels of the image after the model's own resize (Qwen2.5-VL, MiMo-VL; and the
 *   generic fallback of families with a known processor but no published grounding format).
 * - relative-1000: 0–1000 of the image width/height, independent of any resize (Qwen3-VL, InternVL, GLM-4.5V,
 *   Seed1.5-VL, NEO).
 * - absolute-original: pixels of the original image (models we know nothing about).
 */
export type BoxConvention = 'absolute-resized' | 'relative-1000' | 'absolute-original';

/**
 * - json-bbox_2d: `[{"bbox_2d": [x1, y1, x2, y2], "label": "..."}]` (Qwen2.5-VL / Qwen3-VL grounding).
 * - internvl-box: `<ref>label</ref><box>[[x1, y1, x2, y2]]</box>` (InternVL grounding).
 * - glm-begin-of-box: `<|begin_of_box|>[[x1,y1,x2,y2], …]<|end_of_box|>` (GLM-4.1V / GLM-4.5V).
 * - seed-bbox: `<bbox>x1 y1 x2 y2</bbox>` (Seed1.5-VL).
 * - json-box: `[{"box": [x1, y1, x2, y2], "label": "..."}]` (our own prompt format for unknown models).
 */
export type BoxSyntax = 'json-bbox_2d' | 'internvl-box' | 'glm-begin-of-box' | 'seed-bbox' | 'json-box';

/**
 * - native: the family's own code or docs give a grounding format, and the profile follows it.
 * - fallback-generic: the family publishes none; we prompt with our json-box format and read the answer
 *   as absolute pixels of the frame the model sees, as the generic profile does.
 */
export type GroundingSupport = 'native' | 'fallback-generic';

/** Per-call overrides; each profile reads the ones that apply to it and ignores the others. */
export interface ProfileOptions {
  minPixels?: number;
  maxPixels?: number;
  minTiles?: number;
  maxTiles?: number;
}

/** What `mmevolve model-info` reports: one shape per way a family turns an image into tokens. */
export type ImageInfo =
  | {
      kind: 'patch-grid';
      resizedWidth: number;
      resizedHeight: number;
      /** [t, h, w] in patches, t = 1 for a single image (transformers `image_grid_thw`). */
      grid: readonly [number, number, number];
      imageTokens: number;
    }
  | { kind: 'tiles'; cols: number; rows: number; numTiles: number; imageTokens: number }
  | { kind: 'original'; width: number; height: number };

/**
 * Frame sampling and per-frame resize a family's processor applies to video input, with the source in the
 * profile. Frames have their own pixel bounds, not the image ones (video-frame-size.ts).
 */
export interface VideoDefaults {
  fps: number;
  minFrames: number;
  maxFrames: number;
  /** Pixels per frame, at least (VIDEO_MIN_TOKEN_NUM · factor²). */
  minPixels: number;
  /** Pixels per frame, at most (VIDEO_MAX_TOKEN_NUM · factor²), before the total budget's share. */
  maxPixels: number;
  /** Pixels of the whole video, shared by its frames (two frames per temporal patch). */
  totalPixels: number;
}

/** How a video's frames are sent: each frame's size and the whole video's tokens. */
export interface VideoInfo {
  frames: number;
  frameWidth: number;
  frameHeight: number;
  /** Per-frame pixel bounds at this frame count. */
  minPixels: number;
  maxPixels: number;
  /** [t, h, w] in patches, t = ceil(frames / 2) (transformers `video_grid_thw`). */
  grid: readonly [number, number, number];
  videoTokens: number;
}

export interface ModelProfile {
  readonly name: string;
  readonly family: ProfileFamily;
  readonly description: string;
  readonly boxConvention: BoxConvention;
  readonly boxSyntax: BoxSyntax;
  readonly grounding: GroundingSupport;
  /** Upstream files (repository, path, commit) each convention was read from. */
  readonly sources: readonly string[];
  /** Default pixel bounds of the image processor, or null when the family does not resize by area. */
  readonly pixelBounds: { readonly minPixels: number; readonly maxPixels: number } | null;
  readonly video: VideoDefaults | null;
  /** The frame the model sees (after its resize), in which 'absolute-resized' boxes live. */
  imageFrame(size: Size, options?: ProfileOptions): Size;
  /**
   * A box in original pixels → the model's convention, rounded to integers because models read and write
   * integer coordinates.
   */
  toModelBox(box: Box, imageSize: Size, options?: ProfileOptions): Box;
  /** A box as the model wrote it → original absolute pixels, corners ordered and clamped to the image. */
  fromModelBox(modelBox: Box, imageSize: Size, options?: ProfileOptions): Box;
  /** Visual tokens one image costs, or null when unknown (generic). */
  imageTokens(size: Size, options?: ProfileOptions): number | null;
  imageInfo(size: Size, options?: ProfileOptions): ImageInfo;
  /** Frame size and tokens of a `frameCount`-frame video of `size`; null when the family takes no video. */
  videoInfo(size: Size, frameCount: number): VideoInfo | null;
}

/** Relative 0–1000 coordinates used by Qwen3-VL and InternVL grounding outputs. */
export const RELATIVE_BOX_SCALE = 1000;

/** Scale a box from one frame to another without rounding. */
export function scaleBox(box: Box, from: Size, to: Size): Box {
  const scaleX = to.width / from.width;
  const scaleY = to.height / from.height;
  return [box[0] * scaleX, box[1] * scaleY, box[2] * scaleX, box[3] * scaleY];
}

export function roundBox(box: Box): Box {
  return [Math.round(box[0]), Math.round(box[1]), Math.round(box[2]), Math.round(box[3])];
}

/** Order the corners (models sometimes swap them) and clamp into [0, width] × [0, height]. */
export function normalizeBox(box: Box, frame: Size): Box {
  const clampX = (value: number): number => Math.min(frame.width, Math.max(0, value));
  const clampY = (value: number): number => Math.min(frame.height, Math.max(0, value));
  return [
    clampX(Math.min(box[0], box[2])),
    clampY(Math.min(box[1], box[3])),
    clampX(Math.max(box[0], box[2])),
    clampY(Math.max(box[1], box[3])),
  ];
}

/** The 0–1000 frame relative boxes live in. */
export const RELATIVE_FRAME: Size = { width: RELATIVE_BOX_SCALE, height: RELATIVE_BOX_SCALE };
