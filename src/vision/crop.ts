import { mmevolveError } from '../core/index.js';
import type { Box, RgbImage } from '../core/index.js';

/**
 * The pixels of `box` (pixel edges [x1, y1, x2, y2]), rounded outwards to whole pixels and clipped to the
 * image on all four sides. A box that keeps no pixel inside the image is an error: an empty crop cannot be
 * encoded or shown to a model, and a silently substituted pixel would be a different region.
 */
export function cropImage(image: RgbImage, box: Box): RgbImage {
  const x1 = Math.max(0, Math.min(image.width, Math.floor(box[0])));
  const y1 = Math.max(0, Math.min(image.height, Math.floor(box[1])));
  const x2 = Math.max(x1, Math.min(image.width, Math.ceil(box[2])));
  const y2 = Math.max(y1, Math.min(image.height, Math.ceil(box[3])));
  const width = x2 - x1;
  const height = y2 - y1;
  if (width === 0 || height === 0) {
    throw mmevolveError('invalid-input', `crop box [${box.join(', ')}] keeps no pixel of the ${image.width}×${image.height} image`, 'Pass a box that overlaps the image (x1 < x2, y1 < y2, pixel edges).');
  }
  const data = new Uint8Array(width * height * 3);
  for (let row = 0; row < height; row += 1) {
    const from = ((y1 + row) * image.width + x1) * 3;
    data.set(image.data.subarray(from, from + width * 3), row * width * 3);
  }
  return { width, height, data };
}
