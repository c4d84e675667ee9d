import { describe, expect, it } from 'vitest';
import { renderOverlay } from '../vision/index.js';
import { OverlayCache } from './overlay-cache.js';
import { rectangle, testImage } from './__tests__/support.js';

describe('overlay cache', () => {
  it('renders a mask once per colour and gives both masks of a pair the same colour in either order', () => {
    const image = testImage();
    const cache = new OverlayCache(image);
    const first = rectangle(0, 0, 10, 10);
    const second = rectangle(20, 20, 10, 10);
    const colour = cache.pairColour(first, second);
    expect(cache.pairColour(second, first)).toEqual(colour);
    const overlay = cache.overlay(first, colour);
    expect(cache.overlay(first, colour), 'second request returns the cached image').toBe(overlay);
    expect(Array.from(overlay.data)).toEqual(Array.from(renderOverlay(image, first, { colour }).data));
    expect(Array.from(cache.overlay(second).data), 'default colour = renderOverlay default').toEqual(Array.from(renderOverlay(image, second).data));
  });
});
