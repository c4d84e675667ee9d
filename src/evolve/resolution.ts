/**
 * Adaptive image resolution per MLLM call, a client-side analogue of InternVL3.5-Flash's Visual Resolution
 * Router (ViR; InternVL3.5 report arXiv 2508.18265, ViCO arXiv 2510.12793). ViR decides inside the model, per
 * 448-px image patch, whether the patch's 256 tokens are compressed 4× to 64. A client cannot reach inside a
 * frozen model, so here the decision is per call and per image: send it at full resolution or at a quarter
 * of the pixels (half each side, snapped to a size the model's profile accepts as it is), either by a cheap
 * image statistic or by a short judge call on the quarter image. This file holds the sizes and the cheap
 * statistics; resolution-router.ts applies them to the calls of a run.
 */
import { z } from 'zod';
import type { Mask, RgbImage, Size } from '../core/index.js';
import type { ModelProfile } from '../protocols/index.js';
import { maskBox } from '../vision/index.js';

export const RESOLUTION_MODES = ['full', 'quarter', 'adaptive'] as const;
export type ResolutionMode = (typeof RESOLUTION_MODES)[number];
export const RESOLUTION_RULES = ['cheap', 'judge'] as const;
export type ResolutionRule = (typeof RESOLUTION_RULES)[number];
export type Resolution = 'full' | 'quarter';

export const resolutionConfigSchema = z.strictObject({
  /** full: every image as the client always sent it (default); quarter: every image at a quarter of the pixels; adaptive: per call, by `rule`. */
  mode: z.enum(RESOLUTION_MODES).default('full'),
  /** adaptive only — cheap: image statistics, no model; judge: one short MLLM call on the quarter image. */
  rule: z.enum(RESOLUTION_RULES).default('cheap'),
  cheap: z
    .strictObject({
      /**
       * Quarter only when at most this share of the image's pixels lie on a strong edge (edgeDensity): many
       * edges per pixel means many or small objects, which halving the sides blurs first.
       */
      maxEdgeDensity: z.number().min(0).max(1).default(0.03),
      /** Quarter only when every mask shown (overlays) keeps a box whose shorter side is at least this many pixels at quarter size. */
      minMaskSide: z.number().min(0).default(16),
    })
    .prefault({}),
}).prefault({});

export type ResolutionConfig = z.output<typeof resolutionConfigSchema>;

/** How one image would go out at quarter resolution for one model profile, and what each resolution costs. */
export interface QuarterPlan {
  /** The size the quarter image is sent at (already valid for the profile: its server keeps it as it is). */
  sent: Size;
  /** Visual tokens the profile's server spends on the image at full and at quarter resolution (null: unknown for this profile). */
  fullTokens: number | null;
  quarterTokens: number | null;
  /** Whether the quarter image costs the model fewer tokens (or, with no token count, fewer pixels). */
  saves: boolean;
}

/**
 * Half each side, then the frame the profile's own resize gives that size (a multiple of 28 or 32 for the
 * Qwen rules, raised to min_pixels when below): sent at that frame, the server's resize leaves it unchanged.
 * Families whose frame is not a downscale (InternVL's 448-px tiles are chosen by aspect ratio, so a smaller
 * image is enlarged back into the same tiles) get the plain half-size image — and no saving, so `saves` is false.
 */
export function quarterPlan(profile: ModelProfile, size: Size): QuarterPlan {
  const half: Size = { width: Math.max(1, Math.round(size.width / 2)), height: Math.max(1, Math.round(size.height / 2)) };
  const frame = profile.imageFrame(half);
  const sent = frame.width <= size.width && frame.height <= size.height ? frame : half;
  const fullTokens = profile.imageTokens(size);
  const quarterTokens = profile.imageTokens(sent);
  const fullPixels = profile.imageFrame(size);
  const saves =
    fullTokens !== null && quarterTokens !== null ? quarterTokens < fullTokens : sent.width * sent.height < fullPixels.width * fullPixels.height;
  return { sent, fullTokens, quarterTokens, saves };
}

/** Summed over the three channels, a step this large between neighbours is an edge, not texture or JPEG noise. */
const STRONG_EDGE = 96;
const edgeDensities = new WeakMap<Uint8Array, number>();

/**
 * Share of pixels on a strong edge (right or lower neighbour differing by at least STRONG_EDGE summed over
 * RGB). It grows with the number of object outlines per pixel — what halving the sides blurs — and ignores
 * flat areas and fine noise. Memoised per pixel buffer (images are immutable once built).
 */
export function edgeDensity(image: RgbImage): number {
  const known = edgeDensities.get(image.data);
  if (known !== undefined) return known;
  const { width, height, data } = image;
  let edges = 0;
  const step = (a: number, b: number): number =>
    Math.abs((data[a] ?? 0) - (data[b] ?? 0)) + Math.abs((data[a + 1] ?? 0) - (data[b + 1] ?? 0)) + Math.abs((data[a + 2] ?? 0) - (data[b + 2] ?? 0));
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      const right = x + 1 < width ? step(offset, offset + 3) : 0;
      const below = y + 1 < height ? step(offset, offset + width * 3) : 0;
      if (Math.max(right, below) >= STRONG_EDGE) edges += 1;
    }
  }
  const density = edges / Math.max(1, width * height);
  edgeDensities.set(image.data, density);
  return density;
}

/** Shorter side of the smallest shown mask's box, in pixels, at `scale` (0.5 for half each side); Infinity without masks. */
export function smallestMaskSide(masks: readonly Mask[], scale: number): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (const mask of masks) {
    const box = maskBox(mask);
    if (box === null) continue;
    smallest = Math.min(smallest, Math.min(box[2] - box[0], box[3] - box[1]) * scale);
  }
  return smallest;
}

/** The cheap rule: quarter when the raw image has few edges per pixel and every mask shown stays large enough. */
export function cheapRule(config: ResolutionConfig['cheap'], raw: RgbImage, masks: readonly Mask[]): { resolution: Resolution; reason: string } {
  const density = edgeDensity(raw);
  if (density > config.maxEdgeDensity) return { resolution: 'full', reason: `edge density ${density.toFixed(4)} > ${config.maxEdgeDensity}` };
  const side = smallestMaskSide(masks, 0.5);
  if (side < config.minMaskSide) return { resolution: 'full', reason: `smallest mask side ${side.toFixed(1)} px at quarter < ${config.minMaskSide}` };
  return { resolution: 'quarter', reason: `edge density ${density.toFixed(4)}${Number.isFinite(side) ? `, smallest mask side ${side.toFixed(1)} px at quarter` : ''}` };
}
