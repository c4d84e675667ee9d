import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mask } from '../core/index.js';
import { createMask, isMmevolveError } from '../core/index.js';
import { encodeRle } from '../vision/index.js';
import { scoreReasonSeg } from './score.js';

const temporaryDirectories: string[] = [];

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-score-'));
  temporaryDirectories.push(directory);
  return directory;
}

async function writePng(file: string, mask: Mask, foreground = 255): Promise<void> {
  const pixels = Buffer.from(mask.data.map((value) => (value > 0 ? foreground : 0)));
  await sharp(pixels, { raw: { width: mask.width, height: mask.height, channels: 1 } }).png().toFile(file);
}

/** Columns [x0, x1) × rows [y0, y1) set to 1. */
function rectangleMask(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Mask {
  const mask = createMask(width, height);
  for (let y = y0; y < y1; y += 1) for (let x = x0; x < x1; x += 1) mask.data[y * width + x] = 1;
  return mask;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isMmevolveError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the promise to reject with an MmevolveError');
}

let dataset = '';

beforeAll(async () => {
  dataset = await temporaryDirectory();
  const image = sharp({ create: { width: 10, height: 10, channels: 3, background: { r: 10, g: 20, b: 30 } } });
  await image.clone().jpeg().toFile(path.join(dataset, 'square.jpg'));
  await image.clone().png().toFile(path.join(dataset, 'empty.png'));
  // OpenCV draws the closed outline plus interior: pixels 2..5 in both directions, 16 pixels.
  const square = { label: 'target', points: [[2, 2], [5, 2], [5, 5], [2, 5]] };
  await writeFile(path.join(dataset, 'square.json'), JSON.stringify({ text: ['the square'], is_sentence: false, shapes: [square] }));
  await writeFile(path.join(dataset, 'empty.json'), JSON.stringify({ text: ['Where is the unicorn?'], is_sentence: true, shapes: [] }));
});

afterAll(async () => {
  await Promise.all(temporaryDirectories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('scoreReasonSeg', () => {
  it('scores a PNG folder and counts a missing prediction as an empty mask', async () => {
    const predictions = await temporaryDirectory();
    // Half of the target: columns 2..3, rows 2..5 → I = 8, U = 16.
    await writePng(path.join(predictions, 'square.png'), rectangleMask(10, 10, 2, 2, 4, 6));
    const report = await scoreReasonSeg(dataset, predictions);
    expect(report.missing).toEqual(['empty']);
    expect(report.n).toBe(2);
    // empty: nothing to find and nothing predicted → IoU 1, union 0.
    expect(report.giou).toBeCloseTo((8 / (16 + 1e-5) + 1) / 2, 12);
    expect(report.ciou).toBe(8 / (16 + 1e-10));
    expect(report.subsets.short).toEqual({ giou: 8 / (16 + 1e-5), ciou: 8 / (16 + 1e-10), n: 1 });
    expect(report.subsets.long).toEqual({ giou: 1, ciou: 0, n: 1 });
  });

  it('treats any non-zero PNG value as foreground', async () => {
    const predictions = await temporaryDirectory();
    await writePng(path.join(predictions, 'square.png'), rectangleMask(10, 10, 2, 2, 6, 6), 1);
    await writePng(path.join(predictions, 'empty.png'), createMask(10, 10));
    const report = await scoreReasonSeg(dataset, predictions);
    expect(report.missing).toEqual([]);
    expect(report.subsets.short.giou).toBe(16 / (16 + 1e-5));
  });

  it('scores a JSON file of COCO RLEs and warns about predictions that match no sample', async () => {
    const folder = await temporaryDirectory();
    const file = path.join(folder, 'predictions.json');
    const predictions = {
      square: encodeRle(rectangleMask(10, 10, 2, 2, 6, 6)),
      empty: encodeRle(rectangleMask(10, 10, 0, 0, 1, 1)),
      stray: encodeRle(createMask(3, 3)),
    };
    await writeFile(file, JSON.stringify(predictions));
    const report = await scoreReasonSeg(dataset, file);
    expect(report.missing).toEqual([]);
    // empty now has one predicted pixel and no target → IoU 0, U = 1.
    expect(report.subsets.long).toEqual({ giou: 0, ciou: 0, n: 1 });
    expect(report.ciou).toBe(16 / (17 + 1e-10));
    expect(report.warnings.map((warning) => warning.code)).toEqual(['unused-predictions']);
    expect(report.warnings[0]?.message).toContain('stray');
  });

  it('names the PNG and both sizes when a prediction has the wrong size', async () => {
    const predictions = await temporaryDirectory();
    await writePng(path.join(predictions, 'square.png'), createMask(12, 9));
    const { code, message } = await failure(scoreReasonSeg(dataset, predictions));
    expect(code).toBe('size-mismatch');
    expect(message).toContain('square.png');
    expect(message).toContain('12×9');
    expect(message).toContain('10×10');
  });

  it('names the RLE entry when its size differs from the image', async () => {
    const folder = await temporaryDirectory();
    const file = path.join(folder, 'predictions.json');
    await writeFile(file, JSON.stringify({ square: encodeRle(createMask(5, 10)) }));
    const { code, message } = await failure(scoreReasonSeg(dataset, file));
    expect(code).toBe('size-mismatch');
    expect(message).toContain('predictions.json#square');
    expect(message).toContain('5×10');
  });

  it('rejects a predictions file that is not a map of RLEs, pointing at the bad entry', async () => {
    const folder = await temporaryDirectory();
    const file = path.join(folder, 'predictions.json');
    await writeFile(file, JSON.stringify({ square: { size: [10, 10] } }));
    const { code, message } = await failure(scoreReasonSeg(dataset, file));
    expect(code).toBe('invalid-input');
    expect(message).toContain('square.counts');
    await writeFile(file, '{ not json');
    expect((await failure(scoreReasonSeg(dataset, file))).message).toContain('not valid JSON');
  });

  it('rejects an RLE whose counts do not cover the image', async () => {
    const folder = await temporaryDirectory();
    const file = path.join(folder, 'predictions.json');
    await writeFile(file, JSON.stringify({ square: { size: [10, 10], counts: '52' } }));
    const { code, message } = await failure(scoreReasonSeg(dataset, file));
    expect(code).toBe('invalid-rle');
    expect(message).toContain('square');
  });

  it('expects predictions at the displayed size of an EXIF-rotated JPEG', async () => {
    const rotated = await temporaryDirectory();
    // Stored 20×10 with orientation 6: displayed (and scored, like OpenCV imread) as 10×20.
    await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(path.join(rotated, 'turned.jpg'));
    const tall = { label: 'target', points: [[0, 0], [9, 0], [9, 19], [0, 19]] };
    await writeFile(path.join(rotated, 'turned.json'), JSON.stringify({ text: ['all'], is_sentence: false, shapes: [tall] }));
    const upright = await temporaryDirectory();
    await writePng(path.join(upright, 'turned.png'), rectangleMask(10, 20, 0, 0, 10, 20));
    const report = await scoreReasonSeg(rotated, upright);
    expect(report.giou).toBe(200 / (200 + 1e-5));
    const sideways = await temporaryDirectory();
    await writePng(path.join(sideways, 'turned.png'), rectangleMask(20, 10, 0, 0, 20, 10));
    const { code, message } = await failure(scoreReasonSeg(rotated, sideways));
    expect(code).toBe('size-mismatch');
    expect(message).toContain('20×10');
  });

  it('reports a predictions path that does not exist', async () => {
    const { code } = await failure(scoreReasonSeg(dataset, path.join(dataset, 'nothing-here')));
    expect(code).toBe('not-found');
  });

  it('scores the bundled example dataset with one prediction missing', async () => {
    const root = new URL('../../examples/', import.meta.url).pathname;
    const report = await scoreReasonSeg(path.join(root, 'reasonseg-mini'), path.join(root, 'reasonseg-mini-predictions.json'));
    expect(report.n).toBe(4);
    expect(report.missing).toEqual(['no-giraffe']);
    expect(report.subsets.short.n).toBe(2);
    expect(report.subsets.long.n).toBe(2);
    expect(report.giou).not.toBeNull();
    expect(report.giou ?? 0).toBeGreaterThan(0);
    expect(report.giou ?? 1).toBeLessThan(1);
  });
});
