/**
 * RefCOCO / RefCOCO+ / RefCOCOg from the Hugging Face parquet copies (lmms-lab/RefCOCO, RefCOCO+, RefCOCOg —
 * the files lmms-eval's refcoco tasks load). Layout, from the dataset cards: `data/<split>-NNNNN-of-NNNNN.parquet`
 * (or the parquet converter's `default/<split>/NNNN.parquet`), one row per referred annotation with
 * question_id, image {bytes, path}, question, answer (the ref's sentences), segmentation (one polygon,
 * flattened, float32), bbox [x, y, w, h], iscrowd, file_name. One sample per answer sentence, named
 * `q<question_id>_s<k>`; the ground truth is the polygon rasterised as pycocotools does (coco-segmentation.ts).
 * Images: from `--images` (COCO train2014, by file_name) when given, else the embedded bytes written once
 * into a cache folder, read a row group at a time so a 400 MB file is never held whole.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import sharp from 'sharp';
import { z } from 'zod';
import { mmevolveError } from '../../core/index.js';
import { segmentationMask } from './coco-segmentation.js';
import type { EvalDataset, EvalSample } from './dataset.js';
import { parseWith } from './refer.js';

export interface ReferParquetOptions {
  format: 'refcoco' | 'refcoco+' | 'refcocog';
  /** A .parquet file, or a folder holding data/<split>-*.parquet, <split>-*.parquet or default/<split>/*.parquet. */
  path: string;
  split: string;
  /** COCO train2014 folder; without it the embedded image bytes are used. */
  images?: string;
  /** Where embedded images are written (default: a folder under the OS temp dir, keyed by the parquet files). */
  cacheDirectory?: string;
}

const rowSchema = z.object({
  question_id: z.union([z.string(), z.number(), z.bigint()]).transform((value) => String(value)),
  answer: z.array(z.string()).min(1),
  segmentation: z.array(z.number()),
  file_name: z.string().min(1),
});

const imageSchema = z.object({ bytes: z.instanceof(Uint8Array), path: z.string().nullable().optional() });

const METADATA_COLUMNS = ['question_id', 'answer', 'segmentation', 'file_name'];

/** The split's parquet files, sorted by shard; an error lists the splits that are there. */
export async function findParquetFiles(location: string, split: string): Promise<string[]> {
  const info = await stat(location).catch((error: unknown) => {
    throw mmevolveError('not-found', `${location} does not exist`, 'Point --dataset at the parquet file or the dataset folder (with data/).', error);
  });
  if (info.isFile()) return [location];
  const folders = [location, path.join(location, 'data'), path.join(location, 'default', split)];
  const found: string[] = [];
  const seenSplits = new Set<string>();
  for (const folder of folders) {
    const names = await readdir(folder).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.parquet')) continue;
      const shard = /^(.+?)-\d{5}-of-\d{5}\.parquet$/.exec(name);
      if (shard?.[1] !== undefined) seenSplits.add(shard[1]);
      if (shard?.[1] === split || (folder.endsWith(path.join('default', split)) && /^\d+\.parquet$/.test(name))) found.push(path.join(folder, name));
    }
  }
  if (found.length === 0) {
    const present = [...seenSplits].sort().join(', ') || 'none';
    throw mmevolveError('not-found', `no parquet files of split "${split}" under ${location} (splits found: ${present})`, 'Pick a split the folder holds (val, testA, testB, test).');
  }
  return found.sort();
}

async function imageSize(source: Uint8Array | string, where: string): Promise<{ width: number; height: number }> {
  try {
    const { width, height } = await sharp(source).metadata();
    if (width !== undefined && height !== undefined) return { width, height };
  } catch (error) {
    throw mmevolveError('invalid-dataset', `${where}: the image cannot be decoded`, 'Re-download the file; the image bytes are damaged.', error);
  }
  throw mmevolveError('invalid-dataset', `${where}: the image has no size`, 'Re-download the file.');
}

export async function loadReferParquet(options: ReferParquetOptions): Promise<EvalDataset> {
  const files = await findParquetFiles(options.path, options.split);
  const cache = options.cacheDirectory ?? path.join(tmpdir(), 'mmevolve-parquet-images', createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16));
  const samples: EvalSample[] = [];
  const names = new Set<string>();
  const sizes = new Map<string, Promise<{ width: number; height: number; imagePath: string }>>();
  for (const file of files) {
    const buffer = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buffer);
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const columns = options.images === undefined ? [...METADATA_COLUMNS, 'image'] : METADATA_COLUMNS;
      const rows = await parquetReadObjects({ file: buffer, metadata, columns, rowStart, rowEnd, utf8: false, compressors });
      for (const [offset, raw] of rows.entries()) {
        const where = `${file} row ${rowStart + offset}`;
        const row = parseWith(rowSchema, raw, where);
        if (!sizes.has(row.file_name)) {
          sizes.set(row.file_name, locateImage(row.file_name, (raw as Record<string, unknown>)['image'], options, cache, where));
        }
        const located = await (sizes.get(row.file_name) as Promise<{ width: number; height: number; imagePath: string }>);
        const polygon = row.segmentation;
        const groundTruth = () => Promise.resolve(segmentationMask([polygon], located.width, located.height, where));
        row.answer.forEach((sentence, index) => {
          const name = `q${row.question_id}_s${index}`;
          if (names.has(name)) throw mmevolveError('invalid-dataset', `${where}: question_id ${row.question_id} appears twice`, 'The parquet files overlap; pass one split.');
          names.add(name);
          samples.push({ name, imagePath: located.imagePath, query: sentence, queries: [...row.answer], isSentence: false, width: located.width, height: located.height, warnings: [], noTarget: false, groundTruth });
        });
      }
      rowStart = rowEnd;
    }
  }
  return {
    format: options.format,
    source: `${files.length === 1 ? files[0] : `${files.length} parquet files under ${options.path}`} (${options.split})`,
    samples,
    warnings: [],
    simulated: false,
    scoring: 'lisa',
  };
}

async function locateImage(fileName: string, image: unknown, options: ReferParquetOptions, cache: string, where: string): Promise<{ width: number; height: number; imagePath: string }> {
  if (options.images !== undefined) {
    const imagePath = path.join(options.images, fileName);
    try {
      await access(imagePath);
    } catch (error) {
      throw mmevolveError('not-found', `image ${imagePath} is missing`, `Pass --images as the COCO train2014 folder, or leave it out to use the images inside the parquet files.`, error);
    }
    return { ...(await imageSize(imagePath, where)), imagePath };
  }
  const parsed = imageSchema.safeParse(image);
  if (!parsed.success) {
    throw mmevolveError('invalid-dataset', `${where}: no embedded image bytes`, 'Pass --images as the COCO train2014 folder the file_name column refers to.');
  }
  const imagePath = path.join(cache, path.basename(fileName));
  await mkdir(cache, { recursive: true });
  await writeFile(imagePath, parsed.data.bytes);
  return { ...(await imageSize(parsed.data.bytes, where)), imagePath };
}
