import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Mask } from '../../core/index.js';
import { createMask, mmevolveError } from '../../core/index.js';
import { orMasks } from '../../vision/index.js';
import { segmentationMask } from './coco-segmentation.js';
import { cocoSegmentationSchema } from './coco-segmentation.js';
import type { EvalDataset, EvalSample } from './dataset.js';
import { parseWith } from './refer.js';

/**
 * SA-Co/Gold (facebookresearch/sam3 scripts/eval/gold/README.md): one COCO-style JSON per annotator
 * (`gold_<subset>_merged_{a,b,c}_release_test.json`); each `images` entry is an image–noun-phrase pair
 * (`text_input`, `file_name`, `is_instance_exhaustive`), each annotation an instance mask in COCO RLE.
 * As SAM 3's CGF1Evaluator: only pairs that are instance-exhaustive in the first file and in none of the
 * others marked otherwise are evaluated; crowd annotations are ignored (COCOeval's `ignore = iscrowd`).
 * A pair without annotations is a negative phrase (noTarget). Sample names are the pair ids.
 */
export interface SacoGoldOptions {
  /** The first annotator's file, then the others (oracle setting). */
  annotations: readonly string[];
  images: string;
}

const imageSchema = z.looseObject({
  id: z.number().int(),
  file_name: z.string(),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  text_input: z.string(),
  is_instance_exhaustive: z.union([z.boolean(), z.number()]).optional(),
});
const annotationSchema = z.looseObject({ image_id: z.number().int(), iscrowd: z.union([z.boolean(), z.number()]).optional(), segmentation: cocoSegmentationSchema });
const fileSchema = z.looseObject({ images: z.array(imageSchema), annotations: z.array(annotationSchema) });
type SacoFile = z.infer<typeof fileSchema>;

export async function loadSacoGold(options: SacoGoldOptions): Promise<EvalDataset> {
  const files = await Promise.all(options.annotations.map(readAnnotationFile));
  const [primary, ...others] = files;
  if (primary === undefined) throw mmevolveError('invalid-input', 'no SA-Co/Gold annotation file given', 'Pass --dataset gold_…_a_release_test.json.');
  const excluded = new Set(others.flatMap((file) => file.data.images.filter((image) => !truthy(image.is_instance_exhaustive)).map((image) => image.id)));
  const byImage = files.map((file) => groupAnnotations(file.data));
  const samples: EvalSample[] = [];
  const imageChecks = new Map<string, Promise<void>>();
  for (const image of primary.data.images) {
    if (!truthy(image.is_instance_exhaustive) || excluded.has(image.id)) continue;
    const imagePath = path.join(options.images, image.file_name);
    if (!imageChecks.has(imagePath)) imageChecks.set(imagePath, requireImage(imagePath, options.images));
    const instanceSets = async (): Promise<Mask[][]> =>
      Promise.resolve(byImage.map((groups, index) => (groups.get(image.id) ?? []).map((annotation, annotationIndex) =>
        segmentationMask(annotation.segmentation, image.width, image.height, `${files[index]?.file ?? ''} pair ${image.id} annotation ${annotationIndex}`))));
    const primaryCount = byImage[0]?.get(image.id)?.length ?? 0;
    samples.push({
      name: String(image.id),
      imagePath,
      query: image.text_input,
      queries: [image.text_input],
      isSentence: false,
      width: image.width,
      height: image.height,
      warnings: [],
      noTarget: primaryCount === 0,
      groundTruth: async () => {
        const first = (await instanceSets())[0] ?? [];
        return first.length === 0 ? createMask(image.width, image.height) : orMasks(first, image);
      },
      instanceSets,
    });
  }
  await Promise.all(imageChecks.values());
  if (samples.length === 0) throw mmevolveError('invalid-dataset', `${primary.file} has no instance-exhaustive image–phrase pair to evaluate`, 'Check that this is an SA-Co/Gold annotation file.');
  return { format: 'saco-gold', source: options.annotations.join(' + '), samples, warnings: [], simulated: false, scoring: 'saco' };
}

function groupAnnotations(data: SacoFile): Map<number, SacoFile['annotations']> {
  const groups = new Map<number, SacoFile['annotations']>();
  for (const annotation of data.annotations) {
    if (truthy(annotation.iscrowd)) continue;
    const list = groups.get(annotation.image_id) ?? [];
    list.push(annotation);
    groups.set(annotation.image_id, list);
  }
  return groups;
}

function truthy(value: boolean | number | undefined): boolean {
  return value === true || (typeof value === 'number' && value !== 0);
}

async function readAnnotationFile(file: string): Promise<{ file: string; data: SacoFile }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw mmevolveError('not-found', `cannot read ${file}`, 'Pass the SA-Co/Gold annotation JSON as --dataset (and the other annotators with --annotators).', error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw mmevolveError('invalid-dataset', `${file} is not valid JSON`, 'Re-download the annotation file.', error);
  }
  return { file, data: parseWith(fileSchema, json, file) };
}

async function requireImage(imagePath: string, folder: string): Promise<void> {
  try {
    await access(imagePath);
  } catch (error) {
    throw mmevolveError('not-found', `image ${imagePath} is missing`, `Pass --images as the folder the file_name paths are relative to (${folder} does not hold it).`, error);
  }
}
