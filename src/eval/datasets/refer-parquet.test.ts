import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMmevolveError } from '../../core/index.js';
import { openDataset } from './open-dataset.js';
import { findParquetFiles, loadReferParquet } from './refer-parquet.js';

// Written by our make-refcoco-parquet-fixture.ts in the lmms-lab/RefCOCO parquet layout (3 rows, 2 images).
const fixture = path.join(import.meta.dirname, '__fixtures__', 'refcoco-parquet');
const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-parquet-test-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function area(data: Uint8Array): number {
  let count = 0;
  for (const value of data) if (value === 1) count += 1;
  return count;
}

describe('RefCOCO parquet copies (lmms-lab layout)', () => {
  it('makes one sample per answer sentence with the embedded images and pycocotools polygon masks', async () => {
    const dataset = await loadReferParquet({ format: 'refcoco', path: fixture, split: 'val', cacheDirectory: path.join(root, 'cache') });
    expect(dataset.scoring).toBe('lisa');
    expect(dataset.samples.map((sample) => sample.name)).toEqual(['q1001_s0', 'q1001_s1', 'q1002_s0', 'q2001_s0', 'q2001_s1', 'q2001_s2']);
    const [first, second, third, fourth] = dataset.samples;
    expect(first?.query).toBe('left box');
    expect(second?.query).toBe('the box on the left');
    expect(second?.queries).toEqual(['left box', 'the box on the left']);
    expect([first?.width, first?.height, fourth?.width, fourth?.height]).toEqual([8, 6, 10, 10]);
    // Two rows of one COCO image share one extracted file, holding the embedded PNG bytes.
    expect(first?.imagePath).toBe(third?.imagePath);
    expect((await readFile(first?.imagePath ?? '')).subarray(1, 4).toString('latin1'), 'the PNG signature').toBe('PNG');

    // Rectangle (1,1)–(5,4): pycocotools fills x 1–4, y 1–3 → 4 · 3 = 12 pixels.
    const rectangle = await first!.groundTruth();
    expect(area(rectangle.data)).toBe(12);
    expect(rectangle.data[1 * 8 + 1], 'pixel (1,1) inside').toBe(1);
    expect(rectangle.data[4 * 8 + 5], 'pixel (5,4) outside').toBe(0);
    // Corner square (6,0)–(8,2): 2 · 2 = 4.
    expect(area((await third!.groundTruth()).data)).toBe(4);
    // Right triangle (0,0), (10,0), (0,10): pycocotools keeps pixels with x + y ≤ 8 → 9 + 8 + … + 1 = 45.
    expect(area((await fourth!.groundTruth()).data)).toBe(45);
  });

  it('reads images from --images by file_name when given, through openDataset', async () => {
    const images = path.join(root, 'train2014');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(images, { recursive: true });
    const sharp = (await import('sharp')).default;
    const blank = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#000' } }).jpeg().toBuffer();
    await writeFile(path.join(images, 'COCO_train2014_000000000001.jpg'), await blank(8, 6));
    await writeFile(path.join(images, 'COCO_train2014_000000000002.jpg'), await blank(10, 10));
    const dataset = await openDataset({ format: 'refcoco', path: fixture, split: 'val', images });
    expect(dataset.samples).toHaveLength(6);
    expect(dataset.samples[0]?.imagePath).toBe(path.join(images, 'COCO_train2014_000000000001.jpg'));
  });

  it('names the splits it found when the asked one is missing', async () => {
    let caught: unknown;
    try {
      await findParquetFiles(fixture, 'testA');
    } catch (error) {
      caught = error;
    }
    expect(isMmevolveError(caught) ? caught.code : 'no MmevolveError').toBe('not-found');
    expect(isMmevolveError(caught) ? caught.message : '').toContain('splits found: val');
  });
});
