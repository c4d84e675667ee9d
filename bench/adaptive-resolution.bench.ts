/**
 * `npm run bench -- adaptive-resolution`: what sending the MLLM fewer pixels saves and costs, on SIMULATED
 * servers (issue 17; a client-side analogue of InternVL3.5-Flash's Visual Resolution Router). For evol
 * improved and single it runs the resolution policy at full, quarter, adaptive with the cheap rule and
 * adaptive with the judge rule over exported SynthWorld ReasonSeg folders, and prints per method and policy:
 * visual tokens of the MLLM's images per sample (check calls included), the saving against the same calls at
 * full resolution and against the full run (which may make other calls), gIoU and cIoU, and the
 * paired difference to full with a 95% bootstrap interval (10,000 resamples, per sample for gIoU, of the
 * cumulative ratio for cIoU).
 *
 * The cheap rule's edge-density threshold is chosen on seed 7 only (evol improved): the largest token saving
 * whose gIoU is at most SELECT_TOLERANCE points below full there, else the most conservative threshold;
 * seeds 13 and 17 are report seeds only.
 *
 * Env: MMEVOLVE_RES_IMAGES (default 24 per seed), MMEVOLVE_RES_SELECT_IMAGES (default 24),
 * MMEVOLVE_RES_PRESET (sim noise preset, default paper-like), MMEVOLVE_RES_KEEP=DIR keeps every folder.
 * Every number describes the simulation's mechanics, never a real model's quality.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pairedBootstrap } from '../src/eval/bootstrap.js';
import { imageIou } from '../src/eval/metrics.js';
import type { RunReport } from '../src/eval/index.js';
import { exportReasonSeg, isNoisePresetName } from '../src/sim/index.js';
import type { NoisePresetName } from '../src/sim/index.js';
import { runSegMethod, signedInterval, startBenchStack } from './sim-runs.js';
import type { SegRun } from './sim-runs.js';

const REPORT_SEEDS = [13, 17];
const SELECT_SEED = 7;
const IMAGES = Number(process.env.MMEVOLVE_RES_IMAGES ?? 24);
const SELECT_IMAGES = Number(process.env.MMEVOLVE_RES_SELECT_IMAGES ?? 24);
const PRESET = process.env.MMEVOLVE_RES_PRESET ?? 'paper-like';
const KEEP = process.env.MMEVOLVE_RES_KEEP;
const CONCURRENCY = 4;
/** Edge-density thresholds tried on the selection seed (share of pixels on a strong edge; SynthWorld images lie at 0.003–0.009). */
const EDGE_GRID = [0.004, 0.006, 0.008, 0.012];
/** The selection's tolerance: gIoU points below full on seed 7 that a threshold may cost. */
const SELECT_TOLERANCE = 1;

interface Cell {
  /** Per sample, keyed "seed/sample": intersection and union (LISA counts) and IoU × 100. */
  counts: Map<string, { intersection: number; union: number; iou: number }>;
  tokensSent: number[];
  tokensAllFull: number[];
  quarterShare: number[];
  checks: number[];
  failed: number;
}

function emptyCell(): Cell {
  return { counts: new Map(), tokensSent: [], tokensAllFull: [], quarterShare: [], checks: [], failed: 0 };
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

async function addRun(cell: Cell, seed: number, out: string, report: RunReport): Promise<void> {
  if (report.summary.kind !== 'segmentation') throw new Error('expected a segmentation report');
  const lines = (await readFile(path.join(out, 'results.jsonl'), 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { kind?: string; id: string; intersection: number; union: number; counters?: Record<string, number> });
  for (const line of lines) {
    if (line.kind !== 'segmentation') continue;
    const iou = 100 * imageIou({ intersection: line.intersection, union: line.union });
    cell.counts.set(`${seed}/${line.id}`, { intersection: line.intersection, union: line.union, iou });
    const counters = line.counters ?? {};
    cell.tokensSent.push(counters['imageTokensSent'] ?? 0);
    cell.tokensAllFull.push(counters['imageTokensAllFull'] ?? 0);
    const images = (counters['imagesFull'] ?? 0) + (counters['imagesQuarter'] ?? 0);
    cell.quarterShare.push(images === 0 ? 0 : (counters['imagesQuarter'] ?? 0) / images);
    cell.checks.push(counters['resolutionChecks'] ?? 0);
  }
  cell.failed += report.summary.failed;
}

/** cIoU × 100 of the keys, and its paired bootstrap difference (run − base) with a 95% interval. */
function cumulativeDifference(base: Cell, run: Cell, keys: readonly string[]): { value: number; interval: string } {
  const ratio = (cell: Cell, picks: readonly string[]): number => {
    let intersection = 0;
    let union = 0;
    for (const key of picks) {
      const counts = cell.counts.get(key);
      intersection += counts?.intersection ?? 0;
      union += counts?.union ?? 0;
    }
    return (100 * intersection) / (union + 1e-10);
  };
  const value = ratio(run, keys);
  const difference = value - ratio(base, keys);
  let state = 20261207;
  const random = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const resamples: number[] = [];
  for (let resample = 0; resample < 10_000; resample += 1) {
    const picks = keys.map(() => keys[Math.floor(random() * keys.length)] ?? '');
    resamples.push(ratio(run, picks) - ratio(base, picks));
  }
  resamples.sort((a, b) => a - b);
  return { value, interval: signedInterval(difference, resamples[249] ?? Number.NaN, resamples[9749] ?? Number.NaN) };
}

function row(method: string, policy: string, base: Cell, run: Cell): string {
  const keys = [...base.counts.keys()].filter((key) => run.counts.has(key)).sort();
  const a = keys.map((key) => base.counts.get(key)?.iou ?? 0);
  const b = keys.map((key) => run.counts.get(key)?.iou ?? 0);
  const giou = mean(b);
  const giouDiff = run === base ? '—' : (() => {
    const result = pairedBootstrap(a, b);
    return signedInterval(result.difference, result.low, result.high);
  })();
  const ciou = cumulativeDifference(base, run, keys);
  const tokens = mean(run.tokensSent);
  const percentBelow = (reference: number): string => (reference > 0 ? `${(100 * (1 - tokens / reference)).toFixed(1)}%` : '—');
  return `| ${method} | ${policy} | ${keys.length}${run.failed > 0 ? ` (${run.failed} failed)` : ''} | ${tokens.toFixed(0)} | ${percentBelow(mean(run.tokensAllFull))} | ${percentBelow(mean(base.tokensSent))} | ${(100 * mean(run.quarterShare)).toFixed(0)}% | ${mean(run.checks).toFixed(2)} | ${giou.toFixed(2)} | ${giouDiff} | ${ciou.value.toFixed(2)} | ${run === base ? '—' : ciou.interval} |`;
}

function policyRuns(method: 'evol' | 'single', maxEdgeDensity: number): SegRun[] {
  const preset = method === 'evol' ? 'improved' : 'published';
  const label = method === 'evol' ? 'evol-improved' : 'single';
  return [
    { label: `${label}/full`, method, preset, evolve: { resolution: { mode: 'full' } } },
    { label: `${label}/quarter`, method, preset, evolve: { resolution: { mode: 'quarter' } } },
    { label: `${label}/adaptive-cheap`, method, preset, evolve: { resolution: { mode: 'adaptive', rule: 'cheap', cheap: { maxEdgeDensity } } } },
    { label: `${label}/adaptive-judge`, method, preset, evolve: { resolution: { mode: 'adaptive', rule: 'judge' } } },
  ];
}

async function runCells(root: string, seeds: readonly number[], runs: readonly SegRun[], preset: NoisePresetName): Promise<Map<string, Cell>> {
  const cells = new Map<string, Cell>(runs.map((run) => [run.label, emptyCell()]));
  for (const seed of seeds) {
    const dataset = path.join(root, `reasonseg-seed${seed}`);
    const stack = await startBenchStack(preset, seed);
    try {
      for (const run of runs) {
        const started = performance.now();
        const out = path.join(root, `seed${seed}`, run.label.replace('/', '-'));
        const report = await runSegMethod(stack, dataset, out, run, CONCURRENCY);
        const cell = cells.get(run.label) ?? emptyCell();
        await addRun(cell, seed, out, report);
        console.log(`  seed ${seed} ${run.label}: ${((performance.now() - started) / 1000).toFixed(1)} s wall`);
      }
    } finally {
      await stack.close();
    }
  }
  return cells;
}

/** Seed 7: the edge-density threshold with the largest saving whose gIoU stays within SELECT_TOLERANCE of full. */
async function selectThreshold(root: string, preset: NoisePresetName): Promise<number> {
  const runs: SegRun[] = [
    { label: 'select/full', method: 'evol', preset: 'improved', evolve: { resolution: { mode: 'full' } } },
    ...EDGE_GRID.map((maxEdgeDensity): SegRun => ({ label: `select/cheap-${maxEdgeDensity}`, method: 'evol', preset: 'improved', evolve: { resolution: { mode: 'adaptive', rule: 'cheap', cheap: { maxEdgeDensity } } } })),
  ];
  const cells = await runCells(root, [SELECT_SEED], runs, preset);
  const base = cells.get('select/full') ?? emptyCell();
  const baseGiou = mean([...base.counts.values()].map((counts) => counts.iou));
  let chosen = EDGE_GRID[0] ?? 0;
  let bestSaving = -1;
  console.log(`\nSelection (seed ${SELECT_SEED}, evol improved, ${SELECT_IMAGES} images): full gIoU ${baseGiou.toFixed(2)}, ${mean(base.tokensSent).toFixed(0)} visual tokens per sample`);
  for (const maxEdgeDensity of EDGE_GRID) {
    const cell = cells.get(`select/cheap-${maxEdgeDensity}`) ?? emptyCell();
    const giou = mean([...cell.counts.values()].map((counts) => counts.iou));
    const saving = 1 - mean(cell.tokensSent) / Math.max(1, mean(base.tokensSent));
    const admissible = giou >= baseGiou - SELECT_TOLERANCE;
    console.log(`  maxEdgeDensity ${maxEdgeDensity}: gIoU ${giou.toFixed(2)}, tokens saved ${(100 * saving).toFixed(1)}%${admissible ? '' : ' (over the tolerance)'}`);
    if (admissible && saving > bestSaving) {
      bestSaving = saving;
      chosen = maxEdgeDensity;
    }
  }
  // With no threshold within the tolerance, the most conservative one (fewest quarter calls) is kept.
  console.log(`  chosen: maxEdgeDensity ${chosen} (${bestSaving < 0 ? `none within ${SELECT_TOLERANCE} gIoU point of full: the most conservative threshold` : `largest saving within ${SELECT_TOLERANCE} gIoU point of full`})`);
  return chosen;
}

export async function run(): Promise<void> {
  if (!isNoisePresetName(PRESET)) throw new Error(`unknown sim preset ${PRESET}`);
  const root = KEEP ?? (await mkdtemp(path.join(tmpdir(), 'mmevolve-resolution-')));
  const cpuStart = process.cpuUsage();
  try {
    await exportReasonSeg({ n: SELECT_IMAGES, seed: SELECT_SEED, out: path.join(root, `reasonseg-seed${SELECT_SEED}`) });
    for (const seed of REPORT_SEEDS) await exportReasonSeg({ n: IMAGES, seed, out: path.join(root, `reasonseg-seed${seed}`) });
    console.log(`SIMULATED adaptive resolution: sim preset ${PRESET}, MLLM profile qwen2.5-vl; threshold chosen on seed ${SELECT_SEED}, reported on seeds ${REPORT_SEEDS.join(', ')} (${IMAGES} images each)`);
    const threshold = await selectThreshold(root, PRESET);
    const rows: string[] = [];
    for (const method of ['evol', 'single'] as const) {
      const runs = policyRuns(method, threshold);
      const cells = await runCells(root, REPORT_SEEDS, runs, PRESET);
      const base = cells.get(runs[0]?.label ?? '') ?? emptyCell();
      for (const policy of runs) rows.push(row(method === 'evol' ? 'evol improved' : 'single', policy.label.split('/')[1] ?? '', base, cells.get(policy.label) ?? emptyCell()));
    }
    console.log(`\nReport seeds ${REPORT_SEEDS.join(' + ')} pooled (SIMULATED; paired 95% bootstrap intervals vs full, 10,000 resamples; cheap rule maxEdgeDensity ${threshold}):`);
    console.log('| method | resolution | n | visual tokens / sample | saved vs its calls at full | saved vs the full run | images at quarter | check calls / sample | gIoU | Δ gIoU vs full [95% CI] | cIoU | Δ cIoU vs full [95% CI] |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const line of rows) console.log(line);
    const cpu = process.cpuUsage(cpuStart);
    console.log(`\nCPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s in this process (servers included)`);
  } finally {
    if (KEEP === undefined) await rm(root, { recursive: true, force: true });
  }
}
