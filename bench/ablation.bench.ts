/**
 * `npm run bench -- ablation`: evol with the published settings plus ONE fix at a time (issues 6 and 12),
 * then all fixes (`--preset improved`), on SIMULATED servers of the honest simulator (issue 13), through the
 * code of `mmevolve eval` / `compare`: gIoU, gIoU on multi-step queries, MLLM calls and segmenter requests
 * (= image encodes, one per concept_segment request) per sample, and the paired 95% interval of each
 * against the published settings ("identical masks" when no sample's IoU moved).
 *
 * Env: MMEVOLVE_ABLATION_IMAGES (default 20), MMEVOLVE_ABLATION_SEED (default 13, a report seed),
 * MMEVOLVE_ABLATION_PRESET (sim noise preset, default paper-like). Mechanics of the simulation only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pairedBootstrap } from '../src/eval/bootstrap.js';
import { runSegmentationEval, silentProgress, writeRunReport } from '../src/eval/index.js';
import type { SegmentationSummary } from '../src/eval/segmentation-summary.js';
import { evolveConfigSchema, resolveEvolveConfig, runSegmentation } from '../src/evolve/index.js';
import type { EvolveConfig } from '../src/evolve/index.js';
import { exportReasonSeg, isNoisePresetName } from '../src/sim/index.js';
import { readQuerySteps, signedInterval, startBenchStack } from './sim-runs.js';

const IMAGES = Number(process.env.MMEVOLVE_ABLATION_IMAGES ?? 20);
const SEED = Number(process.env.MMEVOLVE_ABLATION_SEED ?? 13);
const PRESET = process.env.MMEVOLVE_ABLATION_PRESET ?? 'paper-like';

/** Every fix switch, read from the config schema so a new switch is ablated without editing this file. */
function fixNames(): string[] {
  return Object.keys(evolveConfigSchema.parse({}).fixes);
}

export async function run(): Promise<void> {
  if (!isNoisePresetName(PRESET)) throw new Error(`unknown sim preset ${PRESET}`);
  const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-bench-ablation-'));
  try {
    const dataset = path.join(root, 'reasonseg');
    await exportReasonSeg({ n: IMAGES, seed: SEED, out: dataset });
    const steps = await readQuerySteps(dataset);
    const stack = await startBenchStack(PRESET, SEED);
    const { mllm, segmenter } = stack.backends;
    if (mllm === undefined || segmenter === undefined) throw new Error('no backends');
    const arms: Array<{ label: string; config: EvolveConfig }> = [
      { label: 'none (published)', config: resolveEvolveConfig('published') },
      ...fixNames().map((fix) => ({ label: fix, config: resolveEvolveConfig('published', { fixes: { [fix]: true } }) })),
      { label: 'all (`--preset improved`)', config: resolveEvolveConfig('improved') },
    ];
    console.log(`SIMULATED SynthWorld ReasonSeg, ${PRESET} preset, ${IMAGES} images (seed ${SEED}); evol published plus one fix; intervals against the published settings (10,000 resamples)`);
    const rows: string[] = [];
    let base: SegmentationSummary | undefined;
    try {
      for (const [index, arm] of arms.entries()) {
        const out = path.join(root, `arm-${index}`);
        await runSegmentationEval({
          dataset,
          method: 'evol',
          out,
          settings: { fixes: arm.label },
          backends: { mllm: mllm.model, segmenter: segmenter.model },
          simulatedBackends: true,
          segment: (image, sample, signal) => runSegmentation('evol', image, sample.query, { backends: { mllm, segmenter }, config: arm.config, isSentence: sample.isSentence, queryVariants: sample.queries.slice(1), signal }),
          concurrency: 4,
          progress: silentProgress,
        });
        const report = await writeRunReport(out);
        if (report.summary.kind !== 'segmentation') throw new Error('expected segmentation');
        const summary = report.summary;
        base ??= summary;
        const baseIou = new Map(base.perSample.map((sample) => [sample.id, sample.iou * 100]));
        const ids = summary.perSample.map((sample) => sample.id).filter((id) => baseIou.has(id));
        const iou = new Map(summary.perSample.map((sample) => [sample.id, sample.iou * 100]));
        const multi = ids.filter((id) => (steps.get(id) ?? 0) >= 2);
        const mean = (keys: readonly string[]): number => keys.reduce((sum, key) => sum + (iou.get(key) ?? 0), 0) / Math.max(1, keys.length);
        const identical = ids.every((id) => Math.abs((iou.get(id) ?? 0) - (baseIou.get(id) ?? 0)) < 1e-9);
        const interval = index === 0 ? '' : identical ? 'identical masks' : (() => {
          const result = pairedBootstrap(ids.map((id) => baseIou.get(id) ?? 0), ids.map((id) => iou.get(id) ?? 0));
          return signedInterval(result.difference, result.low, result.high);
        })();
        const counters = summary.countersPerSample;
        const mllmCalls = (counters['mllmCalls'] ?? 0) + (counters['judgeCalls'] ?? 0);
        rows.push(`| ${arm.label} | ${mean(ids).toFixed(2)} | ${mean(multi).toFixed(2)} (n ${multi.length}) | ${mllmCalls.toFixed(2)} | ${(counters['segmenterCalls'] ?? 0).toFixed(2)} | ${interval} |`);
        console.log(`  ran ${arm.label}`);
      }
    } finally {
      await stack.close();
    }
    console.log('\n| evol, published settings plus | gIoU | multi-step gIoU | MLLM calls/sample | segmenter requests = encodes/sample | gIoU vs none, 95% CI |');
    console.log('|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
