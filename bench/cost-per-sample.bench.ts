/**
 * `npm run bench -- cost`: what one sample costs on the real protocols (issue 18), for single, agent, evol
 * published and evol improved, from one run on SIMULATED servers (paper-like preset): MLLM calls (planner +
 * judge), tokens spent (prompt, completion) and tokens served by the response cache (in memory, empty at
 * the start of each method, as `mmevolve eval` has one by default), segmenter requests and image encodes as
 * the Roboflow server performs them (one per /sam3/concept_segment request). The encodes the report counts
 * are checked against the simulated segmenter's own /metrics count for the same run. Beside them, the
 * published code's counts per sample (issue 12 item 2 and issue 18, read in the authors' code,
 * AHideoKuzeA/Evol-SAM3): 5–12 image encodes and 9–27 MLLM calls.
 *
 * Env: MMEVOLVE_COST_IMAGES (default 30), MMEVOLVE_COST_SEED (default 13, a report seed; see calibration).
 * Counts describe mmevolve's protocol use under the simulation, never a real model's behaviour.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportReasonSeg } from '../src/sim/index.js';
import { SAM3_CONCEPT_SEGMENT_PATH } from '../src/protocols/index.js';
import { SEG_RUNS, runSegMethod, startBenchStack } from './sim-runs.js';

const IMAGES = Number(process.env.MMEVOLVE_COST_IMAGES ?? 30);
const SEED = Number(process.env.MMEVOLVE_COST_SEED ?? 13);
const METHODS = ['single', 'agent', 'evol-published', 'evol-improved'];

interface LineCost {
  status: string;
  counters: Record<string, number>;
  calls: { byBackend?: Record<string, { calls: number; promptTokens: number; completionTokens: number; cachedTokens?: number; cacheHits: number }> };
}

function range(values: readonly number[]): string {
  return values.length === 0 ? '-' : `${Math.min(...values)}–${Math.max(...values)}`;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-bench-cost-'));
  try {
    const dataset = path.join(root, 'reasonseg');
    await exportReasonSeg({ n: IMAGES, seed: SEED, out: dataset });
    console.log(`SIMULATED SynthWorld ReasonSeg, paper-like preset, ${IMAGES} images (seed ${SEED}), response cache in memory per method; means per sample, [min–max] over samples`);
    const rows: string[] = [];
    for (const label of METHODS) {
      const runSpec = SEG_RUNS.find((candidate) => candidate.label === label);
      if (runSpec === undefined) throw new Error(`no run ${label}`);
      const stack = await startBenchStack('paper-like', SEED, { responseCache: true });
      try {
        const out = path.join(root, label);
        await runSegMethod(stack, dataset, out, runSpec, 2);
        const lines = (await readFile(path.join(out, 'results.jsonl'), 'utf8'))
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as LineCost & { kind?: string })
          .filter((line) => line.kind === 'segmentation' && line.status === 'ok');
        const mllmRoles = (line: LineCost): Array<{ calls: number; promptTokens: number; completionTokens: number; cachedTokens?: number; cacheHits: number }> =>
          ['mllm', 'judge'].flatMap((role) => line.calls.byBackend?.[role] ?? []);
        const mllmCalls = lines.map((line) => mllmRoles(line).reduce((sum, role) => sum + role.calls, 0));
        const cacheHits = lines.map((line) => mllmRoles(line).reduce((sum, role) => sum + role.cacheHits, 0));
        const prompt = lines.map((line) => mllmRoles(line).reduce((sum, role) => sum + role.promptTokens, 0));
        const completion = lines.map((line) => mllmRoles(line).reduce((sum, role) => sum + role.completionTokens, 0));
        const cached = lines.map((line) => mllmRoles(line).reduce((sum, role) => sum + (role.cachedTokens ?? 0), 0));
        const requests = lines.map((line) => line.counters['segmenterCalls'] ?? 0);
        const encodes = lines.map((line) => line.counters['segmenterImageEncodes'] ?? 0);
        const serverEncodes = stack.segmenterServer.metrics.routes[SAM3_CONCEPT_SEGMENT_PATH]?.imageEncodes ?? 0;
        const reportEncodes = encodes.reduce((sum, value) => sum + value, 0);
        rows.push(
          `| ${label} | ${lines.length} | ${mean(mllmCalls).toFixed(2)} [${range(mllmCalls)}] | ${mean(cacheHits).toFixed(2)} | ${mean(prompt).toFixed(0)} + ${mean(completion).toFixed(0)} | ${mean(cached).toFixed(0)} | ${mean(requests).toFixed(2)} | ${mean(encodes).toFixed(2)} [${range(encodes)}] | ${reportEncodes} / ${serverEncodes}${reportEncodes === serverEncodes ? '' : ' MISMATCH'} |`,
        );
        console.log(`  ran ${label}: ${lines.length} samples`);
      } finally {
        await stack.close();
      }
    }
    rows.push('| published code (issue 18, from AHideoKuzeA/Evol-SAM3) | | 9–27 | | | | | 5–12 | |');
    console.log('\n| method | n | MLLM calls [min–max] | of them cache hits | fresh tokens: prompt + completion | cached tokens | segmenter requests | image encodes [min–max] | encodes, report / server /metrics |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
