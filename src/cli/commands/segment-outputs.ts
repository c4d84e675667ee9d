// Writing one segmentation's files, shared by `segment --image` and `segment --video` (no import cycle).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SegmentationResult } from '../../evolve/index.js';
import { encodeMaskPng, maskArea, renderOverlay, writeImage } from '../../vision/index.js';

export async function writeSegmentationOutputs(directory: string, image: Parameters<typeof renderOverlay>[0], result: SegmentationResult, extra: Record<string, unknown>): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, 'mask.png'), await encodeMaskPng(result.mask));
  await writeImage(join(directory, 'overlay.png'), renderOverlay(image, result.mask));
  await writeFile(join(directory, 'mask.rle.json'), `${JSON.stringify({ size: result.rle.size, counts: result.rle.counts })}\n`);
  const trace = { ...extra, method: result.method, area: maskArea(result.mask), box: result.box, phrase: result.phrase, counters: result.counters, warnings: result.warnings, trace: result.trace, calls: result.calls };
  await writeFile(join(directory, 'trace.json'), `${JSON.stringify(trace, null, 1)}\n`);
}
