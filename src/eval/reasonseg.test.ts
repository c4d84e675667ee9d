import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMmevolveError } from '../core/index.js';
import { loadGroundTruth, rasterizeGroundTruth } from './reasonseg.js';
import { loadReasonSegDataset, loadReasonSegFolder } from './reasonseg-folder.js';

interface GoldenCase {
  name: string;
  width: number;
  height: number;
  annotation: { text: string[]; is_sentence: boolean; shapes: Array<{ label: string; points: number[][] }> };
  mask: string;
}

// Drawn by native OpenCV 4.6 following LISA's get_mask_from_json (see __fixtures__/make-reasonseg-golden.py).
const golden = JSON.parse(
  readFileSync(new URL('./__fixtures__/reasonseg-golden.json', import.meta.url), 'utf8'),
) as { opencv: string; cases: GoldenCase[] };

// The same annotations drawn the LISA way by OpenCV.js 4.8, LISA's pinned opencv_python==4.8.0.74
// (scripts/fixtures/reasonseg-opencv-js.cjs).
const golden48 = JSON.parse(
  readFileSync(new URL('./__fixtures__/reasonseg-golden-opencv-4.8.json', import.meta.url), 'utf8'),
) as { opencv: string; masks: Array<{ name: string; mask: string }> };

function differingPixels(actual: Uint8Array, expectedBase64: string): number {
  const expected = new Uint8Array(Buffer.from(expectedBase64, 'base64'));
  if (expected.length !== actual.length) return Math.max(expected.length, actual.length);
  return actual.reduce((count, value, index) => count + (value === expected[index] ? 0 : 1), 0);
}

const temporaryDirectories: string[] = [];

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-reasonseg-'));
  temporaryDirectories.push(directory);
  return directory;
}

async function writeImage(file: string, width: number, height: number): Promise<void> {
  const image = sharp({ create: { width, height, channels: 3, background: { r: 90, g: 140, b: 200 } } });
  await (file.endsWith('.png') ? image.png() : image.jpeg()).toFile(file);
}

async function writeSample(directory: string, name: string, annotation: unknown, size = { width: 8, height: 6 }, extension = '.jpg'): Promise<void> {
  await writeImage(path.join(directory, name + extension), size.width, size.height);
  await writeFile(path.join(directory, `${name}.json`), JSON.stringify(annotation));
}

async function loadError(directory: string): Promise<{ code: string; message: string }> {
  try {
    await loadReasonSegDataset(directory);
  } catch (error) {
    if (isMmevolveError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`loading ${directory} should have failed`);
}

const triangle = { label: 'target', points: [[1, 1], [6, 1], [3, 4]] };

afterAll(async () => {
  await Promise.all(temporaryDirectories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('loadGroundTruth', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await temporaryDirectory();
    for (const [index, sample] of golden.cases.entries()) {
      const extension = ['.jpg', '.png', '.jpeg'][index % 3] ?? '.jpg';
      await writeSample(directory, sample.name, sample.annotation, sample, extension);
    }
  });

  it('reproduces the label maps LISA draws under its pinned OpenCV 4.8, case by case', async () => {
    expect(golden48.opencv).toMatch(/^4\.8\./);
    const samples = await loadReasonSegDataset(directory);
    expect(samples.map((sample) => sample.name)).toEqual(golden48.masks.map((sample) => sample.name).sort());
    for (const sample of samples) {
      const expected = golden48.masks.find((candidate) => candidate.name === sample.name);
      const size = golden.cases.find((candidate) => candidate.name === sample.name);
      if (expected === undefined || size === undefined) throw new Error(`no golden case for ${sample.name}`);
      const labelMap = await loadGroundTruth(sample);
      expect({ width: labelMap.width, height: labelMap.height }).toEqual({ width: size.width, height: size.height });
      expect(differingPixels(labelMap.data, expected.mask), `${sample.name}: pixels differing from OpenCV 4.8/LISA`).toBe(0);
    }
  });

  it('reproduces the label maps native OpenCV 4.6 draws when asked for 4.6, and 4.8 differs on some', async () => {
    expect(golden.opencv).toMatch(/^4\.6\./);
    const samples = await loadReasonSegDataset(directory);
    let changedBy48 = 0;
    for (const sample of samples) {
      const expected = golden.cases.find((candidate) => candidate.name === sample.name);
      if (expected === undefined) throw new Error(`no golden case for ${sample.name}`);
      const labelMap = rasterizeGroundTruth(sample, sample.shapes, { opencv: '4.6' });
      expect(differingPixels(labelMap.data, expected.mask), `${sample.name}: pixels differing from OpenCV 4.6`).toBe(0);
      if (golden48.masks.find((candidate) => candidate.name === sample.name)?.mask !== expected.mask) changedBy48 += 1;
    }
    expect(changedBy48, 'the golden cases exercise the 4.6 → 4.8 fillPoly change').toBeGreaterThan(0);
  });

  it('puts the earlier of two equal-area shapes on top, as np.argsort(...)[::-1] does', async () => {
    const samples = await loadReasonSegDataset(directory);
    const tie = samples.find((sample) => sample.name === 'equal-area-tie');
    const reversed = samples.find((sample) => sample.name === 'equal-area-tie-reversed');
    if (tie === undefined || reversed === undefined) throw new Error('tie cases missing from the golden file');
    // Pixel (3, 2) is covered by both rectangles: target wins when listed first, ignore when listed first.
    expect((await loadGroundTruth(tie)).data[2 * 10 + 3]).toBe(1);
    expect((await loadGroundTruth(reversed)).data[2 * 10 + 3]).toBe(255);
  });

  it('orders more than 16 equal-area shapes like numpy 1.24\'s introsort, not like a stable sort', () => {
    // 17 equal 3x3 squares in a row; square 15 (ignore) overlaps square 8 (target) at pixel (33, 1).
    // np.argsort of 17 equal areas is [0, 14, 13, …, 9, 15, 8, 6, …, 1, 7, 16]; reversed, 8 is drawn
    // before 15, so the ignore label ends on top (a stable order would draw 15 first and leave target).
    const square = (x: number, y: number): Array<readonly [number, number]> => [[x, y], [x + 2, y], [x + 2, y + 2], [x, y + 2]];
    const shapes = Array.from({ length: 17 }, (_, index) => ({
      label: index === 15 ? 'ignore' : 'target',
      points: index === 15 ? square(33, 1) : square(index * 4, 0),
    }));
    const labelMap = rasterizeGroundTruth({ width: 68, height: 5 }, shapes);
    expect(labelMap.data[1 * 68 + 33], 'pixel covered by shapes 8 and 15').toBe(255);
    expect(labelMap.data[0 * 68 + 33], 'pixel covered by shape 8 only').toBe(1);
  });

  it('warns once per file about points outside the image and clips them', async () => {
    const samples = await loadReasonSegDataset(directory);
    const outside = samples.find((sample) => sample.name === 'outside-points');
    expect(outside?.warnings).toHaveLength(1);
    expect(outside?.warnings[0]?.code).toBe('points-clipped');
    expect(outside?.warnings[0]?.message).toContain('outside-points.json');
    const nested = samples.find((sample) => sample.name === 'nested-ignore');
    expect(nested?.warnings).toEqual([]);
  });
});

describe('loadReasonSegDataset', () => {
  it('reads queries, subset and image size, sorted by name', async () => {
    const directory = await temporaryDirectory();
    await writeSample(directory, 'b', { text: ['the long question?', 'alt'], is_sentence: true, shapes: [triangle] }, { width: 7, height: 5 }, '.png');
    await writeSample(directory, 'a', { text: ['cup'], is_sentence: false, shapes: [], imagePath: 'a.jpg', version: '4.5.6', flags: {} });
    const samples = await loadReasonSegDataset(directory);
    expect(samples.map((sample) => sample.name)).toEqual(['a', 'b']);
    expect(samples[1]).toMatchObject({
      query: 'the long question?',
      queries: ['the long question?', 'alt'],
      isSentence: true,
      width: 7,
      height: 5,
      imagePath: path.join(directory, 'b.png'),
    });
    expect(samples[0]).toMatchObject({ query: 'cup', isSentence: false, width: 8, height: 6 });
  });

  it('takes the size of an EXIF-rotated JPEG as displayed (orientation 6 swaps the sides)', async () => {
    const directory = await temporaryDirectory();
    await sharp({ create: { width: 20, height: 10, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(path.join(directory, 'rotated.jpg'));
    await writeFile(path.join(directory, 'rotated.json'), JSON.stringify({ text: ['x'], is_sentence: false, shapes: [] }));
    const [sample] = await loadReasonSegDataset(directory);
    expect({ width: sample?.width, height: sample?.height }).toEqual({ width: 10, height: 20 });
  });

  it('reads annotations written in cp1252, like LISA falls back to', async () => {
    const directory = await temporaryDirectory();
    await writeImage(path.join(directory, 'quote.jpg'), 4, 4);
    const text = '{"text": ["the \x93red\x94 cup"], "is_sentence": false, "shapes": []}';
    await writeFile(path.join(directory, 'quote.json'), Buffer.from(text, 'latin1'));
    const [sample] = await loadReasonSegDataset(directory);
    expect(sample?.query).toBe('the \u201Cred\u201D cup');
  });

  it('names the file when the JSON is malformed', async () => {
    const directory = await temporaryDirectory();
    await writeImage(path.join(directory, 'broken.jpg'), 4, 4);
    await writeFile(path.join(directory, 'broken.json'), '{"text": ["a"], ');
    const failure = await loadError(directory);
    expect(failure.code).toBe('invalid-dataset');
    expect(failure.message).toContain('broken.json');
    expect(failure.message).toContain('not valid JSON');
  });

  it('names the file when text is missing or empty', async () => {
    const directory = await temporaryDirectory();
    await writeSample(directory, 'notext', { is_sentence: false, shapes: [] });
    const failure = await loadError(directory);
    expect(failure.message).toContain('notext.json');
    expect(failure.message).toContain('text');
    const emptyDirectory = await temporaryDirectory();
    await writeSample(emptyDirectory, 'empty', { text: [], is_sentence: false, shapes: [] });
    expect((await loadError(emptyDirectory)).message).toContain('empty.json');
  });

  it('rejects malformed shapes with the path of the bad field', async () => {
    const directory = await temporaryDirectory();
    await writeSample(directory, 'shape', { text: ['a'], is_sentence: false, shapes: [{ label: 'x', points: [[1, 'two']] }] });
    const failure = await loadError(directory);
    expect(failure.message).toContain('shape.json');
    expect(failure.message).toContain('shapes.0.points');
  });

  it('names the annotation whose image is missing, and the image whose annotation is missing', async () => {
    const directory = await temporaryDirectory();
    await writeFile(path.join(directory, 'lonely.json'), JSON.stringify({ text: ['a'], is_sentence: false, shapes: [] }));
    const failure = await loadError(directory);
    expect(failure.code).toBe('invalid-dataset');
    expect(failure.message).toContain('lonely.json');
    expect(failure.message).toContain('has no image');
    const other = await temporaryDirectory();
    await writeImage(path.join(other, 'orphan.png'), 3, 3);
    await writeSample(other, 'fine', { text: ['a'], is_sentence: false, shapes: [] });
    expect((await loadError(other)).message).toContain('orphan.png');
  });

  it('reports a missing folder and a folder without annotations', async () => {
    expect((await loadError(path.join(tmpdir(), 'mmevolve-no-such-folder-8731'))).code).toBe('not-found');
    const empty = await temporaryDirectory();
    expect((await loadError(empty)).message).toContain('no ReasonSeg samples');
  });

  it('marks a folder with a SynthWorld manifest as simulated and ignores unrelated JSON with a warning', async () => {
    const directory = await temporaryDirectory();
    await writeSample(directory, 'scene', { text: ['a'], is_sentence: false, shapes: [triangle] });
    await writeFile(path.join(directory, 'sim-manifest.json'), JSON.stringify({ simulated: true, generator: 'mmevolve SynthWorld' }));
    await writeFile(path.join(directory, 'notes.json'), JSON.stringify({ author: 'someone' }));
    const folder = await loadReasonSegFolder(directory);
    expect(folder.simulated).toBe(true);
    expect(folder.samples.map((sample) => sample.name)).toEqual(['scene']);
    expect(folder.warnings).toHaveLength(1);
    expect(folder.warnings[0]?.code).toBe('not-an-annotation');
    expect(folder.warnings[0]?.message).toContain('notes.json');
  });

  it('does not mark a folder simulated without a manifest', async () => {
    const directory = await temporaryDirectory();
    await writeSample(directory, 'scene', { text: ['a'], is_sentence: false, shapes: [] });
    const folder = await loadReasonSegFolder(directory);
    expect({ simulated: folder.simulated, warnings: folder.warnings }).toEqual({ simulated: false, warnings: [] });
  });

  it('names the image when it cannot be decoded', async () => {
    const directory = await temporaryDirectory();
    await writeFile(path.join(directory, 'junk.jpg'), Buffer.from('not an image'));
    await writeFile(path.join(directory, 'junk.json'), JSON.stringify({ text: ['a'], is_sentence: false, shapes: [] }));
    expect((await loadError(directory)).message).toContain('junk.jpg');
  });
});
