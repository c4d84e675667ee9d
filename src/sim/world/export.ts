/**
 * Writing SynthWorld datasets to disk: the ReasonSeg layout (name.jpg + LabelMe-style name.json) and the
 * MATH-V layout (problems.jsonl + images/<id>.jpg), each with a sidecar manifest that says the data is
 * simulated. Every byte is a function of (task, n, seed): no timestamps, no absolute paths.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mmevolveError } from '../../core/index.js';
import { encodeImage } from '../../vision/index.js';
import type { RgbImage } from '../../core/index.js';
import { buildReasonSegSample } from './reasonseg-sample.js';
import type { LabelMeJson } from './reasonseg-sample.js';
import { renderScene } from './render.js';
import type { RenderedScene } from './render.js';
import { createRng, hashSeed } from './rng.js';
import { generateScene } from './scene.js';
import { generateVqaProblem } from './vqa.js';
import type { VqaProblem } from './vqa.js';
import type { VqaTrap } from './vqa-solve.js';

/** Bump when the same seed would produce different data. */
export const GENERATOR_VERSION = 'synthworld-1';

export type DatasetTask = 'reasonseg' | 'vqa';

export interface ExportOptions {
  readonly n: number;
  readonly seed: number;
  readonly out: string;
  /** Called after each sample is written (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ExportSummary {
  readonly task: DatasetTask;
  readonly n: number;
  readonly out: string;
  /** Paths relative to `out`, in writing order. */
  readonly files: string[];
}

/** JPEG quality 95 with 4:4:4 chroma (vision's encodeImage), as the issue asks: palette colours survive it inside objects. */
export async function encodeSimJpeg(image: RgbImage): Promise<Buffer> {
  return encodeImage(image, 'jpeg', { quality: 95 });
}

function manifest(task: DatasetTask, options: ExportOptions, layout: string): string {
  const content = {
    simulated: true,
    description:
      'simulated SynthWorld data: procedural shapes generated from a seed, not real photographs. Scores measured on it describe behaviour on this simulation, never a real model\'s quality.',
    generator: 'mmevolve SynthWorld',
    generatorVersion: GENERATOR_VERSION,
    task,
    layout,
    seed: options.seed,
    n: options.n,
  };
  return `${JSON.stringify(content, null, 2)}\n`;
}

function checkOptions(options: ExportOptions): void {
  if (!Number.isInteger(options.n) || options.n < 1) {
    throw mmevolveError('invalid-input', `--n must be a positive integer, got ${options.n}`, 'pass e.g. --n 200');
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    throw mmevolveError('invalid-input', `--seed must be an integer in 0..4294967295, got ${options.seed}`, 'pass e.g. --seed 1');
  }
}

async function writeOrThrow(path: string, data: string | Buffer): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (cause) {
    throw mmevolveError('invalid-input', `cannot write ${path}`, 'check that the output folder is writable', cause);
  }
}

async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (cause) {
    throw mmevolveError('invalid-input', `cannot create folder ${path}`, 'choose a writable --out folder', cause);
  }
}

/** Indented like LabelMe's files, with each [x, y] point on one line. */
function labelMeText(labelme: LabelMeJson): string {
  return JSON.stringify(labelme, null, 2).replace(/\[\s+(-?\d+),\s+(-?\d+)\s+\]/g, '[$1, $2]');
}

/**
 * `DIR/<name>.jpg` + `DIR/<name>.json` for n samples, `DIR/sim-queries.jsonl` (hidden facts per query for
 * analysis: inference steps, whether a target exists, ignore regions) and `DIR/sim-manifest.json`.
 */
export async function exportReasonSeg(options: ExportOptions): Promise<ExportSummary> {
  checkOptions(options);
  await makeFolder(options.out);
  const files: string[] = [];
  const queries: string[] = [];
  for (let index = 0; index < options.n; index += 1) {
    const sample = buildReasonSegSample(options.seed, index);
    const { query } = sample;
    queries.push(
      pythonJson({ name: sample.name, steps: query.steps, is_sentence: query.isSentence, has_target: query.targetIndex !== null, ignore_regions: sample.ignoreIndices.length }),
    );
    await writeOrThrow(join(options.out, `${sample.name}.jpg`), await encodeSimJpeg(sample.rendered.image));
    await writeOrThrow(join(options.out, `${sample.name}.json`), `${labelMeText(sample.labelme)}\n`);
    files.push(`${sample.name}.jpg`, `${sample.name}.json`);
    options.onProgress?.(index + 1, options.n);
  }
  await writeOrThrow(join(options.out, 'sim-queries.jsonl'), `${queries.join('\n')}\n`);
  await writeOrThrow(join(options.out, 'sim-manifest.json'), manifest('reasonseg', options, 'ReasonSeg (LISA): name.jpg + LabelMe-style name.json; sim-queries.jsonl holds hidden per-query facts (inference steps, target present, ignore regions)'));
  files.push('sim-queries.jsonl', 'sim-manifest.json');
  return { task: 'reasonseg', n: options.n, out: options.out, files };
}

/**
 * `DIR/problems.jsonl` in the MATH-V layout (id, question, options, answer, solution, level, subject,
 * image), `DIR/images/<id>.jpg`, `DIR/hidden-tags.jsonl` (id, skill, trap — ground truth for measuring,
 * never shown to a model) and `DIR/sim-manifest.json`.
 */
export async function exportVqa(options: ExportOptions): Promise<ExportSummary> {
  checkOptions(options);
  await makeFolder(join(options.out, 'images'));
  const problems: string[] = [];
  const tags: string[] = [];
  const files: string[] = [];
  for (let index = 0; index < options.n; index += 1) {
    const id = String(index + 1);
    const { rendered, problem } = buildVqaSample(options.seed, index);
    const image = `images/${id}.jpg`;
    await writeOrThrow(join(options.out, image), await encodeSimJpeg(rendered.image));
    files.push(image);
    const { question, options: choices, answer, level, subject } = problem;
    problems.push(pythonJson({ id, question, options: choices, answer, solution: null, level, subject, image }));
    tags.push(pythonJson({ id, skill: problem.skill, trap: problem.trap }));
    options.onProgress?.(index + 1, options.n);
  }
  await writeOrThrow(join(options.out, 'problems.jsonl'), `${problems.join('\n')}\n`);
  await writeOrThrow(join(options.out, 'hidden-tags.jsonl'), `${tags.join('\n')}\n`);
  await writeOrThrow(join(options.out, 'sim-manifest.json'), manifest('vqa', options, 'MATH-V: problems.jsonl + images/<id>.jpg; hidden-tags.jsonl holds the hidden skill/trap tags'));
  files.push('problems.jsonl', 'hidden-tags.jsonl', 'sim-manifest.json');
  return { task: 'vqa', n: options.n, out: options.out, files };
}

/** Share of each trap among exported VQA problems (the rest: 'none'). */
const VQA_TRAP_TARGETS: readonly VqaTrap[] = ['none', 'none', 'occlusion', 'viewer-left', 'similar-colour'];
/** Scenes tried per problem to realise the wanted trap before settling for what the last scene allows. */
const VQA_SCENE_ATTEMPTS = 8;

/**
 * Problem `index` of the VQA set with this seed. The wanted trap is drawn first and scenes are redrawn
 * (with more occlusion) until one allows it, so every trap is well represented.
 */
export function buildVqaSample(seed: number, index: number): { rendered: RenderedScene; problem: VqaProblem } {
  const wanted = createRng(hashSeed(`vqa-trap:${index}`, seed)).pick(VQA_TRAP_TARGETS);
  let sample: { rendered: RenderedScene; problem: VqaProblem } | undefined;
  for (let attempt = 0; attempt < VQA_SCENE_ATTEMPTS; attempt += 1) {
    const rendered = renderScene(generateScene(hashSeed(`vqa-scene:${index}:${attempt}`, seed), { occlusion: 0.5 }));
    const problem = generateVqaProblem(rendered.objects, createRng(hashSeed(`vqa-problem:${index}:${attempt}`, seed)), wanted);
    sample = { rendered, problem };
    if (problem.trap === wanted) break;
  }
  if (sample === undefined) throw mmevolveError('internal', 'no VQA scene was generated', 'VQA_SCENE_ATTEMPTS must be positive');
  return sample;
}

type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** JSON as Python's json.dumps writes it (", " and ": " separators), like MATH-V's own jsonl. ASCII text only. */
export function pythonJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map((item: JsonValue) => pythonJson(item)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item as JsonValue)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

export async function exportDataset(task: DatasetTask, options: ExportOptions): Promise<ExportSummary> {
  return task === 'reasonseg' ? exportReasonSeg(options) : exportVqa(options);
}
