/**
 * Regenerates the bundled example: examples/reasonseg-mini/ (4 tiny drawn images + ReasonSeg JSON) and
 * examples/reasonseg-mini-predictions.json (hand-made "predictions" as COCO RLE, one sample left out so
 * the `missing` report shows up). Run: npx tsx examples/make-reasonseg-mini.ts
 * The images are synthetic drawings, not real photos, and the predictions come from no model.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { createMask } from '../src/core/index.js';
import type { Mask } from '../src/core/index.js';
import { encodeRle, fillPolygon } from '../src/vision/index.js';

type Point = readonly [number, number];
type Colour = readonly [number, number, number];

interface ExampleShape {
  label: string;
  points: Point[];
  colour: Colour;
}

interface Example {
  name: string;
  width: number;
  height: number;
  text: string[];
  isSentence: boolean;
  background: Colour;
  shapes: ExampleShape[];
  /** Polygons of the fake prediction; undefined = no prediction written (reported as missing). */
  prediction?: Point[][];
}

const examples: Example[] = [
  {
    name: 'red-cup',
    width: 64,
    height: 48,
    text: ['the red cup', 'red mug'],
    isSentence: false,
    background: [222, 214, 196],
    shapes: [
      { label: 'target', points: [[20, 14], [40, 14], [38, 38], [22, 38]], colour: [200, 30, 40] },
      { label: 'flag', points: [[0, 0], [4, 0], [4, 4]], colour: [222, 214, 196] },
    ],
    prediction: [[[21, 15], [41, 15], [39, 39], [23, 39]]],
  },
  {
    name: 'shade-tree',
    width: 80,
    height: 60,
    text: ['Which object would give the most shade on a sunny afternoon?'],
    isSentence: true,
    background: [150, 200, 240],
    shapes: [
      { label: 'target', points: [[30, 8], [52, 12], [56, 34], [44, 40], [44, 56], [38, 56], [38, 40], [26, 34]], colour: [40, 120, 50] },
      { label: 'ignore', points: [[60, 40], [76, 40], [76, 56], [60, 56]], colour: [90, 90, 90] },
      { label: 'lamp', points: [[8, 30], [12, 30], [12, 56], [8, 56]], colour: [60, 60, 60] },
    ],
    prediction: [[[28, 10], [54, 10], [54, 38], [28, 38]], [[61, 41], [75, 41], [75, 55]]],
  },
  {
    name: 'two-boats',
    width: 72,
    height: 54,
    text: ['Something that could carry people across the lake'],
    isSentence: true,
    background: [70, 110, 170],
    shapes: [
      { label: 'target', points: [[6, 30], [28, 30], [24, 38], [10, 38]], colour: [240, 240, 240] },
      { label: 'target', points: [[40, 20], [66, 20], [62, 28], [44, 28]], colour: [230, 200, 60] },
    ],
    prediction: [[[6, 30], [28, 30], [24, 38], [10, 38]]],
  },
  {
    name: 'no-giraffe',
    width: 48,
    height: 48,
    text: ['the giraffe'],
    isSentence: false,
    background: [200, 190, 150],
    shapes: [{ label: 'rock', points: [[10, 30], [30, 28], [34, 44], [12, 44]], colour: [120, 110, 100] }],
  },
];

function drawImage(example: Example): Buffer {
  const pixels = Buffer.alloc(example.width * example.height * 3);
  for (let index = 0; index < example.width * example.height; index += 1) pixels.set(example.background, index * 3);
  for (const shape of example.shapes) {
    const mask = createMask(example.width, example.height);
    fillPolygon(mask, shape.points, 1);
    mask.data.forEach((value, index) => {
      if (value === 1) pixels.set(shape.colour, index * 3);
    });
  }
  return pixels;
}

function predictionMask(example: Example, polygons: Point[][]): Mask {
  const mask = createMask(example.width, example.height);
  for (const polygon of polygons) fillPolygon(mask, polygon, 1);
  return mask;
}

async function main(): Promise<void> {
  const root = path.dirname(new URL(import.meta.url).pathname);
  const folder = path.join(root, 'reasonseg-mini');
  await mkdir(folder, { recursive: true });
  const predictions: Record<string, unknown> = {};
  for (const example of examples) {
    // Scenery (lamp, rock) is drawn but not annotated: ReasonSeg treats every label except flag/ignore as target.
    const annotationShapes = example.shapes
      .filter((shape) => ['target', 'ignore', 'flag'].includes(shape.label))
      .map((shape) => ({ label: shape.label, points: shape.points, group_id: null, shape_type: 'polygon', flags: {} }));
    const annotation = {
      version: '5.0.1',
      flags: {},
      text: example.text,
      is_sentence: example.isSentence,
      shapes: annotationShapes,
      imagePath: `${example.name}.jpg`,
      imageData: null,
      imageHeight: example.height,
      imageWidth: example.width,
    };
    await sharp(drawImage(example), { raw: { width: example.width, height: example.height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(path.join(folder, `${example.name}.jpg`));
    await writeFile(path.join(folder, `${example.name}.json`), `${JSON.stringify(annotation, null, 1)}\n`);
    if (example.prediction !== undefined) predictions[example.name] = encodeRle(predictionMask(example, example.prediction));
  }
  await writeFile(path.join(root, 'reasonseg-mini-predictions.json'), `${JSON.stringify(predictions, null, 1)}\n`);
  process.stdout.write(`wrote ${examples.length} samples to ${folder} and ${Object.keys(predictions).length} predictions\n`);
}

await main();
