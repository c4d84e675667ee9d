import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { mmevolveError } from '../../core/index.js';
import { loadGroundTruth } from '../reasonseg.js';
import { loadReasonSegFolder } from '../reasonseg-folder.js';
import type { DatasetFormat, EvalDataset } from './dataset.js';
import { DATASET_FORMATS } from './dataset.js';
import { loadReferDataset } from './refer.js';
import { loadReferParquet } from './refer-parquet.js';
import { loadSacoGold } from './saco-gold.js';

/** Where a benchmark lives on disk, as `eval` and `score` take it from their options. */
export interface DatasetSpec {
  format?: DatasetFormat;
  /**
   * ReasonSeg folder; REFER folder with refs(…).p + instances.json, or a RefCOCO/+/g parquet copy (a .parquet
   * file or a folder of them); or an SA-Co/Gold annotation JSON.
   */
  path: string;
  split?: string;
  splitBy?: string;
  /** Image folder (RefCOCO family: COCO train2014; SA-Co/Gold: the MetaCLIP or SA-1B image folder). */
  images?: string;
  /** SA-Co/Gold: the other annotators' files (b, c) for the oracle setting. */
  extraAnnotations?: readonly string[];
}

export async function openDataset(spec: DatasetSpec): Promise<EvalDataset> {
  const format = spec.format ?? 'reasonseg';
  const directory = path.resolve(spec.path);
  switch (format) {
    case 'reasonseg': {
      const folder = await loadReasonSegFolder(directory);
      return {
        format,
        source: directory,
        samples: folder.samples.map((sample) => ({
          ...sample,
          noTarget: !sample.shapes.some((shape) => { const label = shape.label.toLowerCase(); return label !== 'flag' && !label.includes('ignore'); }),
          groundTruth: () => loadGroundTruth(sample),
        })),
        warnings: folder.warnings,
        simulated: folder.simulated,
        scoring: 'lisa',
      };
    }
    case 'refcoco':
    case 'refcoco+':
    case 'refcocog':
      if (await isParquetCopy(directory)) {
        return loadReferParquet({
          format,
          path: directory,
          split: required(spec.split, '--split', format === 'refcocog' ? 'val or test' : 'val, testA, testB or test'),
          ...(spec.images === undefined ? {} : { images: path.resolve(spec.images) }),
        });
      }
      return loadReferDataset({
        format,
        directory,
        split: required(spec.split, '--split', format === 'refcocog' ? 'val or test' : 'val, testA or testB'),
        images: path.resolve(required(spec.images, '--images', 'the COCO train2014 image folder')),
        ...(spec.splitBy === undefined ? {} : { splitBy: spec.splitBy }),
      });
    case 'grefcoco':
      return loadReferDataset({
        format,
        directory,
        split: required(spec.split, '--split', 'val, testA or testB'),
        images: path.resolve(required(spec.images, '--images', 'the COCO train2014 image folder')),
        ...(spec.splitBy === undefined ? {} : { splitBy: spec.splitBy }),
      });
    case 'saco-gold':
      return loadSacoGold({
        annotations: [directory, ...(spec.extraAnnotations ?? []).map((file) => path.resolve(file))],
        images: path.resolve(required(spec.images, '--images', 'the folder the annotation file_name paths are relative to')),
      });
    default:
      throw mmevolveError('invalid-input', `unknown dataset format "${String(format)}"`, `Use one of ${DATASET_FORMATS.join(', ')}.`);
  }
}

/** A .parquet file, or a folder with parquet files in it, data/ or default/ (the Hugging Face layouts). */
async function isParquetCopy(location: string): Promise<boolean> {
  if (location.endsWith('.parquet')) return true;
  for (const folder of [location, path.join(location, 'data')]) {
    const names = await readdir(folder).catch(() => [] as string[]);
    if (names.some((name) => name.endsWith('.parquet'))) return true;
  }
  const splits = await readdir(path.join(location, 'default')).catch(() => [] as string[]);
  return splits.length > 0;
}

function required(value: string | undefined, flag: string, what: string): string {
  if (value === undefined || value === '') throw mmevolveError('invalid-input', `${flag} is required for this dataset format`, `Pass ${flag} (${what}).`);
  return value;
}
