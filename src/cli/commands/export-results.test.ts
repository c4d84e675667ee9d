import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestCalls } from '../../eval/call-digest.js';
import { openRun, segmentationLineSchema } from '../../eval/index.js';
import type { SegmentationLine } from '../../eval/index.js';
import { runExportResultsCommand } from './export-results.js';

const root = await mkdtemp(path.join(tmpdir(), 'mmevolve-export-results-'));
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A simulated ReasonSeg run of two failed samples (no traces needed: failed samples have no mask). */
async function simulatedRun(): Promise<string> {
  const directory = path.join(root, 'run');
  const store = await openRun<SegmentationLine>({
    directory,
    identity: { command: 'eval', method: 'single', dataset: '/data/ReasonSeg/val', settings: {} },
    backends: { mllm: 'sim-mllm' },
    simulated: true,
    schema: segmentationLineSchema,
  });
  for (const id of ['a', 'b']) {
    await store.append({
      kind: 'segmentation', id, status: 'failed', error: { code: 'model-error', message: 'x' }, query: 'q', isSentence: false,
      intersection: 0, union: 10, iou: 0, area: 0, wallMs: 1, calls: digestCalls([]), counters: {}, warnings: [],
    });
  }
  await store.close();
  return directory;
}

describe('mmevolve export-results', () => {
  it('names the files it wrote and says SIMULATED for a simulated run', async () => {
    const out = path.join(root, 'out');
    const text = await runExportResultsCommand(await simulatedRun(), { format: 'lmms-eval', out });
    expect(text).toContain('wrote lmms-eval task reasonseg_val (2 samples)');
    expect(text).toContain('metrics: gIoU 0.0000, cIoU 0.0000');
    expect(text).toContain('SIMULATED run');
    expect(await readdir(out), 'the model folder says SIMULATED too').toEqual(['mmevolve-single_sim-mllm-SIMULATED']);
    const vlm = await runExportResultsCommand(path.join(root, 'run'), { format: 'vlmevalkit', out: path.join(root, 'vlm') });
    expect(vlm).toContain('wrote VLMEvalKit dataset ReasonSeg (ReasonSeg_val, 2 samples)');
  });
});
