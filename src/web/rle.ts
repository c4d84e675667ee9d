/**
 * COCO RLE in the browser: decode the pycocotools "counts" string (column-major runs, see
 * src/vision/rle-string.ts for the format) and paint masks as coloured overlays on a canvas.
 */

export interface CocoRle {
  size: [number, number];
  counts: string | number[];
}

export function countsFromString(text: string): number[] {
  const counts: number[] = [];
  let position = 0;
  while (position < text.length) {
    let value = 0;
    let chunkIndex = 0;
    let more = true;
    while (more) {
      const chunk = text.charCodeAt(position) - 48;
      position += 1;
      value += (chunk & 0x1f) * 2 ** (5 * chunkIndex);
      more = (chunk & 0x20) !== 0;
      chunkIndex += 1;
      if (!more && (chunk & 0x10) !== 0) value -= 2 ** (5 * chunkIndex);
      if (more && position >= text.length) throw new Error('COCO RLE string is cut off');
    }
    if (counts.length > 2) value += counts[counts.length - 2] ?? 0;
    counts.push(value);
  }
  return counts;
}

/** Row-major 0/1 pixels of a COCO RLE. */
export function decodeRle(rle: CocoRle): { width: number; height: number; data: Uint8Array } {
  const [height, width] = rle.size;
  const counts = typeof rle.counts === 'string' ? countsFromString(rle.counts) : rle.counts;
  const data = new Uint8Array(width * height);
  let columnMajor = 0;
  let value = 0;
  for (const count of counts) {
    if (value === 1) {
      for (let index = columnMajor; index < columnMajor + count; index += 1) {
        const x = Math.floor(index / height);
        const y = index - x * height;
        data[y * width + x] = 1;
      }
    }
    columnMajor += count;
    value = 1 - value;
  }
  return { width, height, data };
}

export function maskArea(rle: CocoRle): number {
  const counts = typeof rle.counts === 'string' ? countsFromString(rle.counts) : rle.counts;
  let area = 0;
  for (let index = 1; index < counts.length; index += 2) area += counts[index] ?? 0;
  return area;
}

/** A canvas with the image and the mask tinted on top (colour as [r, g, b]), scaled to maxSide. */
export function overlayCanvas(image: CanvasImageSource & { width: number; height: number }, rle: CocoRle | undefined, colour: [number, number, number], maxSide: number): HTMLCanvasElement {
  const scale = Math.min(1, maxSide / Math.max(image.width, image.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(image.width * scale));
  canvas.height = Math.max(1, Math.round(image.height * scale));
  const context = canvas.getContext('2d');
  if (context === null) return canvas;
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  if (rle === undefined) return canvas;
  const mask = decodeRle(rle);
  const layer = document.createElement('canvas');
  layer.width = mask.width;
  layer.height = mask.height;
  const layerContext = layer.getContext('2d');
  if (layerContext === null) return canvas;
  const pixels = layerContext.createImageData(mask.width, mask.height);
  for (let index = 0; index < mask.data.length; index += 1) {
    if (mask.data[index] !== 1) continue;
    pixels.data.set([colour[0], colour[1], colour[2], 185], index * 4);
  }
  layerContext.putImageData(pixels, 0, 0);
  context.drawImage(layer, 0, 0, canvas.width, canvas.height);
  return canvas;
}
