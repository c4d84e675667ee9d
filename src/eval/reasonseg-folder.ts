import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Warning } from '../core/index.js';
import { mmevolveError } from '../core/index.js';
import type { ReasonSegSample } from './reasonseg.js';
import { IMAGE_EXTENSIONS, loadReasonSegSample, parseJsonFile } from './reasonseg.js';

/**
 * A ReasonSeg folder as a whole: the samples sorted by name, plus what the folder says about itself.
 * JSON files without an image are handled by content: a SynthWorld `sim-manifest.json` (`"simulated":
 * true`) marks the folder as simulated; a file with ReasonSeg keys (text, is_sentence, shapes) is an
 * annotation whose image is missing (error); anything else is ignored with a warning.
 */
export interface ReasonSegFolder {
  directory: string;
  samples: ReasonSegSample[];
  /** Folder-level warnings (ignored files); per-sample warnings stay on each sample. */
  warnings: Warning[];
  /** True when a manifest declares the data simulated: scores on it never describe a real model. */
  simulated: boolean;
}

const ANNOTATION_KEYS = ['text', 'is_sentence', 'shapes'];

export async function loadReasonSegFolder(directory: string): Promise<ReasonSegFolder> {
  const entries = await listDirectory(directory);
  const images = new Map<string, string>();
  const jsonNames: string[] = [];
  for (const entry of entries) {
    const extension = path.extname(entry).toLowerCase();
    const name = entry.slice(0, entry.length - extension.length);
    if (extension === '.json') jsonNames.push(name);
    if (!(IMAGE_EXTENSIONS as ReadonlyArray<string>).includes(extension)) continue;
    const existing = images.get(name);
    if (existing !== undefined) {
      throw mmevolveError(
        'invalid-dataset',
        `two images share the name "${name}": ${existing} and ${entry} in ${directory}`,
        'Keep one image per annotation file.',
      );
    }
    images.set(name, entry);
  }
  const jsonSet = new Set(jsonNames);
  for (const [name, file] of images) {
    if (!jsonSet.has(name)) {
      throw mmevolveError(
        'invalid-dataset',
        `image ${path.join(directory, file)} has no annotation ${name}.json`,
        'Every ReasonSeg image needs a name.json beside it (LISA fails on such images too); remove or annotate it.',
      );
    }
  }
  const warnings: Warning[] = [];
  let simulated = false;
  const annotations: string[] = [];
  for (const name of jsonNames) {
    if (images.has(name)) {
      annotations.push(name);
      continue;
    }
    const file = path.join(directory, `${name}.json`);
    const content = parseJsonFile(file, await readFile(file));
    const record = typeof content === 'object' && content !== null && !Array.isArray(content) ? (content as Record<string, unknown>) : {};
    if (record.simulated === true) {
      simulated = true;
    } else if (ANNOTATION_KEYS.some((key) => key in record)) {
      throw mmevolveError(
        'invalid-dataset',
        `annotation ${file} has no image (${IMAGE_EXTENSIONS.map((extension) => name + extension).join(', ')})`,
        'Put the image beside its annotation with the same base name.',
      );
    } else {
      warnings.push({ code: 'not-an-annotation', message: `${file} has no image and no ReasonSeg keys; ignored` });
    }
  }
  if (annotations.length === 0) {
    throw mmevolveError(
      'invalid-dataset',
      `no ReasonSeg samples (name.jpg + name.json) found in ${directory}`,
      'Point --dataset at a folder of name.jpg + name.json pairs (e.g. ReasonSeg/val).',
    );
  }
  annotations.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const samples: ReasonSegSample[] = [];
  for (const name of annotations) {
    samples.push(await loadReasonSegSample(directory, name, images.get(name)));
  }
  return { directory, samples, warnings, simulated };
}

/** The samples of a ReasonSeg folder, sorted by name (see loadReasonSegFolder for folder-level notes). */
export async function loadReasonSegDataset(directory: string): Promise<ReasonSegSample[]> {
  return (await loadReasonSegFolder(directory)).samples;
}

async function listDirectory(directory: string): Promise<string[]> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    throw mmevolveError(
      'not-found',
      `cannot read the dataset folder ${directory}`,
      'Check the --dataset path; it should be a folder of name.jpg + name.json pairs.',
      error,
    );
  }
}
