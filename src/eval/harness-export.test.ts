import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRle, encodeRle } from '../vision/index.js';
import { digestCalls } from './call-digest.js';
import { loadHarnessExportContext } from './harness-export.js';
import { hashString, sanitizeModelName, writeLmmsEvalFiles } from './lmms-eval-export.js';
import { openRun } from './run-store.js';
import { segmentationLineSchema } from './segmentation-run.js';
import type { SegmentationLine } from './segmentation-run.js';
import { writeVlmevalkitFiles } from './vlmevalkit-export.js';

// Layout fixtures written from lmms-eval's evaluator.py / evaluation_tracker.py and VLMEvalKit's run.py /
// smp/file.py / dataset/refcoco.py (the files and commits are named inside each fixture).
const fixtures = path.join(import.meta.dirname, '__fixtures__', 'harness');
const lmmsLayout = JSON.parse(await readFile(path.join(fixtures, 'lmms-eval-layout.json'), 'utf8')) as Record<string, unknown>;
const vlmLayout = JSON.parse(await readFile(path.join(fixtures, 'vlmevalkit-layout.json'), 'utf8')) as Record<string, unknown>;

const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-harness-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A 4×4 mask with the given pixel indices set. */
function mask(pixels: readonly number[]): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(16);
  for (const pixel of pixels) data[pixel] = 1;
  return { width: 4, height: 4, data };
}

interface FakeSample {
  id: string;
  intersection: number;
  union: number;
  pixels: number[];
  noTarget: boolean;
  predictedNoTarget?: boolean;
  failed?: boolean;
}

/**
 * gRefCOCO val, five expressions: s1 a target hit 3/8; s2 a target hit 6/6; s3 no target answered "no target";
 * s4 no target answered with 2 pixels; s5 a target whose sample failed (empty mask, union 5).
 */
const SAMPLES: FakeSample[] = [
  { id: 'r1_s1', intersection: 3, union: 8, pixels: [0, 1, 4, 5], noTarget: false, predictedNoTarget: false },
  { id: 'r2_s2', intersection: 6, union: 6, pixels: [8, 9, 10, 12, 13, 14], noTarget: false, predictedNoTarget: false },
  { id: 'r3_s3', intersection: 0, union: 0, pixels: [], noTarget: true, predictedNoTarget: true },
  { id: 'r4_s4', intersection: 0, union: 2, pixels: [15, 11], noTarget: true, predictedNoTarget: false },
  { id: 'r5_s5', intersection: 0, union: 5, pixels: [], noTarget: false, failed: true },
];

async function fakeGrefRun(simulated: boolean): Promise<string> {
  const directory = path.join(root, simulated ? 'sim-run' : 'run');
  const store = await openRun<SegmentationLine>({
    directory,
    identity: { command: 'eval', method: 'evol', dataset: '/data/grefcoco', settings: { dataset: { format: 'grefcoco', path: '/data/grefcoco', split: 'val' } } },
    backends: { mllm: 'Qwen/Qwen2.5-VL-7B-Instruct', segmenter: 'sam3' },
    simulated,
    schema: segmentationLineSchema,
    now: () => new Date('2026-03-04T05:06:07Z'),
  });
  await mkdir(path.join(directory, 'traces'), { recursive: true });
  for (const sample of SAMPLES) {
    const trace = `traces/${sample.id}.json`;
    if (sample.failed !== true) await writeFile(path.join(directory, trace), JSON.stringify({ rle: encodeRle(mask(sample.pixels)) }));
    await store.append({
      kind: 'segmentation',
      id: sample.id,
      status: sample.failed === true ? 'failed' : 'ok',
      ...(sample.failed === true ? { error: { code: 'model-error', message: 'boom' } } : { trace }),
      query: `expression ${sample.id}`,
      isSentence: false,
      intersection: sample.intersection,
      union: sample.union,
      iou: sample.union === 0 ? 1 : sample.intersection / sample.union,
      area: sample.pixels.length,
      wallMs: 500,
      calls: digestCalls([]),
      counters: {},
      noTarget: sample.noTarget,
      ...(sample.predictedNoTarget === undefined ? {} : { predictedNoTarget: sample.predictedNoTarget }),
      warnings: [],
    });
  }
  await store.close();
  return directory;
}

// Hand-computed from SAMPLES with ReLA's rules (grefcoco-metrics.ts): IoUs 0.375, 1, 1, 0, 0.
const GIOU = (0.375 + 1 + 1 + 0 + 0) / 5;
const CIOU = (3 + 6) / (8 + 6 + 0 + 2 + 5);
const N_ACC = 1 / 2; // s3 right, s4 wrong
const T_ACC = 2 / 3; // s1, s2 answered with a mask; s5 (failed, empty) counts as "no target"

describe('export-results --format lmms-eval', () => {
  it("writes <model>/<date>_results.json and _samples_<task>.jsonl with lmms-eval's fields and our numbers", async () => {
    const run = await fakeGrefRun(false);
    const out = path.join(root, 'lmms-out');
    const files = await writeLmmsEvalFiles(await loadHarnessExportContext(run), out);
    const relative = (file: string): string => path.relative(out, file).split(path.sep).join('/');
    expect(relative(files.results)).toMatch(new RegExp(String(lmmsLayout['results_file'])));
    expect(relative(files.samples)).toMatch(new RegExp(String(lmmsLayout['samples_file']).replace('{task}', 'grefcoco_val')));
    expect(relative(files.results), 'model folder as sanitize_model_name, date from the run start').toBe(
      'mmevolve-evol_Qwen2.5-VL-7B-Instruct/20260304_050607_results.json',
    );

    const results = JSON.parse(await readFile(files.results, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(results)).toEqual(expect.arrayContaining(lmmsLayout['results_top_level_keys'] as string[]));
    expect(Object.keys(results['config'] ?? {}).sort()).toEqual([...(lmmsLayout['config_keys'] as string[])].sort());
    const task = results['results']?.['grefcoco_val'] as Record<string, unknown>;
    for (const key of Object.keys(task)) expect(key, 'a task result key').toMatch(new RegExp(String(lmmsLayout['task_result_key'])));
    expect(task['gIoU,none']).toBeCloseTo(GIOU, 12);
    expect(task['cIoU,none']).toBeCloseTo(CIOU, 12);
    expect(task['N-acc,none']).toBe(N_ACC);
    expect(task['T-acc,none']).toBeCloseTo(T_ACC, 12);
    expect(task['gIoU_stderr,none']).toBe('N/A');
    expect(Object.keys(results['n-samples']?.['grefcoco_val'] as object)).toEqual(lmmsLayout['n_samples_keys']);
    expect(results['model_name_sanitized']).toBe('mmevolve-evol_Qwen2.5-VL-7B-Instruct');

    const samples = (await readFile(files.samples, 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(samples).toHaveLength(5);
    for (const sample of samples) {
      expect(Object.keys(sample)).toEqual(expect.arrayContaining(lmmsLayout['sample_keys_required'] as string[]));
      for (const removed of lmmsLayout['sample_keys_removed'] as string[]) expect(sample, `samples drop ${removed}`).not.toHaveProperty(removed);
    }
    // task_hashes as save_results_aggregated computes them from the doc hashes.
    const expectedHash = hashString(samples.map((sample, index) => `sample_${index}${String(sample['doc_hash'])}`).join(''));
    expect(results['task_hashes']?.['grefcoco_val']).toBe(expectedHash);
    const first = JSON.parse(String(samples[0]?.['filtered_resps'])) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(lmmsLayout['saco_answer_keys']);
    expect(first['boxes'], 's1 covers pixels (0,0)–(1,1)').toEqual([[0, 0, 2, 2]]);
    expect(decodeRle((first['masks'] as Parameters<typeof decodeRle>[0][])[0] as Parameters<typeof decodeRle>[0]).data).toEqual(mask([0, 1, 4, 5]).data);
    expect(JSON.parse(String(samples[2]?.['filtered_resps'])), 'a "no target" answer is empty lists').toEqual({ masks: [], boxes: [], scores: [] });
    expect(samples[0]?.['cIoU']).toEqual({ intersection: 3, union: 8 });
  });

  it('follows lmms-eval for model names with an organisation and marks simulated runs', async () => {
    expect(sanitizeModelName('lmms-lab/llava-onevision-qwen2-0.5b')).toBe('lmms-lab__llava-onevision-qwen2-0.5b');
    const context = await loadHarnessExportContext(await fakeGrefRun(true));
    expect(context.modelName).toBe('mmevolve-evol_Qwen2.5-VL-7B-Instruct-SIMULATED');
  });
});

describe('export-results --format vlmevalkit', () => {
  it("writes <model>/<eval_id>/<model>_<dataset>.tsv and _acc.csv as VLMEvalKit's RefCOCO evaluation lays them out", async () => {
    const run = await fakeGrefRun(false);
    const out = path.join(root, 'vlm-out');
    const files = await writeVlmevalkitFiles(await loadHarnessExportContext(run), out);
    const relativeDirectory = path.relative(out, files.directory).split(path.sep).join('/');
    expect(relativeDirectory).toMatch(new RegExp(String(vlmLayout['directory'])));
    expect(relativeDirectory).toBe('mmevolve-evol_Qwen2.5-VL-7B-Instruct/T20260304-050607');
    const model = 'mmevolve-evol_Qwen2.5-VL-7B-Instruct';
    expect((await readdir(files.directory)).sort()).toEqual(
      [String(vlmLayout['prediction_file']), String(vlmLayout['result_table'])].map((name) => name.replace('{model}', model).replace('{dataset}', 'gRefCOCO')).sort(),
    );

    const parseQuoted = (line: string, separator: string): string[] => {
      expect(line.startsWith('"') && line.endsWith('"'), `QUOTE_ALL: ${line}`).toBe(true);
      return line.slice(1, -1).split(`"${separator}"`).map((field) => field.replace(/""/g, '"'));
    };
    const tableLines = (await readFile(files.table, 'utf8')).trimEnd().split('\n').map((line) => parseQuoted(line, ','));
    expect(tableLines[0]).toEqual(['Split', 'gIoU', 'cIoU', 'N-acc', 'T-acc', 'Samples']);
    expect(tableLines[0]?.[0]).toBe(vlmLayout['result_table_first_column']);
    expect(tableLines.at(-1)?.[0]).toBe(vlmLayout['result_table_last_row']);
    const row = tableLines[1] ?? [];
    expect(row[0]).toBe('gRefCOCO_val');
    expect(Number(row[1])).toBeCloseTo(GIOU, 12);
    expect(Number(row[2])).toBeCloseTo(CIOU, 12);
    expect(Number(row[3])).toBe(N_ACC);
    expect(Number(row[4])).toBeCloseTo(T_ACC, 12);
    expect(row[5]).toBe('5');

    const predictionLines = (await readFile(files.predictions, 'utf8')).trimEnd().split('\n').map((line) => parseQuoted(line, '\t'));
    const header = predictionLines[0] ?? [];
    expect(header).toEqual(expect.arrayContaining([...(vlmLayout['prediction_required_columns'] as string[]), ...(vlmLayout['refcoco_detail_columns'] as string[])]));
    expect(predictionLines).toHaveLength(6);
    const column = (name: string): number => header.indexOf(name);
    expect(predictionLines[1]?.[column('index')]).toBe('r1_s1');
    expect(predictionLines[2]?.[column('hit')], 's2 IoU 1 ≥ 0.5').toBe('1');
    expect(JSON.parse(predictionLines[1]?.[column('prediction')] ?? '{}')).toHaveProperty('masks');
  });

  it('refuses a folder that is not an eval run, naming it', async () => {
    await expect(loadHarnessExportContext(path.join(root, 'missing'))).rejects.toThrow(/missing/);
  });
});
