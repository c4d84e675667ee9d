/**
 * `export-pairs` output laid out for the trainers that read it (trainer-formats.ts names their source):
 *
 * - `trl-dpo`: TRL's conversational vision preference rows (DPOTrainer on a VLM);
 * - `internvl-mpo`: InternVL's MPO jsonl plus the `--meta_path` json it needs (internvl_chat_mpo.py);
 * - `gspo`: TRL prompt-only vision rows for GRPOTrainer with importance_sampling_level="sequence", each
 *   carrying the group of phrases the evolution scored (reward = fitness, advantage group-normalised);
 * - `pairs`: our own analysis layout (masks as COCO RLE, judge reasons, sources); no trainer reads it.
 *
 * Images are copied beside the jsonl (DIR/images/<sample>-<content hash>.<ext>) and rows name them relative
 * to the jsonl's folder, so the folder can be moved as a whole. Every row is checked against its trainer's
 * schema before anything is written.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { mmevolveError } from '../core/index.js';
import type { Box } from '../core/index.js';
import { internvl35Profile } from '../protocols/index.js';
import { exportPairs } from './export-pairs.js';
import type { ExportSummary, GspoGroup, PairSide, PreferencePair } from './export-pairs.js';
import { internvlMetaSchema, internvlMpoRowSchema, trlDpoRowSchema, trlGspoRowSchema } from './trainer-formats.js';
import type { InternvlMpoRow, TrlDpoRow, TrlGspoRow } from './trainer-formats.js';

export const EXPORT_FORMATS = ['trl-dpo', 'internvl-mpo', 'gspo', 'pairs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportWritten {
  summary: ExportSummary;
  /** Files written: the jsonl, the InternVL meta json, the images folder. */
  files: { jsonl: string; meta?: string; images?: string };
  images: number;
}

/** What the policy is asked: the query, and what an answer looks like (a phrase, or a box). */
export function policyQuestion(query: string): string {
  return `Query: ${query}\nName the object the query refers to with a short referring phrase a segmentation model can ground, or give its bounding box.`;
}

function roundedBox(box: readonly number[]): string {
  return `[${box.map((value) => Math.round(value)).join(', ')}]`;
}

/** TRL rows are model-neutral: a box is JSON `bbox_2d` in original-image pixels. */
function trlAnswer(side: PairSide): string {
  return side.box === undefined ? (side.phrase ?? side.text) : `{"bbox_2d": ${roundedBox(side.box)}}`;
}

/** InternVL answers boxes in its own grounding syntax, 0–1000 of the image (protocols/profiles internvl3.5). */
function internvlAnswer(side: PairSide): string {
  if (side.box === undefined) return side.phrase ?? side.text;
  const [height, width] = side.rle.size;
  const box = internvl35Profile.toModelBox(side.box as Box, { width, height });
  return `<box>[${roundedBox(box)}]</box>`;
}

/** Copies each source image once into DIR/images, named by sample and content hash. */
class ImageCopier {
  private readonly copied = new Map<string, Promise<string>>();
  constructor(private readonly folder: string) {}

  get count(): number {
    return this.copied.size;
  }

  /** The copy's path relative to the jsonl's folder. */
  copy(source: string, sample: string): Promise<string> {
    let pending = this.copied.get(source);
    if (pending === undefined) {
      pending = this.write(source, sample);
      this.copied.set(source, pending);
    }
    return pending;
  }

  private async write(source: string, sample: string): Promise<string> {
    let bytes: Buffer;
    try {
      bytes = await readFile(source);
    } catch (error) {
      throw mmevolveError('not-found', `image ${source} of sample ${sample} cannot be read`, 'Export on a machine that has the dataset the run was made on (the trace names the image path).', error);
    }
    const digest = createHash('sha1').update(bytes).digest('hex').slice(0, 10);
    const safe = sample.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
    const name = `${safe}-${digest}${path.extname(source).toLowerCase() || '.img'}`;
    await mkdir(this.folder, { recursive: true });
    await writeFile(path.join(this.folder, name), bytes);
    return `images/${name}`;
  }
}

/** The sample name of a record id ("cat:arena:g1:0" → "cat"). */
function sampleOf(id: string): string {
  return id.replace(/:(arena:g\d+:\d+|final|group)$/, '');
}

function checked<S extends z.ZodType>(schema: S, row: unknown, format: string): z.output<S> {
  const parsed = schema.safeParse(row);
  if (!parsed.success) {
    throw mmevolveError('internal', `a ${format} row does not match the trainer's format: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`, 'This is a bug in mmevolve; please report it with the run folder.');
  }
  return parsed.data;
}

async function trlDpoRow(pair: PreferencePair, images: ImageCopier): Promise<TrlDpoRow> {
  const image = await images.copy(pair.image, sampleOf(pair.id));
  return checked(trlDpoRowSchema, {
    id: pair.id,
    prompt: [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: policyQuestion(pair.query) }] }],
    chosen: [{ role: 'assistant', content: [{ type: 'text', text: trlAnswer(pair.chosen) }] }],
    rejected: [{ role: 'assistant', content: [{ type: 'text', text: trlAnswer(pair.rejected) }] }],
    images: [image],
  }, 'trl-dpo');
}

async function internvlRow(pair: PreferencePair, images: ImageCopier): Promise<InternvlMpoRow> {
  const image = await images.copy(pair.image, sampleOf(pair.id));
  return checked(internvlMpoRowSchema, { id: pair.id, image, question: `<image>\n${policyQuestion(pair.query)}`, chosen: internvlAnswer(pair.chosen), rejected: internvlAnswer(pair.rejected) }, 'internvl-mpo');
}

async function gspoRow(group: GspoGroup, images: ImageCopier): Promise<TrlGspoRow> {
  const image = await images.copy(group.image, sampleOf(group.id));
  return checked(trlGspoRowSchema, {
    id: group.id,
    prompt: [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: policyQuestion(group.query) }] }],
    images: [image],
    group_phrases: group.members.map((member) => member.phrase),
    group_rewards: group.members.map((member) => member.reward),
    group_advantages: group.members.map((member) => member.advantage),
    group_valid: group.members.map((member) => member.valid),
  }, 'gspo');
}

/** Write then rename, so a failed export never leaves a half-written file under the requested name. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.partial`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

export async function writeTrainingExport(runDirectory: string, format: ExportFormat, out: string): Promise<ExportWritten> {
  if (!out.endsWith('.jsonl')) throw mmevolveError('invalid-input', `--out ${out} must name a .jsonl file`, 'e.g. --out pairs/train.jsonl (images go to pairs/images/).');
  const jsonl = path.resolve(out);
  const folder = path.dirname(jsonl);
  const { records, summary } = await exportPairs(runDirectory, format === 'gspo' ? 'gspo' : 'pairs');
  await mkdir(folder, { recursive: true });
  const images = new ImageCopier(path.join(folder, 'images'));
  let rows: unknown[];
  if (format === 'pairs') rows = records;
  else if (format === 'gspo') rows = await Promise.all((records as GspoGroup[]).map((group) => gspoRow(group, images)));
  else if (format === 'trl-dpo') rows = await Promise.all((records as PreferencePair[]).map((pair) => trlDpoRow(pair, images)));
  else rows = await Promise.all((records as PreferencePair[]).map((pair) => internvlRow(pair, images)));
  await writeAtomically(jsonl, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
  const files: ExportWritten['files'] = { jsonl, ...(images.count > 0 ? { images: path.join(folder, 'images') } : {}) };
  if (format === 'internvl-mpo') {
    const name = path.basename(jsonl, '.jsonl');
    const meta = checked(internvlMetaSchema, { [name]: { root: folder, annotation: jsonl, data_augment: false, repeat_time: 1, length: rows.length } }, 'internvl-mpo meta');
    files.meta = path.join(folder, `${name}.meta.json`);
    await writeAtomically(files.meta, `${JSON.stringify(meta, null, 2)}\n`);
  }
  return { summary, files, images: images.count };
}
