import { z } from 'zod';
import type { Mask } from '../../core/index.js';
import { createMask, mmevolveError } from '../../core/index.js';
import { decodeRle, decodeRleCounts, polygonRunLengths } from '../../vision/index.js';

/**
 * A COCO annotation's `segmentation` as a binary mask, the way pycocotools `frPyObjects` + `decode` and the
 * RefCOCO loaders build ground truth: polygons (a list of [x0, y0, x1, y1, …]) each rasterised by
 * rleFrPoly and united (LISA sums the decoded channels; ReLA takes `any`), or an RLE (compressed string
 * or the uncompressed count list of crowd regions).
 */
export const cocoSegmentationSchema = z.union([
  z.array(z.array(z.number())),
  z.object({
    size: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
    counts: z.union([z.string(), z.array(z.number().int().nonnegative())]),
  }),
]);
export type CocoSegmentation = z.infer<typeof cocoSegmentationSchema>;

/** Paints the annotation's foreground into `into` (value 1); `where` names the annotation in errors. */
export function paintSegmentation(into: Mask, segmentation: CocoSegmentation, where: string): void {
  const { width, height } = into;
  if (Array.isArray(segmentation)) {
    for (const polygon of segmentation) {
      if (polygon.length < 6) continue; // fewer than 3 points encloses nothing (ReLA drops these too)
      orRuns(into, polygonRunLengths(polygon, height, width));
    }
    return;
  }
  const [rleHeight, rleWidth] = segmentation.size;
  if (rleHeight !== height || rleWidth !== width) {
    throw mmevolveError('invalid-dataset', `${where}: RLE size ${rleHeight}×${rleWidth} (h×w) but the image is ${height}×${width}`, 'The annotation file does not belong to these images; re-download it.');
  }
  const mask = typeof segmentation.counts === 'string'
    ? decodeRle({ size: segmentation.size, counts: segmentation.counts })
    : decodeRleCounts(checkedCounts(segmentation.counts, height * width, where), width, height);
  for (let index = 0; index < mask.data.length; index += 1) if ((mask.data[index] ?? 0) > 0) into.data[index] = 1;
}

export function segmentationMask(segmentation: CocoSegmentation, width: number, height: number, where: string): Mask {
  const mask = createMask(width, height);
  paintSegmentation(mask, segmentation, where);
  return mask;
}

function checkedCounts(counts: readonly number[], pixels: number, where: string): readonly number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total !== pixels) throw mmevolveError('invalid-dataset', `${where}: RLE counts cover ${total} pixels, the image has ${pixels}`, 'The annotation is corrupt; re-download the file.');
  return counts;
}

/** ORs column-major run lengths (zeros first) into a row-major mask. */
function orRuns(into: Mask, runs: readonly number[]): void {
  const { width, height } = into;
  let position = 0;
  for (let run = 0; run < runs.length; run += 1) {
    const length = runs[run] ?? 0;
    if (run % 2 === 1) {
      for (let index = position; index < position + length; index += 1) {
        const x = Math.floor(index / height);
        const y = index - x * height;
        into.data[y * width + x] = 1;
      }
    }
    position += length;
  }
}
