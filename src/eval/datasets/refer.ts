import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Warning } from '../../core/index.js';
import { createMask, mmevolveError } from '../../core/index.js';
import { cocoSegmentationSchema, paintSegmentation } from './coco-segmentation.js';
import type { EvalDataset, EvalSample } from './dataset.js';
import { readPickle } from './pickle.js';

/**
 * RefCOCO, RefCOCO+, RefCOCOg (REFER's `refs(unc).p` / `refs(umd).p` pickles) and gRefCOCO (ReLA's
 * `grefs(unc).json`, or a `.p` beside it) with the COCO `instances.json` in the same folder, one sample per
 * sentence of each ref in the split, in file order. Ground truth is the union of the ref's annotation masks,
 * rasterised as pycocotools does (coco-segmentation.ts). gRefCOCO follows ReLA's loader: `ann_id` is a list,
 * `[-1]` marks a no-target expression (empty ground truth), crowd annotations are skipped; the query is the
 * sentence's `raw` text. RefCOCO-family queries are `sent` (LISA's refer_seg loader), crowd regions included.
 */
export type ReferFormat = 'refcoco' | 'refcoco+' | 'refcocog' | 'grefcoco';

export interface ReferOptions {
  format: ReferFormat;
  /** The folder holding refs(…).p (or grefs(…).json) and instances.json, e.g. refer/data/refcoco. */
  directory: string;
  split: string;
  /** unc (RefCOCO, RefCOCO+, gRefCOCO) or umd / google (RefCOCOg); the format's usual one by default. */
  splitBy?: string;
  /** The COCO train2014 image folder the refs point into. */
  images: string;
}

export const REFER_SPLITS: Record<string, readonly string[]> = {
  unc: ['train', 'val', 'testA', 'testB'],
  umd: ['train', 'val', 'test'],
  google: ['train', 'val'],
};

const sentenceSchema = z.looseObject({ sent_id: z.number().int(), sent: z.string(), raw: z.string().optional() });
const refSchema = z.looseObject({
  ref_id: z.number().int(),
  ann_id: z.union([z.number().int(), z.array(z.number().int())]),
  image_id: z.number().int(),
  split: z.string(),
  sentences: z.array(sentenceSchema),
});
const instancesSchema = z.looseObject({ images: z.array(z.unknown()), annotations: z.array(z.unknown()) });
const imageSchema = z.looseObject({ id: z.number().int(), file_name: z.string(), height: z.number().int().positive(), width: z.number().int().positive() });
const annotationSchema = z.looseObject({ id: z.number().int(), image_id: z.number().int(), iscrowd: z.union([z.number(), z.boolean()]).optional(), segmentation: cocoSegmentationSchema });

export function defaultSplitBy(format: ReferFormat): string {
  return format === 'refcocog' ? 'umd' : 'unc';
}

export async function loadReferDataset(options: ReferOptions): Promise<EvalDataset> {
  const splitBy = options.splitBy ?? defaultSplitBy(options.format);
  const known = REFER_SPLITS[splitBy];
  if (known === undefined) throw mmevolveError('invalid-input', `unknown --split-by "${splitBy}"`, `Use ${Object.keys(REFER_SPLITS).join(', ')} (RefCOCOg: umd or google).`);
  if (!known.includes(options.split)) throw mmevolveError('invalid-input', `split "${options.split}" does not exist in the ${splitBy} partition of ${options.format}`, `Use one of ${known.join(', ')}.`);
  const { refsFile, refs } = await readRefs(options.format, options.directory, splitBy);
  const instancesFile = path.join(options.directory, 'instances.json');
  const instances = parseWith(instancesSchema, parseJson(await readText(instancesFile), instancesFile), instancesFile);
  const imagesById = indexById(instances.images);
  const annotationsById = indexById(instances.annotations);
  const grounded = options.format === 'grefcoco';
  const selected = refs.filter((ref) => ref.split === options.split);
  if (selected.length === 0) {
    const present = [...new Set(refs.map((ref) => ref.split))].join(', ');
    throw mmevolveError('invalid-dataset', `${refsFile} has no refs in split "${options.split}" (it has: ${present})`, 'Pick a split the file contains.');
  }
  const samples: EvalSample[] = [];
  const names = new Set<string>();
  const checkedImages = new Map<number, Promise<void>>();
  for (const ref of selected) {
    const image = parseWith(imageSchema, imagesById.get(ref.image_id), `${instancesFile} image ${ref.image_id} (ref ${ref.ref_id})`);
    const annIds = Array.isArray(ref.ann_id) ? ref.ann_id : [ref.ann_id];
    const noTarget = annIds.includes(-1);
    const annotations = noTarget ? [] : annIds.map((id) => parseWith(annotationSchema, annotationsById.get(id), `${instancesFile} annotation ${id} (ref ${ref.ref_id})`));
    const drawn = grounded ? annotations.filter((annotation) => !isCrowd(annotation.iscrowd)) : annotations;
    const imagePath = path.join(options.images, image.file_name);
    if (!checkedImages.has(image.id)) checkedImages.set(image.id, requireImage(imagePath, options.images));
    const warnings: Warning[] = annotations.some((annotation) => annotation.image_id !== ref.image_id)
      ? [{ code: 'annotation-image-mismatch', message: `ref ${ref.ref_id} points at annotations of another image` }]
      : [];
    const groundTruth = async () => {
      const mask = createMask(image.width, image.height);
      for (const annotation of drawn) paintSegmentation(mask, annotation.segmentation, `${instancesFile} annotation ${annotation.id}`);
      return Promise.resolve(mask);
    };
    for (const sentence of ref.sentences) {
      const name = `r${ref.ref_id}_s${sentence.sent_id}`;
      if (names.has(name)) throw mmevolveError('invalid-dataset', `${refsFile}: sentence ${sentence.sent_id} of ref ${ref.ref_id} appears twice`, 'The refs file is corrupt; re-download it.');
      names.add(name);
      const query = grounded ? (sentence.raw ?? sentence.sent) : sentence.sent;
      samples.push({ name, imagePath, query, queries: [query], isSentence: false, width: image.width, height: image.height, warnings, noTarget, groundTruth });
    }
  }
  await Promise.all(checkedImages.values());
  return {
    format: options.format,
    source: `${refsFile} (${options.split})`,
    samples,
    warnings: [],
    simulated: false,
    scoring: grounded ? 'grefcoco' : 'lisa',
  };
}

async function readRefs(format: ReferFormat, directory: string, splitBy: string): Promise<{ refsFile: string; refs: z.infer<typeof refSchema>[] }> {
  const stem = format === 'grefcoco' ? `grefs(${splitBy})` : `refs(${splitBy})`;
  const candidates = format === 'grefcoco' ? [`${stem}.p`, `${stem}.json`] : [`${stem}.p`];
  for (const candidate of candidates) {
    const refsFile = path.join(directory, candidate);
    let bytes: Buffer;
    try {
      bytes = await readFile(refsFile);
    } catch {
      continue;
    }
    const raw = candidate.endsWith('.json') ? parseJson(bytes.toString('utf8'), refsFile) : readPickle(bytes, refsFile);
    return { refsFile, refs: parseWith(z.array(refSchema), raw, refsFile) };
  }
  throw mmevolveError(
    'not-found',
    `no ${candidates.join(' or ')} in ${directory}`,
    format === 'grefcoco' ? 'Point --dataset at the gRefCOCO folder (grefs(unc).json + instances.json).' : `Point --dataset at REFER's data/${format} folder (${stem}.p + instances.json).`,
  );
}

function indexById(items: readonly unknown[]): Map<number, unknown> {
  const byId = new Map<number, unknown>();
  for (const item of items) {
    if (typeof item === 'object' && item !== null && 'id' in item && typeof item.id === 'number') byId.set(item.id, item);
  }
  return byId;
}

function isCrowd(value: number | boolean | undefined): boolean {
  return value === true || (typeof value === 'number' && value !== 0);
}

async function requireImage(imagePath: string, folder: string): Promise<void> {
  try {
    await access(imagePath);
  } catch (error) {
    throw mmevolveError('not-found', `image ${imagePath} is missing`, `Pass --images as the COCO train2014 folder (${folder} does not hold it).`, error);
  }
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw mmevolveError('not-found', `cannot read ${file}`, 'The COCO instances.json belongs beside the refs file.', error);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw mmevolveError('invalid-dataset', `${file} is not valid JSON`, 'Re-download the file.', error);
  }
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  if (value === undefined) throw mmevolveError('invalid-dataset', `${where} does not exist`, 'The refs and instances files do not match; use the instances.json shipped with these refs.');
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    throw mmevolveError('invalid-dataset', `${where} is malformed: ${problems}`, 'Re-download the file; it does not have the expected fields.');
  }
  return parsed.data;
}
