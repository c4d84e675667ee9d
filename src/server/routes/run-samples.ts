/**
 * GET /v1/runs/:id/samples/:name/image and /ground-truth: the dataset image of one evaluated sample and
 * its ground-truth mask, both as PNG, for the run-sample view (image, ground truth, prediction side by
 * side). A name is served only when the run's own results.jsonl lists it, so no path is ever built from
 * a client string that the run did not produce; the dataset folder comes from the run record.
 */
import type { Hono } from 'hono';
import type { Mask } from '../../core/index.js';
import { mmevolveError } from '../../core/index.js';
import { loadGroundTruth, loadReasonSegFolder } from '../../eval/index.js';
import type { ReasonSegSample } from '../../eval/index.js';
import { encodeImage, encodeMaskPng, readImage } from '../../vision/index.js';
import { requireScope } from '../auth.js';
import type { RouteDoc } from '../openapi.js';
import type { ServerEnv } from '../principal.js';
import type { RunManager } from '../runs/run-manager.js';
import type { RunRecord } from '../runs/run-record.js';

export const RUN_SAMPLE_ROUTE_DOCS: RouteDoc[] = [
  { method: 'get', path: '/v1/runs/{id}/samples/{name}/image', summary: "The dataset image of one evaluated sample of a segmentation run, as PNG (names from GET /v1/runs/{id}/results).", scope: 'read', responseType: 'image/png' },
  { method: 'get', path: '/v1/runs/{id}/samples/{name}/ground-truth', summary: 'The ground-truth mask of one evaluated sample as a PNG (white target, black background; ignore regions black).', scope: 'read', responseType: 'image/png' },
];

const noSample = (): Error => mmevolveError('not-found', 'no such sample in this run', 'Sample names come from GET /v1/runs/{id}/results of a segmentation run.');

/** The dataset sample behind a result line of the run; anything the results do not list is not found. */
async function sampleOf(manager: RunManager, record: RunRecord, name: string): Promise<ReasonSegSample> {
  if (record.kind !== 'segmentation') throw noSample();
  const { results } = await manager.data.results(record);
  if (!results.some((line) => typeof line === 'object' && line !== null && (line as { id?: unknown }).id === name)) throw noSample();
  const folder = await loadReasonSegFolder(manager.datasetPath(record.dataset));
  const sample = folder.samples.find((candidate) => candidate.name === name);
  if (sample === undefined) throw mmevolveError('not-found', `sample ${name} is no longer in dataset ${record.dataset}`, 'The dataset folder changed since the run; restore it to browse its samples.');
  return sample;
}

/** Only the target label (1): ignore (255) and background both show black. */
function targetMask(labels: Mask): Mask {
  return { width: labels.width, height: labels.height, data: labels.data.map((value) => (value === 1 ? 1 : 0)) };
}

const png = (bytes: Buffer): Response => new Response(new Uint8Array(bytes), { status: 200, headers: { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=300' } });

export function addRunSampleRoutes(routes: Hono<ServerEnv>, manager: RunManager, owned: (tenant: string, id: string) => Promise<RunRecord>): void {
  routes.get('/:id/samples/:name/image', requireScope('read'), async (context) => {
    const record = await owned(context.get('principal').tenant, context.req.param('id'));
    const sample = await sampleOf(manager, record, context.req.param('name'));
    return png(await encodeImage(await readImage(sample.imagePath), 'png'));
  });

  routes.get('/:id/samples/:name/ground-truth', requireScope('read'), async (context) => {
    const record = await owned(context.get('principal').tenant, context.req.param('id'));
    const sample = await sampleOf(manager, record, context.req.param('name'));
    return png(await encodeMaskPng(targetMask(await loadGroundTruth(sample))));
  });
}
