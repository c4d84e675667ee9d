/**
 * `mmevolve eval-vqa` as a library call: the online protocol over a MATH-V style jsonl — problems strictly
 * in dataset order, one at a time, so memory grows from earlier failures — into a resumable run folder.
 * The solver is injected (solveWithMemory with its backends and memory bound by the caller).
 *
 * Resuming after Ctrl-C: a cancelled problem is not written, but lessons it may already have stored stay
 * in memory; when it is solved again, an identical lesson is recognised as a duplicate, not stored twice.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CallRecord, Warning } from '../core/index.js';
import type { MathVRecord } from '../memory/index.js';
import { loadMathVDataset } from '../memory/index.js';
import { digestCalls } from './call-digest.js';
import { runBounds } from './eval-run-options.js';
import type { EvalRunOptions, EvalRunResult } from './eval-run-options.js';
import { openRun } from './run-store.js';
import { runSamples } from './runner.js';
import { vqaLineSchema } from './vqa-lines.js';
import type { VqaLine } from './vqa-lines.js';
import { runningVqaMetric } from './vqa-summary.js';

/** What the solver returns for one problem (memory's SolveResult has this shape). */
export interface VqaOutcome {
  answer: string;
  verdict?: { correct: boolean; rule: string };
  lessonsUsed: ReadonlyArray<{ id: string; stream: 'visual' | 'logic'; score: number }>;
  lessonsWritten: ReadonlyArray<{ id: string; stream: 'visual' | 'logic' }>;
  lessonsMerged: ReadonlyArray<{ id: string; stream: 'visual' | 'logic'; version: number }>;
  duplicates: readonly unknown[];
  mergesRejected: readonly unknown[];
  calls: readonly CallRecord[];
  embeddings: { texts: number; images: number };
  warnings: readonly Warning[];
}

export type SolveRecord = (record: MathVRecord, signal: AbortSignal) => Promise<VqaOutcome>;

export interface VqaRunOptions extends EvalRunOptions {
  solve: SolveRecord;
}

export type VqaRunResult = EvalRunResult<VqaLine>;

/** A SynthWorld `sim-manifest.json` beside the dataset file says the data is simulated. */
export async function datasetIsSimulated(datasetFile: string): Promise<boolean> {
  const file = path.join(path.dirname(datasetFile), 'sim-manifest.json');
  if (!existsSync(file)) return false;
  try {
    const content = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return typeof content === 'object' && content !== null && (content as Record<string, unknown>).simulated === true;
  } catch {
    // An unreadable manifest cannot vouch for anything; treat the data as real but keep going.
    return false;
  }
}

export async function runVqaEval(options: VqaRunOptions): Promise<VqaRunResult> {
  const dataset = path.resolve(options.dataset);
  const records = await loadMathVDataset(dataset);
  const simulated = (await datasetIsSimulated(dataset)) || options.simulatedBackends;
  const store = await (options.openStore ?? openRun)<VqaLine>({
    directory: options.out,
    identity: { command: 'eval-vqa', method: options.method, dataset, settings: options.settings },
    backends: options.backends,
    simulated,
    schema: vqaLineSchema,
  });
  const indexOf = new Map(records.map((record, index) => [record.id, index]));
  const base = (record: MathVRecord): Pick<VqaLine, 'kind' | 'id' | 'index' | 'gold' | 'subject' | 'level'> => ({
    kind: 'vqa',
    id: record.id,
    index: indexOf.get(record.id) ?? 0,
    gold: record.answer,
    ...(record.subject === undefined ? {} : { subject: record.subject }),
    ...(record.level === undefined ? {} : { level: record.level }),
  });
  try {
    const outcome = await runSamples<MathVRecord, VqaLine>({
      store,
      samples: records,
      id: (record) => record.id,
      // The online protocol: one problem at a time, in order.
      concurrency: 1,
      run: async (record, signal) => {
        const started = performance.now();
        const result = await options.solve(record, signal);
        return {
          ...base(record),
          status: 'ok',
          answer: result.answer,
          correct: result.verdict?.correct ?? false,
          rule: result.verdict?.rule ?? 'unverified',
          lessonsUsed: result.lessonsUsed.map(({ id, stream, score }) => ({ id, stream, score })),
          lessonsWritten: result.lessonsWritten.map(({ id, stream }) => ({ id, stream })),
          lessonsMerged: result.lessonsMerged.map(({ id, stream, version }) => ({ id, stream, version })),
          duplicates: result.duplicates.length,
          mergesRejected: result.mergesRejected.length,
          embeddings: { texts: result.embeddings.texts, images: result.embeddings.images },
          wallMs: performance.now() - started,
          calls: digestCalls(result.calls),
          warnings: result.warnings.map((warning) => warning.code),
        };
      },
      failed: (record, error) => ({
        ...base(record),
        status: 'failed',
        error,
        answer: '',
        correct: false,
        rule: 'failed',
        lessonsUsed: [],
        lessonsWritten: [],
        lessonsMerged: [],
        duplicates: 0,
        mergesRejected: 0,
        embeddings: { texts: 0, images: 0 },
        wallMs: 0,
        calls: digestCalls([]),
        warnings: [],
      }),
      ...runBounds(options),
      metric: runningVqaMetric,
    });
    return { ...outcome, manifest: store.manifest, warnings: store.warnings, resumed: store.resumed };
  } finally {
    await store.close();
  }
}
