/**
 * Overlays shown to the MLLM, cached per mask object within a run: champions fight again in later
 * generations and the final judge shows the same two masks twice. Alpha 0.5 (vision's renderOverlay).
 */
import type { Mask, RgbImage } from '../core/index.js';
import { chooseOverlayColour, renderOverlay } from '../vision/index.js';
import type { RgbColour } from '../vision/index.js';

export class OverlayCache {
  private readonly overlays = new WeakMap<Mask, Map<string, RgbImage>>();
  private readonly colours = new WeakMap<Mask, WeakMap<Mask, RgbColour>>();

  constructor(private readonly image: RgbImage) {}

  /** The overlay of a mask in a colour (default: the palette colour chosen for that mask alone). */
  overlay(mask: Mask, colour: RgbColour = this.pairColour(mask, mask)): RgbImage {
    let byColour = this.overlays.get(mask);
    if (byColour === undefined) {
      byColour = new Map();
      this.overlays.set(mask, byColour);
    }
    const key = colour.join(',');
    const cached = byColour.get(key);
    if (cached !== undefined) return cached;
    const overlay = renderOverlay(this.image, mask, { colour });
    byColour.set(key, overlay);
    return overlay;
  }

  /** One colour for two masks shown side by side (same colour for A and B), chosen once per pair. */
  pairColour(first: Mask, second: Mask): RgbColour {
    const cached = this.colours.get(first)?.get(second) ?? this.colours.get(second)?.get(first);
    if (cached !== undefined) return cached;
    const colour = chooseOverlayColour(this.image, first === second ? first : [first, second]);
    let inner = this.colours.get(first);
    if (inner === undefined) {
      inner = new WeakMap();
      this.colours.set(first, inner);
    }
    inner.set(second, colour);
    return colour;
  }
}
