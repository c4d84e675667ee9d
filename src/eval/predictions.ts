import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Mask } from '../core/index.js';
import { createMask, isMmevolveError, mmevolveError } from '../core/index.js';
import type { CocoRle } from '../vision/index.js';
import { cocoRleSchema, decodeMaskPng, decodeRle, orMasks } from '../vision/index.js';

/**
 * Predicted masks to score, keyed by sample name: a folder of `name.png` (non-zero = foreground) or a JSON
 * file mapping name → COCO RLE, or masks held in memory (the server). Masks load lazily, one at a time,
 * so a large folder never sits in memory at once.
 */
export interface PredictionSet {
  /** Where the predictions came from, for messages. */
  readonly source: string;
  readonly names: ReadonlyArray<string>;
  has(name: string): boolean;
  /** The mask for `name`, foreground = 1; the caller checks its size against the image. */
  load(name: string): Promise<Mask>;
  /** Instance masks, when the file lists several RLEs for a sample (SA-Co); undefined otherwise. */
  loadInstances?(name: string): Promise<Mask[] | undefined>;
  /** Human-readable location of one prediction ("preds/cat.png", "preds.json#cat"). */
  describe(name: string): string;
}

// A sample's value is one RLE, or a list of instance RLEs (SA-Co; united for gIoU/cIoU).
// Chosen by shape before parsing, so an error names the bad field (a zod union would only say "invalid").
const rleMapSchema = z.record(
  z.string(),
  z.unknown().transform((value, context) => {
    const parsed = (Array.isArray(value) ? z.array(cocoRleSchema) : cocoRleSchema).safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }),
);

/** Open `location` as a folder of PNG masks or a JSON file of RLEs. */
export async function openPredictions(location: string): Promise<PredictionSet> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(location)).isDirectory();
  } catch (error) {
    throw mmevolveError(
      'not-found',
      `predictions not found at ${location}`,
      'Pass a folder of name.png masks or a JSON file mapping name → COCO RLE.',
      error,
    );
  }
  return isDirectory ? openPngFolder(location) : openRleFile(location);
}

/** Predictions already in memory, as masks or RLEs (e.g. posted to the server). */
export function predictionsFromMemory(entries: ReadonlyMap<string, Mask | CocoRle>, source = 'memory'): PredictionSet {
  return {
    source,
    names: [...entries.keys()],
    has: (name) => entries.has(name),
    load: (name) => {
      const entry = entries.get(name);
      if (entry === undefined) return Promise.reject(missingPrediction(name, source));
      return Promise.resolve('counts' in entry ? decodeNamedRle(entry, `${source}#${name}`) : entry);
    },
    describe: (name) => `${source}#${name}`,
  };
}

async function openPngFolder(folder: string): Promise<PredictionSet> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.isFile() || path.extname(entry.name).toLowerCase() !== '.png') continue;
    files.set(entry.name.slice(0, -'.png'.length), entry.name);
  }
  const describe = (name: string): string => path.join(folder, files.get(name) ?? `${name}.png`);
  return {
    source: folder,
    names: [...files.keys()],
    has: (name) => files.has(name),
    load: async (name) => {
      const file = files.get(name);
      if (file === undefined) throw missingPrediction(name, folder);
      const location = path.join(folder, file);
      return decodeMaskPng(await readFile(location), location);
    },
    describe,
  };
}

async function openRleFile(file: string): Promise<PredictionSet> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw mmevolveError(
      'invalid-input',
      `predictions file ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      'Write a JSON object mapping each sample name to {"size": [height, width], "counts": "..."}.',
      error,
    );
  }
  const parsed = rleMapSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.length === 0 ? '(root)' : issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw mmevolveError(
      'invalid-input',
      `predictions file ${file} is not a map of name → COCO RLE: ${problems}`,
      'Each value needs "size": [height, width] and "counts": the compressed string pycocotools writes.',
    );
  }
  const single = new Map<string, CocoRle>();
  const lists = new Map<string, CocoRle[]>();
  for (const [name, value] of Object.entries(parsed.data)) {
    if (Array.isArray(value)) lists.set(name, value);
    else single.set(name, value);
  }
  if (lists.size === 0) return predictionsFromMemory(single, file);
  const decodeList = (name: string): Mask[] => (lists.get(name) ?? []).map((rle, index) => decodeNamedRle(rle, `${file}#${name}[${index}]`));
  return {
    source: file,
    names: [...single.keys(), ...lists.keys()],
    has: (name) => single.has(name) || lists.has(name),
    load: async (name) => {
      const rle = single.get(name);
      if (rle !== undefined) return decodeNamedRle(rle, `${file}#${name}`);
      if (!lists.has(name)) throw missingPrediction(name, file);
      const [first] = lists.get(name) ?? [];
      const masks = decodeList(name);
      return masks.length === 0 ? createMask(first?.size[1] ?? 0, first?.size[0] ?? 0) : orMasks(masks);
    },
    loadInstances: (name) => Promise.resolve(lists.has(name) ? decodeList(name) : undefined),
    describe: (name) => `${file}#${name}`,
  };
}

function decodeNamedRle(rle: CocoRle, location: string): Mask {
  try {
    return decodeRle(rle);
  } catch (error) {
    if (isMmevolveError(error)) throw mmevolveError(error.code, `${location}: ${error.message}`, error.hint, error);
    throw error;
  }
}

function missingPrediction(name: string, source: string): Error {
  return mmevolveError('not-found', `no prediction for "${name}" in ${source}`, 'Check has(name) before load(name).');
}
