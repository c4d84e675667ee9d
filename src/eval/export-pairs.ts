/**
 * Training data from an eval run's traces (RUN/traces/<name>.json) for the InternVL3.5-style Cascade RL
 * recipe, before it is laid out for a trainer (trainer-exports.ts). Preference pairs for offline DPO / MPO come from decided arena fights (winner vs loser; ties and
 * unreadable verdicts are skipped) and from consistent final arbitrations (the stream both order-swapped
 * verdicts chose vs the other; inconsistent fallbacks are skipped: the judge did not really prefer one).
 * GSPO groups: one per query, the population's distinct phrases with reward = arena fitness (0 for a phrase
 * whose mask failed the semantic gate) and group-normalised advantages (reward − mean) / std (0 when every
 * reward is equal: such a group carries no learning signal and is counted as degenerate).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { mmevolveError } from '../core/index.js';
import { cocoRleSchema } from '../vision/index.js';
import type { CocoRle } from '../vision/index.js';
import { readResultLines } from './run-store.js';
import { segmentationLineSchema } from './segmentation-run.js';

/** What to read from the traces: preference pairs, or one scored group per query. */
export type TraceRecordKind = 'pairs' | 'gspo';

const boxSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const traceFileSchema = z.looseObject({
  name: z.string(),
  imagePath: z.string(),
  query: z.string(),
  isSentence: z.boolean(),
  method: z.string(),
  trace: z.looseObject({
    variant: z.string().optional(),
    phrases: z.array(z.looseObject({ generation: z.number(), phrase: z.string(), rle: cocoRleSchema, gate: z.looseObject({ passed: z.boolean() }) })).default([]),
    generations: z
      .array(
        z.looseObject({
          index: z.number(),
          population: z.array(z.looseObject({ phrase: z.string(), valid: z.boolean(), fitness: z.number() })),
          fights: z.array(z.looseObject({ champion: z.string(), challenger: z.string(), winner: z.enum(['champion', 'challenger', 'tie']), reason: z.string(), unparsable: z.boolean() })),
        }),
      )
      .default([]),
    arbitration: z
      .looseObject({
        textPhrase: z.string().optional(),
        textRle: cocoRleSchema.optional(),
        box: boxSchema.optional(),
        boxRle: cocoRleSchema.optional(),
        verdicts: z.array(z.looseObject({ winner: z.enum(['text', 'box', 'tie']), reason: z.string() })),
        decision: z.enum(['text', 'box', 'empty']),
        reason: z.string(),
      })
      .optional(),
  }),
});
type TraceFile = z.infer<typeof traceFileSchema>;

export interface PairSide {
  /** The referring phrase (text stream) — absent for the box stream. */
  phrase?: string;
  /** The predicted box in original pixels [x1, y1, x2, y2] (box stream). */
  box?: [number, number, number, number];
  /** The response text a policy would produce: the phrase, or "box [x1, y1, x2, y2]". */
  text: string;
  rle: CocoRle;
}

export interface PreferencePair {
  format: 'pairs';
  id: string;
  source: 'arena' | 'final-arbitration';
  image: string;
  query: string;
  isSentence: boolean;
  /** The prompt a policy sees (the query); chosen/rejected texts are the responses. */
  prompt: string;
  chosen: PairSide;
  rejected: PairSide;
  /** The judge's reason(s) for the preference. */
  reasons: string[];
  generation?: number;
  variant?: string;
}

export interface GspoMember {
  phrase: string;
  rle: CocoRle;
  valid: boolean;
  fitness: number;
  reward: number;
  advantage: number;
}

export interface GspoGroup {
  format: 'gspo';
  id: string;
  image: string;
  query: string;
  isSentence: boolean;
  prompt: string;
  members: GspoMember[];
  rewardMean: number;
  rewardStd: number;
  /** Every reward equal: all advantages are 0. */
  degenerate: boolean;
  variant?: string;
}

export interface ExportSummary {
  traces: number;
  records: number;
  /** Pairs: arena / final-arbitration; groups: degenerate ones. */
  bySource: Record<string, number>;
  skipped: { ties: number; unparsable: number; inconsistent: number; missingMask: number; degenerate: number; withoutPopulation: number };
}

function boxText(box: readonly number[]): string {
  return `box [${box.map((value) => Math.round(value)).join(', ')}]`;
}

function latestRle(trace: TraceFile['trace'], phrase: string): CocoRle | undefined {
  for (let index = trace.phrases.length - 1; index >= 0; index -= 1) {
    const record = trace.phrases[index];
    if (record?.phrase === phrase) return record.rle;
  }
  return undefined;
}

function pairsOf(file: TraceFile, format: 'pairs', skipped: ExportSummary['skipped']): PreferencePair[] {
  const { trace } = file;
  const common = { format, image: file.imagePath, query: file.query, isSentence: file.isSentence, prompt: file.query, ...(trace.variant === undefined ? {} : { variant: trace.variant }) };
  const pairs: PreferencePair[] = [];
  for (const generation of trace.generations) {
    generation.fights.forEach((fight, index) => {
      if (fight.unparsable) return void (skipped.unparsable += 1);
      if (fight.winner === 'tie') return void (skipped.ties += 1);
      const [winner, loser] = fight.winner === 'champion' ? [fight.champion, fight.challenger] : [fight.challenger, fight.champion];
      const winnerRle = latestRle(trace, winner);
      const loserRle = latestRle(trace, loser);
      if (winnerRle === undefined || loserRle === undefined) return void (skipped.missingMask += 1);
      pairs.push({
        ...common,
        id: `${file.name}:arena:g${generation.index}:${index}`,
        source: 'arena',
        chosen: { phrase: winner, text: winner, rle: winnerRle },
        rejected: { phrase: loser, text: loser, rle: loserRle },
        reasons: [fight.reason],
        generation: generation.index,
      });
    });
  }
  const arbitration = trace.arbitration;
  if (arbitration !== undefined && arbitration.verdicts.length > 0) {
    if (arbitration.reason !== 'consistent' || arbitration.decision === 'empty') skipped.inconsistent += 1;
    else if (arbitration.textPhrase === undefined || arbitration.textRle === undefined || arbitration.box === undefined || arbitration.boxRle === undefined) skipped.missingMask += 1;
    else {
      const text: PairSide = { phrase: arbitration.textPhrase, text: arbitration.textPhrase, rle: arbitration.textRle };
      const box: PairSide = { box: arbitration.box, text: boxText(arbitration.box), rle: arbitration.boxRle };
      const [chosen, rejected] = arbitration.decision === 'text' ? [text, box] : [box, text];
      pairs.push({ ...common, id: `${file.name}:final`, source: 'final-arbitration', chosen, rejected, reasons: arbitration.verdicts.map((verdict) => verdict.reason) });
    }
  }
  return pairs;
}

function groupOf(file: TraceFile, skipped: ExportSummary['skipped']): GspoGroup | undefined {
  const { trace } = file;
  // Each distinct phrase once, with its latest fitness (fitness is carried across generations).
  const latest = new Map<string, { valid: boolean; fitness: number }>();
  for (const generation of trace.generations) for (const member of generation.population) latest.set(member.phrase, { valid: member.valid, fitness: member.fitness });
  if (latest.size === 0) {
    skipped.withoutPopulation += 1;
    return undefined;
  }
  const members: Omit<GspoMember, 'advantage'>[] = [];
  for (const [phrase, { valid, fitness }] of latest) {
    const rle = latestRle(trace, phrase);
    if (rle === undefined) {
      skipped.missingMask += 1;
      continue;
    }
    members.push({ phrase, rle, valid, fitness, reward: valid ? fitness : 0 });
  }
  const rewards = members.map((member) => member.reward);
  const mean = rewards.reduce((sum, value) => sum + value, 0) / Math.max(1, rewards.length);
  const std = Math.sqrt(rewards.reduce((sum, value) => sum + (value - mean) ** 2, 0) / Math.max(1, rewards.length));
  const degenerate = std === 0;
  if (degenerate) skipped.degenerate += 1;
  return {
    format: 'gspo',
    id: `${file.name}:group`,
    image: file.imagePath,
    query: file.query,
    isSentence: file.isSentence,
    prompt: file.query,
    members: members.map((member) => ({ ...member, advantage: degenerate ? 0 : (member.reward - mean) / std })),
    rewardMean: mean,
    rewardStd: std,
    degenerate,
    ...(trace.variant === undefined ? {} : { variant: trace.variant }),
  };
}

export async function exportPairs(runDirectory: string, format: TraceRecordKind): Promise<{ records: Array<PreferencePair | GspoGroup>; summary: ExportSummary }> {
  // Only traces of samples recorded in results.jsonl: a trace written just before Ctrl-C has no line and
  // belongs to no finished sample.
  const { lines } = await readResultLines(runDirectory, segmentationLineSchema);
  const names = [...new Set(lines.filter((line) => line.status === 'ok' && line.trace !== undefined).map((line) => line.trace ?? ''))].sort();
  if (names.length === 0) {
    throw mmevolveError('not-found', `${runDirectory} has no finished segmentation samples with traces`, 'Pass a run folder written by mmevolve eval (it keeps one trace per finished sample).');
  }
  const skipped: ExportSummary['skipped'] = { ties: 0, unparsable: 0, inconsistent: 0, missingMask: 0, degenerate: 0, withoutPopulation: 0 };
  const records: Array<PreferencePair | GspoGroup> = [];
  for (const name of names) {
    const file = path.join(runDirectory, name);
    let value: unknown;
    try {
      value = JSON.parse(await readFile(file, 'utf8')) as unknown;
    } catch (error) {
      throw mmevolveError('invalid-dataset', `${file} is not valid JSON`, 'Delete the damaged trace and its results line, then resume the run.', error);
    }
    const parsed = traceFileSchema.safeParse(value);
    if (!parsed.success) throw mmevolveError('invalid-dataset', `${file} is not an mmevolve segmentation trace: ${parsed.error.issues[0]?.message ?? ''}`, 'Pass a run folder written by mmevolve eval.');
    if (format === 'gspo') {
      const group = groupOf(parsed.data, skipped);
      if (group !== undefined) records.push(group);
    } else {
      records.push(...pairsOf(parsed.data, 'pairs', skipped));
    }
  }
  const bySource: Record<string, number> = {};
  for (const record of records) {
    const key = record.format === 'gspo' ? (record.degenerate ? 'degenerate-group' : 'group') : record.source;
    bySource[key] = (bySource[key] ?? 0) + 1;
  }
  return { records, summary: { traces: names.length, records: records.length, bySource, skipped } };
}
