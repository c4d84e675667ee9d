import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadReferDataset } from '../../eval/index.js';
import { createMask } from '../../core/index.js';
import { encodeRle } from '../../vision/index.js';
import { runScoreCommand } from './score.js';

const root = new URL('../../eval/datasets/__fixtures__/refer/', import.meta.url).pathname;
const images = path.join(root, 'images');
const folders: string[] = [];
afterAll(async () => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));

async function predictionsFile(entries: Record<string, unknown>): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'mmevolve-score-refer-'));
  folders.push(folder);
  const file = path.join(folder, 'predictions.json');
  await writeFile(file, JSON.stringify(entries));
  return file;
}

describe('mmevolve score on the RefCOCO family', () => {
  it('scores perfect RefCOCO predictions as gIoU = cIoU = 1 on the val split', async () => {
    const dataset = await loadReferDataset({ format: 'refcoco', directory: path.join(root, 'refcoco'), split: 'val', images });
    const entries = Object.fromEntries(await Promise.all(dataset.samples.map(async (sample) => [sample.name, encodeRle(await sample.groundTruth())] as const)));
    const { stdout } = await runScoreCommand({ dataset: path.join(root, 'refcoco'), format: 'refcoco', split: 'val', images, predictions: await predictionsFile(entries), json: true });
    const report = JSON.parse(stdout) as { giou: number; ciou: number; n: number; missing: string[] };
    expect(report.n).toBe(3);
    expect(report.missing).toEqual([]);
    expect(report.giou).toBeCloseTo(1, 5);
    expect(report.ciou).toBeCloseTo(1, 9);
  });

  it('fails naming the predictions location when no sample has a prediction', async () => {
    const file = await predictionsFile({ 'some-other-name': encodeRle(createMask(2, 2)) });
    await expect(runScoreCommand({ dataset: path.join(root, 'refcoco'), format: 'refcoco', split: 'val', images, predictions: file })).rejects.toThrow(
      new RegExp(`none of the 3 samples has a prediction in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });

  it('reports gRefCOCO N-acc and T-acc, an empty mask answering "no target"', async () => {
    const dataset = await loadReferDataset({ format: 'grefcoco', directory: path.join(root, 'grefcoco'), split: 'val', images });
    const [both, , triangle] = dataset.samples;
    const entries = {
      [both!.name]: encodeRle(await both!.groundTruth()), // targeted, perfect: IoU 1 (TN)
      // r1_s1 (no target) is missing → empty mask → "no target": IoU 1 (TP)
      [triangle!.name]: encodeRle(createMask(triangle!.width, triangle!.height)), // targeted, empty: FP, IoU 0
    };
    const { stdout } = await runScoreCommand({ dataset: path.join(root, 'grefcoco'), format: 'grefcoco', split: 'val', images, predictions: await predictionsFile(entries), json: true });
    const report = JSON.parse(stdout) as { grefcoco: { giou: number; nAcc: number; tAcc: number; confusion: Record<string, number> } };
    expect(report.grefcoco.confusion).toEqual({ TP: 1, TN: 1, FP: 1, FN: 0 });
    expect(report.grefcoco.giou).toBeCloseTo(2 / 3, 12);
    expect(report.grefcoco.nAcc).toBe(1);
    expect(report.grefcoco.tAcc).toBe(0.5);
    const table = (await runScoreCommand({ dataset: path.join(root, 'grefcoco'), format: 'grefcoco', split: 'val', images, predictions: await predictionsFile(entries) })).stdout;
    expect(table).toContain('N-acc 100.00%  T-acc 50.00%');
  });
});
