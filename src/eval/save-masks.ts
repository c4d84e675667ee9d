import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { mmevolveError } from '../core/index.js';
import type { CocoRle } from '../vision/index.js';
import { cocoRleSchema, decodeRle, encodeMaskPng } from '../vision/index.js';
import type { SegmentationLine } from './segmentation-run.js';

/**
 * `eval --save-masks DIR`: every finished sample's final mask as DIR/<name>.png (0/255, original size) and
 * all of them in DIR/predictions.json (name → COCO RLE), both readable by `mmevolve score --predictions`.
 * Written from the run's trace files when the run ends (resumed samples included), so the folder always
 * matches results.jsonl. Failed samples have no prediction; `score` counts a missing one as an empty mask,
 * exactly as the run scored them.
 */
export const SAVED_PREDICTIONS_FILE = 'predictions.json';

const traceRleSchema = z.looseObject({ rle: cocoRleSchema });

export async function saveRunMasks(runDirectory: string, lines: readonly SegmentationLine[], directory: string): Promise<{ written: number }> {
  await mkdir(directory, { recursive: true });
  const predictions: Record<string, CocoRle> = {};
  for (const line of lines) {
    if (line.status !== 'ok' || line.trace === undefined) continue;
    const traceFile = path.join(runDirectory, line.trace);
    let parsed: z.infer<typeof traceRleSchema>;
    try {
      parsed = traceRleSchema.parse(JSON.parse(await readFile(traceFile, 'utf8')));
    } catch (error) {
      throw mmevolveError('invalid-dataset', `trace ${traceFile} has no readable mask`, 'The run folder was edited or damaged; rerun the sample in a fresh run folder.', error);
    }
    predictions[line.id] = parsed.rle;
    await writeFile(path.join(directory, `${line.id}.png`), await encodeMaskPng(decodeRle(parsed.rle)));
  }
  await writeFile(path.join(directory, SAVED_PREDICTIONS_FILE), `${JSON.stringify(predictions)}\n`);
  return { written: Object.keys(predictions).length };
}
