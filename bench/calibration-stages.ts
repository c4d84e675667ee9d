/**
 * Which stage of evol contributes what (calibration bench, issue 13): from an evol run folder's traces, the
 * gIoU of the evolved text stream alone, of the box stream alone, of the arbitrated final mask, and of a
 * perfect arbiter (the better stream per sample), scored against the dataset's ground truth with the
 * eval's own LISA counts. Reads only files the run wrote; calls no backend.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createMask } from '../src/core/index.js';
import type { Mask } from '../src/core/index.js';
import { openDataset } from '../src/eval/index.js';
import { imageIou, segmentationCounts } from '../src/eval/metrics.js';
import { decodeRle } from '../src/vision/index.js';

interface Rle {
  size: [number, number];
  counts: string;
}

interface EvolTraceFile {
  trace?: { arbitration?: { textRle?: Rle; boxRle?: Rle; decision?: string } };
}

export interface StageScores {
  n: number;
  /** Mean per-image IoU × 100. */
  text: number;
  box: number;
  final: number;
  betterStream: number;
  /** Samples where the arbitration kept the stream with the lower IoU (the streams differing). */
  worsePicked: number;
}

function maskOf(rle: Rle | undefined, width: number, height: number): Mask {
  return rle === undefined ? createMask(width, height) : decodeRle({ size: rle.size, counts: rle.counts });
}

export async function evolStageScores(dataset: string, runFolder: string): Promise<StageScores> {
  const folder = await openDataset({ path: dataset });
  const lines = (await readFile(path.join(runFolder, 'results.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { kind?: string; id?: string; iou?: number; trace?: string });
  const byId = new Map(lines.filter((line) => line.kind === 'segmentation').map((line) => [line.id, line]));
  const sums = { text: 0, box: 0, final: 0, betterStream: 0 };
  let n = 0;
  let worsePicked = 0;
  for (const sample of folder.samples) {
    const line = byId.get(sample.name);
    if (line === undefined) continue;
    const groundTruth = await sample.groundTruth();
    const traceFile = line.trace === undefined ? undefined : (JSON.parse(await readFile(path.join(runFolder, line.trace), 'utf8')) as EvolTraceFile);
    const arbitration = traceFile?.trace?.arbitration;
    const text = imageIou(segmentationCounts(maskOf(arbitration?.textRle, sample.width, sample.height), groundTruth));
    const box = imageIou(segmentationCounts(maskOf(arbitration?.boxRle, sample.width, sample.height), groundTruth));
    const final = line.iou ?? 0;
    sums.text += text;
    sums.box += box;
    sums.final += final;
    sums.betterStream += Math.max(text, box);
    if (Math.abs(text - box) > 1e-6 && final < Math.max(text, box) - 1e-6) worsePicked += 1;
    n += 1;
  }
  const mean = (value: number): number => (n === 0 ? Number.NaN : (100 * value) / n);
  return { n, text: mean(sums.text), box: mean(sums.box), final: mean(sums.final), betterStream: mean(sums.betterStream), worsePicked };
}
