import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rasterizePolygon } from '../../vision/index.js';
import { exportReasonSeg, exportVqa, pythonJson } from './export.js';
import { buildReasonSegSample } from './reasonseg-sample.js';

const labelMeSchema = z.object({
  text: z.array(z.string()).min(1),
  is_sentence: z.boolean(),
  shapes: z.array(z.object({ label: z.string(), points: z.array(z.tuple([z.number(), z.number()])) })),
  imageWidth: z.number().int(),
  imageHeight: z.number().int(),
});

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'synthworld-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folderBytes(folder: string): Promise<Map<string, Buffer>> {
  const entries = new Map<string, Buffer>();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    entries.set(path.slice(folder.length), await readFile(path));
  }
  return entries;
}

function expectSameFolders(first: Map<string, Buffer>, second: Map<string, Buffer>): void {
  expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
  for (const [name, bytes] of first) expect(bytes.equals(second.get(name) ?? Buffer.alloc(0)), `${name} differs between runs`).toBe(true);
}

describe('SynthWorld dataset export', () => {
  it('writes byte-identical ReasonSeg folders for the same seed, and a simulated-data manifest', async () => {
    await exportReasonSeg({ n: 20, seed: 1, out: join(root, 'a') });
    await exportReasonSeg({ n: 20, seed: 1, out: join(root, 'b') });
    const first = await folderBytes(join(root, 'a'));
    expectSameFolders(first, await folderBytes(join(root, 'b')));
    expect(first.size).toBe(42);
    const facts = (first.get('/sim-queries.jsonl') ?? Buffer.alloc(0)).toString().trim().split('\n');
    expect(facts.length).toBe(20);
    expect(Object.keys(JSON.parse(facts[0] ?? '{}') as object)).toEqual(['name', 'steps', 'is_sentence', 'has_target', 'ignore_regions']);
    const manifest = JSON.parse((await readFile(join(root, 'a', 'sim-manifest.json'))).toString()) as Record<string, unknown>;
    expect(manifest).toMatchObject({ simulated: true, seed: 1, n: 20, task: 'reasonseg' });
    expect(String(manifest['description'])).toContain('simulated');
  }, 120_000);

  it('reads back every exported target, rasterised in decreasing area order, as exactly the rendered mask', async () => {
    const names = (await readdir(join(root, 'a'))).filter((name) => name.endsWith('.json') && name.startsWith('synth-')).sort();
    expect(names.length).toBe(20);
    let targets = 0;
    let withIgnore = 0;
    for (const [index, name] of names.entries()) {
      const labelme = labelMeSchema.parse(JSON.parse((await readFile(join(root, 'a', name))).toString()));
      const size = { width: labelme.imageWidth, height: labelme.imageHeight };
      // LISA: truncate points, rasterise each shape, draw larger areas first (stable), ignore → 255, else 1.
      const rasters = labelme.shapes.map((shape) => {
        const points = shape.points.map(([x, y]) => [Math.trunc(x), Math.trunc(y)] as const);
        const mask = rasterizePolygon(size, points);
        return { label: shape.label, mask, area: mask.data.reduce((sum, value) => sum + value, 0) };
      });
      const labels = new Uint8Array(size.width * size.height);
      for (const raster of [...rasters].sort((a, b) => b.area - a.area)) {
        const value = raster.label.includes('ignore') ? 255 : 1;
        raster.mask.data.forEach((on, pixel) => {
          if (on === 1) labels[pixel] = value;
        });
      }
      const sample = buildReasonSegSample(1, index);
      const target = sample.query.targetIndex === null ? null : sample.rendered.instanceMasks[sample.query.targetIndex];
      let mismatches = 0;
      for (let pixel = 0; pixel < labels.length; pixel += 1) {
        if ((labels[pixel] === 1) !== (target?.data[pixel] === 1)) mismatches += 1;
      }
      expect(mismatches, `${name}: "${labelme.text[0]}"`).toBe(0);
      const ignored = labels.reduce((count, value) => count + (value === 255 ? 1 : 0), 0);
      expect(ignored > 0, `${name}: ignore pixels present exactly when look-alikes were exported`).toBe(sample.ignoreIndices.length > 0);
      withIgnore += sample.ignoreIndices.length > 0 ? 1 : 0;
      expect(labelme.text[0]).toBe(sample.query.query);
      targets += target === null || target === undefined ? 0 : 1;
    }
    expect(targets, 'most samples have a target').toBeGreaterThan(14);
    expect(withIgnore, 'some samples carry ignore regions').toBeGreaterThan(0);
  }, 120_000);

  it('writes byte-identical MATH-V layout folders with hidden tags kept in a sidecar', async () => {
    await exportVqa({ n: 8, seed: 3, out: join(root, 'v1') });
    await exportVqa({ n: 8, seed: 3, out: join(root, 'v2') });
    const first = await folderBytes(join(root, 'v1'));
    expectSameFolders(first, await folderBytes(join(root, 'v2')));
    const lines = (first.get('/problems.jsonl') ?? Buffer.alloc(0)).toString().trim().split('\n');
    expect(lines.length).toBe(8);
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    expect(Object.keys(record)).toEqual(['id', 'question', 'options', 'answer', 'solution', 'level', 'subject', 'image']);
    expect(record['image']).toBe('images/1.jpg');
    expect(first.has('/images/8.jpg')).toBe(true);
    expect(lines[0]).not.toContain('trap');
    const tags = (first.get('/hidden-tags.jsonl') ?? Buffer.alloc(0)).toString().trim().split('\n');
    expect(Object.keys(JSON.parse(tags[0] ?? '{}') as object)).toEqual(['id', 'skill', 'trap']);
  }, 60_000);

  it('serialises JSON the way Python json.dumps does', () => {
    expect(pythonJson({ id: '4', options: ['A', 'B'], solution: null, level: 1 })).toBe('{"id": "4", "options": ["A", "B"], "solution": null, "level": 1}');
    expect(pythonJson({ question: 'a, b: c\n<image1>' })).toBe('{"question": "a, b: c\\n<image1>"}');
  });

  it('rejects a non-positive sample count with an invalid-input error', async () => {
    await expect(exportReasonSeg({ n: 0, seed: 1, out: join(root, 'bad') })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
