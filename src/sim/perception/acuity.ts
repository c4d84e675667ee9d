/**
 * The simulated MLLM's visual acuity. A vision-language model does not see pixels: its vision encoder cuts
 * the image into patches (14×14 pixels for Qwen2.5-VL and InternVL, 16×16 for Qwen3-VL) and computes one
 * feature per patch; patches are then merged into the language model's visual tokens (2×2 for the Qwen
 * families). An object covering less than one patch lands inside one feature: its colour survives, but its
 * outline — corners, points, a hole — cannot be told apart. The simulated MLLM therefore reads such an
 * object as a shapeless blob, i.e. a circle, whatever it is. The rule depends only on the pixels received
 * and the profile's patch size, so a smaller image (fewer pixels per object) loses shapes as a real model
 * would; it knows nothing of who sent the image or why.
 */
import type { Size } from '../../core/index.js';
import type { ModelProfile } from '../../protocols/index.js';
import type { PerceivedObject } from './perceive-objects.js';

/** Used when the profile says nothing of its encoder (generic): the common 14-px ViT patch. */
export const DEFAULT_PATCH_SIDE = 14;
/** InternVL's InternViT cuts each 448-px tile into 32×32 patches of 14 px. */
const TILE_PATCHES = 32;

/** Side, in received pixels, of one encoder patch for this profile and image size. */
export function patchSide(profile: ModelProfile, size: Size): number {
  const info = profile.imageInfo(size);
  if (info.kind === 'patch-grid') return Math.sqrt((size.width * size.height) / (info.grid[1] * info.grid[2]));
  if (info.kind === 'tiles') return Math.sqrt((size.width * size.height) / (info.cols * info.rows * TILE_PATCHES * TILE_PATCHES));
  return DEFAULT_PATCH_SIDE;
}

/** Side, in received pixels, of one visual token of the language model (patches after merging), or 2 patches when unknown. */
export function tokenSide(profile: ModelProfile, size: Size): number {
  const tokens = profile.imageTokens(size);
  const info = profile.imageInfo(size);
  if (tokens === null || tokens <= 0 || info.kind === 'original') return 2 * DEFAULT_PATCH_SIDE;
  if (info.kind === 'tiles') return Math.sqrt((size.width * size.height * info.numTiles) / (info.cols * info.rows * tokens));
  return Math.sqrt((size.width * size.height) / tokens);
}

/** Diameter of the disc with the object's visible area, in pixels. */
export function equivalentDiameter(area: number): number {
  return 2 * Math.sqrt(area / Math.PI);
}

/** Objects narrower than one patch (equal-area diameter below `side`) lose their shape: they read as circles. */
export function limitAcuity(objects: readonly PerceivedObject[], side: number): PerceivedObject[] {
  return objects.map((object) => (object.shape === 'circle' || equivalentDiameter(object.area) >= side ? object : { ...object, shape: 'circle' }));
}
