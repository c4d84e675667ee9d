import { Option } from 'commander';
import type { Command } from 'commander';
import { DATASET_FORMATS } from '../../eval/index.js';
import type { DatasetFormat, DatasetSpec } from '../../eval/index.js';

/** The options that say which benchmark `--dataset` is, shared by `eval` and `score`. */
export interface DatasetFlags {
  format?: DatasetFormat;
  split?: string;
  splitBy?: string;
  images?: string;
  annotators?: string[];
}

export function addDatasetOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'dataset format (refcoco*: --dataset is the folder with refs(…).p + instances.json; saco-gold: the annotation JSON)').choices([...DATASET_FORMATS]).default('reasonseg'))
    .option('--split <split>', 'RefCOCO family / gRefCOCO split: val, testA, testB (RefCOCOg: val, test)')
    .option('--split-by <partition>', 'REFER partition: unc (default; RefCOCOg: umd) or google')
    .option('--images <dir>', 'image folder the annotations point into (COCO train2014 for the RefCOCO family)')
    .option('--annotators <files...>', 'SA-Co/Gold: the other annotators\' files (…_b_…, …_c_…) for the oracle setting');
}

/** The spec without the path; empty for ReasonSeg so its runs keep their identity. */
export function datasetSpecFrom(flags: DatasetFlags): Omit<DatasetSpec, 'path'> {
  if (flags.format === undefined || flags.format === 'reasonseg') return {};
  return {
    format: flags.format,
    ...(flags.split === undefined ? {} : { split: flags.split }),
    ...(flags.splitBy === undefined ? {} : { splitBy: flags.splitBy }),
    ...(flags.images === undefined ? {} : { images: flags.images }),
    ...(flags.annotators === undefined ? {} : { extraAnnotations: flags.annotators }),
  };
}
