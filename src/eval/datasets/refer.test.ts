import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeRle } from '../../vision/index.js';
import { loadReferDataset } from './refer.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '__fixtures__', 'refer');
const images = path.join(root, 'images');
// pycocotools' masks for each annotation, from make-refer-fixture.py.
const golden = JSON.parse(readFileSync(path.join(here, '__fixtures__', 'refer-golden.json'), 'utf8')) as { annotations: Record<string, string> };

describe('loadReferDataset (RefCOCO refs(unc).p + instances.json)', () => {
  it('yields one sample per sentence of the refs in the split, in file order, with the sent text as query', async () => {
    const dataset = await loadReferDataset({ format: 'refcoco', directory: path.join(root, 'refcoco'), split: 'val', images });
    expect(dataset.samples.map((sample) => [sample.name, sample.query])).toEqual([
      ['r0_s0', 'cat on the left'],
      ['r0_s1', 'the tilted café sign'],
      ['r1_s2', 'dog in two parts'],
    ]);
    expect(dataset.scoring).toBe('lisa');
    expect(dataset.samples[0]?.imagePath).toBe(path.join(images, 'COCO_train2014_000000000001.png'));
  });

  it('builds ground truth exactly as pycocotools frPyObjects + decode (two polygons united)', async () => {
    const dataset = await loadReferDataset({ format: 'refcoco', directory: path.join(root, 'refcoco'), split: 'val', images });
    const twoParts = dataset.samples.find((sample) => sample.name === 'r1_s2');
    expect(encodeRle(await twoParts!.groundTruth()).counts, 'annotation 102 (two polygons) differs from pycocotools').toBe(golden.annotations['102']);
    const slanted = dataset.samples[0]!;
    expect(encodeRle(await slanted.groundTruth()).counts, 'annotation 101 differs from pycocotools').toBe(golden.annotations['101']);
  });

  it('reads the testA split and refuses a split the partition does not have', async () => {
    const testA = await loadReferDataset({ format: 'refcoco', directory: path.join(root, 'refcoco'), split: 'testA', images });
    expect(testA.samples.map((sample) => sample.name)).toEqual(['r2_s3']);
    await expect(loadReferDataset({ format: 'refcoco', directory: path.join(root, 'refcoco'), split: 'test', images })).rejects.toThrow(/split "test" does not exist in the unc partition.*/);
    await expect(loadReferDataset({ format: 'refcoco', directory: path.join(root, 'refcoco'), split: 'testB', images })).rejects.toThrow(/no refs in split "testB" \(it has: val, testA, train\)/);
  });

  it('names the refs file it looked for and the missing image folder', async () => {
    await expect(loadReferDataset({ format: 'refcocog', directory: path.join(root, 'refcoco'), split: 'val', images })).rejects.toThrow(/no refs\(umd\)\.p in .*refcoco/);
    await expect(loadReferDataset({ format: 'refcoco', directory: path.join(root, 'refcoco'), split: 'val', images: '/nonexistent' })).rejects.toThrow(/image \/nonexistent\/COCO_train2014_000000000001\.png is missing/);
  });
});

describe('loadReferDataset (gRefCOCO grefs(unc).json)', () => {
  it('marks no-target expressions, unites multi-target masks and skips crowd annotations as ReLA does', async () => {
    const dataset = await loadReferDataset({ format: 'grefcoco', directory: path.join(root, 'grefcoco'), split: 'val', images });
    expect(dataset.scoring).toBe('grefcoco');
    expect(dataset.samples.map((sample) => [sample.name, sample.query, sample.noTarget])).toEqual([
      ['r0_s0', 'both animals', false],
      ['r1_s1', 'the horse', true],
      ['r2_s2', 'triangle and grass', false],
    ]);
    const [both, none, triangle] = dataset.samples;
    const union = await both!.groundTruth();
    const expected101 = await (await loadReferDataset({ format: 'refcoco', directory: path.join(root, 'refcoco'), split: 'val', images })).samples[0]!.groundTruth();
    const area = (mask: { data: Uint8Array }): number => mask.data.reduce((sum, value) => sum + (value > 0 ? 1 : 0), 0);
    expect(area(union), 'the two-target mask should be larger than one target').toBeGreaterThan(area(expected101));
    expect(area(await none!.groundTruth()), 'a no-target expression has an empty ground truth').toBe(0);
    // Crowd annotation 202 is skipped: only the triangle (annotation 201) remains.
    expect(encodeRle(await triangle!.groundTruth()).counts).toBe(golden.annotations['201']);
  });
});
