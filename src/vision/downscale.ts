import { mmevolveError } from '../core/index.js';
import type { RgbImage } from '../core/index.js';

/**
 * Area-average downscale (OpenCV's INTER_AREA, a camera's pixel binning): each output pixel is the mean of
 * the source pixels it covers, fractional source pixels weighted by the part covered. Unlike a sharpening
 * kernel it invents no detail and rings at no edge, so what a smaller image loses is exactly what fewer
 * pixels cannot hold. Only shrinks: a target side larger than the source is an error.
 */
export function downscaleImage(image: RgbImage, width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > image.width || height > image.height) {
    throw mmevolveError(
      'invalid-input',
      `cannot downscale a ${image.width}×${image.height} image to ${width}×${height}`,
      'Pass integer sides from 1 up to the image’s own sides.',
    );
  }
  if (width === image.width && height === image.height) return image;
  const horizontal = new Float64Array(width * image.height * 3);
  const columns = coverage(image.width, width);
  for (let y = 0; y < image.height; y += 1) {
    const row = y * image.width * 3;
    for (let x = 0; x < width; x += 1) {
      const out = (y * width + x) * 3;
      for (const [source, weight] of columns[x] ?? []) {
        const offset = row + source * 3;
        horizontal[out] = (horizontal[out] ?? 0) + (image.data[offset] ?? 0) * weight;
        horizontal[out + 1] = (horizontal[out + 1] ?? 0) + (image.data[offset + 1] ?? 0) * weight;
        horizontal[out + 2] = (horizontal[out + 2] ?? 0) + (image.data[offset + 2] ?? 0) * weight;
      }
    }
  }
  const data = new Uint8Array(width * height * 3);
  const rows = coverage(image.height, height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let red = 0;
      let green = 0;
      let blue = 0;
      for (const [source, weight] of rows[y] ?? []) {
        const offset = (source * width + x) * 3;
        red += (horizontal[offset] ?? 0) * weight;
        green += (horizontal[offset + 1] ?? 0) * weight;
        blue += (horizontal[offset + 2] ?? 0) * weight;
      }
      const out = (y * width + x) * 3;
      data[out] = Math.round(red);
      data[out + 1] = Math.round(green);
      data[out + 2] = Math.round(blue);
    }
  }
  return { width, height, data };
}

/** For each of `to` output cells along one axis: the source cells it covers and their weights (summing to 1). */
function coverage(from: number, to: number): Array<Array<readonly [number, number]>> {
  const scale = from / to;
  return Array.from({ length: to }, (_unused, cell) => {
    const start = cell * scale;
    const end = start + scale;
    const weights: Array<readonly [number, number]> = [];
    for (let source = Math.floor(start); source < Math.min(from, Math.ceil(end)); source += 1) {
      const overlap = Math.min(end, source + 1) - Math.max(start, source);
      if (overlap > 1e-12) weights.push([source, overlap / scale]);
    }
    return weights;
  });
}
