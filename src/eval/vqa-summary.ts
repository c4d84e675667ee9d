/**
 * Every number of a VQA report, recomputed from results lines: accuracy overall, by subject, level and
 * (SynthWorld) trap; lessons written/merged/retrieved; calls and tokens; and retrieval precision — the
 * share of retrieved lessons whose source problem has the same hidden trap as the problem being solved.
 * A lesson's source is the problem whose line first wrote it (lessons from before this run have no known
 * source and are left out of the precision, and counted as such).
 */
import path from 'node:path';
import { z } from 'zod';
import { mmevolveError } from '../core/index.js';
import { readTextIfExists } from './read-if-exists.js';
import type { CostSummary } from './segmentation-summary.js';
import { costSummary, sortedRecord } from './segmentation-summary.js';
import type { VqaLine } from './vqa-lines.js';

export interface AccuracyCell {
  n: number;
  correct: number;
  accuracy: number | null;
}

export interface RetrievalPrecision {
  /** Retrieved lessons whose source problem is known (written earlier in this run). */
  judged: number;
  /** Of those, lessons whose source problem's trap equals the current problem's trap. */
  matching: number;
  precision: number | null;
  /**
   * What retrieving uniformly at random among the lessons written so far (same stream) would score: per
   * judged retrieval, the share of earlier lessons whose source has the current trap, averaged.
   */
  chance: number | null;
  byStream: Record<string, { judged: number; matching: number; precision: number | null }>;
  /** Retrieved lessons written before this run (unknown source). */
  unknownSource: number;
}

export interface VqaSummary {
  kind: 'vqa';
  n: number;
  finished: number;
  failed: number;
  failuresByCode: Record<string, number>;
  /** Failed samples count as wrong answers. */
  accuracy: AccuracyCell;
  bySubject: Record<string, AccuracyCell>;
  byLevel: Record<string, AccuracyCell>;
  /** SynthWorld only (hidden-tags.jsonl beside the dataset). */
  byTrap?: Record<string, AccuracyCell>;
  lessons: { written: number; merged: number; retrieved: number; retrievedPerProblem: number; duplicates: number; mergesRejected: number; byStream: Record<string, { written: number; merged: number; retrieved: number }> };
  retrievalPrecision?: RetrievalPrecision;
  costs: CostSummary;
  embeddingsPerProblem: { texts: number; images: number };
  perSample: { id: string; correct: boolean; status: 'ok' | 'failed' }[];
}

export interface HiddenTag {
  skill: string;
  trap: string;
}

const hiddenTagSchema = z.looseObject({ id: z.union([z.string(), z.number()]).transform(String), skill: z.string(), trap: z.string() });

/** SynthWorld's `hidden-tags.jsonl` beside the dataset file, or undefined when there is none. */
export async function loadHiddenTags(datasetFile: string): Promise<Map<string, HiddenTag> | undefined> {
  const file = path.join(path.dirname(datasetFile), 'hidden-tags.jsonl');
  const text = await readTextIfExists(file, 'Check permissions of the dataset folder.');
  if (text === undefined) return undefined;
  const tags = new Map<string, HiddenTag>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line) as unknown;
    } catch (error) {
      throw mmevolveError('invalid-dataset', `${file} line ${index + 1} is not JSON`, 'Regenerate it with mmevolve sim make-dataset --task vqa.', error);
    }
    const parsed = hiddenTagSchema.safeParse(value);
    if (!parsed.success) throw mmevolveError('invalid-dataset', `${file} line ${index + 1} lacks id/skill/trap`, 'Regenerate it with mmevolve sim make-dataset --task vqa.');
    tags.set(parsed.data.id, { skill: parsed.data.skill, trap: parsed.data.trap });
  }
  return tags;
}

function cell(lines: readonly VqaLine[]): AccuracyCell {
  const correct = lines.filter((line) => line.correct).length;
  return { n: lines.length, correct, accuracy: lines.length === 0 ? null : correct / lines.length };
}

function groupAccuracy(lines: readonly VqaLine[], key: (line: VqaLine) => string): Record<string, AccuracyCell> {
  const groups = new Map<string, VqaLine[]>();
  for (const line of lines) groups.set(key(line), [...(groups.get(key(line)) ?? []), line]);
  return sortedRecord(Object.fromEntries([...groups].map(([name, group]) => [name, cell(group)])));
}

export function retrievalPrecision(lines: readonly VqaLine[], tags: ReadonlyMap<string, HiddenTag>): RetrievalPrecision {
  const sourceOf = new Map<string, string>();
  /** Traps of the sources of lessons written so far, per stream. */
  const writtenTraps: Record<string, string[]> = {};
  const byStream: RetrievalPrecision['byStream'] = {};
  let judged = 0;
  let matching = 0;
  let chanceSum = 0;
  let unknownSource = 0;
  // Lines in protocol order: a lesson can only be retrieved after the line that wrote it.
  for (const line of [...lines].sort((left, right) => left.index - right.index)) {
    const trap = tags.get(line.id)?.trap;
    for (const used of line.lessonsUsed) {
      const source = sourceOf.get(used.id);
      const sourceTrap = source === undefined ? undefined : tags.get(source)?.trap;
      if (sourceTrap === undefined || trap === undefined) {
        unknownSource += 1;
        continue;
      }
      const stream = (byStream[used.stream] ??= { judged: 0, matching: 0, precision: null });
      judged += 1;
      stream.judged += 1;
      const earlier = writtenTraps[used.stream] ?? [];
      chanceSum += earlier.length === 0 ? 0 : earlier.filter((earlierTrap) => earlierTrap === trap).length / earlier.length;
      if (sourceTrap === trap) {
        matching += 1;
        stream.matching += 1;
      }
    }
    for (const written of line.lessonsWritten) {
      if (sourceOf.has(written.id)) continue;
      sourceOf.set(written.id, line.id);
      if (trap !== undefined) (writtenTraps[written.stream] ??= []).push(trap);
    }
  }
  for (const stream of Object.values(byStream)) stream.precision = stream.judged === 0 ? null : stream.matching / stream.judged;
  return { judged, matching, precision: judged === 0 ? null : matching / judged, chance: judged === 0 ? null : chanceSum / judged, byStream: sortedRecord(byStream), unknownSource };
}

export function summarizeVqa(lines: readonly VqaLine[], tags?: ReadonlyMap<string, HiddenTag>): VqaSummary {
  const finished = lines.filter((line) => line.status === 'ok');
  const failuresByCode: Record<string, number> = {};
  for (const line of lines) if (line.status === 'failed') failuresByCode[line.error?.code ?? 'unknown'] = (failuresByCode[line.error?.code ?? 'unknown'] ?? 0) + 1;
  const byStream: VqaSummary['lessons']['byStream'] = {};
  const streamOf = (name: string): { written: number; merged: number; retrieved: number } => (byStream[name] ??= { written: 0, merged: 0, retrieved: 0 });
  for (const line of lines) {
    for (const lesson of line.lessonsWritten) streamOf(lesson.stream).written += 1;
    for (const lesson of line.lessonsMerged) streamOf(lesson.stream).merged += 1;
    for (const lesson of line.lessonsUsed) streamOf(lesson.stream).retrieved += 1;
  }
  const sum = (pick: (line: VqaLine) => number): number => lines.reduce((total, line) => total + pick(line), 0);
  const retrieved = sum((line) => line.lessonsUsed.length);
  const summary: VqaSummary = {
    kind: 'vqa',
    n: lines.length,
    finished: finished.length,
    failed: lines.length - finished.length,
    failuresByCode: sortedRecord(failuresByCode),
    accuracy: cell(lines),
    bySubject: groupAccuracy(lines, (line) => line.subject ?? '(none)'),
    byLevel: groupAccuracy(lines, (line) => (line.level === undefined ? '(none)' : String(line.level))),
    lessons: {
      written: sum((line) => line.lessonsWritten.length),
      merged: sum((line) => line.lessonsMerged.length),
      retrieved,
      retrievedPerProblem: lines.length === 0 ? 0 : retrieved / lines.length,
      duplicates: sum((line) => line.duplicates),
      mergesRejected: sum((line) => line.mergesRejected),
      byStream: sortedRecord(byStream),
    },
    costs: costSummary(finished),
    embeddingsPerProblem: {
      texts: finished.length === 0 ? 0 : finished.reduce((total, line) => total + line.embeddings.texts, 0) / finished.length,
      images: finished.length === 0 ? 0 : finished.reduce((total, line) => total + line.embeddings.images, 0) / finished.length,
    },
    perSample: lines.map((line) => ({ id: line.id, correct: line.correct, status: line.status })),
  };
  if (tags !== undefined) {
    summary.byTrap = groupAccuracy(lines, (line) => tags.get(line.id)?.trap ?? '(untagged)');
    summary.retrievalPrecision = retrievalPrecision(lines, tags);
  }
  return summary;
}

/** The progress bar's running metric. */
export function runningVqaMetric(lines: readonly VqaLine[]): string {
  if (lines.length === 0) return 'accuracy -';
  const correct = lines.filter((line) => line.correct).length;
  return `accuracy ${((correct / lines.length) * 100).toFixed(2)}% (${correct}/${lines.length})`;
}
