/**
 * /v1/runs: evaluation runs of the key's tenant (start, list, show, report, per-sample results and
 * traces, live progress as SSE, cancel, resume). Another tenant's run id is not found (404).
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { isMmevolveError, mmevolveError } from '../../core/index.js';
import { EVOLVE_PRESET_NAMES } from '../../evolve/index.js';
import { requireScope } from '../auth.js';
import { requestEvolve } from '../evolve-defaults.js';
import type { EvolveDefaults } from '../evolve-defaults.js';
import type { RouteDoc } from '../openapi.js';
import type { ServerEnv } from '../principal.js';
import { readJson } from '../request-body.js';
import type { RunEvent, RunManager } from '../runs/run-manager.js';
import { isTerminal } from '../runs/run-record.js';
import type { RunRecord } from '../runs/run-record.js';
import { runListSchema, runProgressEventSchema, runRecordSchema, runReportSchema, sampleTraceSchema } from '../api-schemas.js';
import { checkedResponse, sendJson } from '../send-json.js';
import { addRunSampleRoutes, RUN_SAMPLE_ROUTE_DOCS } from './run-samples.js';

export const startRunBodySchema = z.strictObject({
  /** 'segmentation' (default) or 'vqa'. */
  kind: z.enum(['segmentation', 'vqa']).default('segmentation'),
  /** A ReasonSeg folder (segmentation) or a MATH-V-style .jsonl file (vqa) inside the server's datasets folder. */
  dataset: z.string().min(1).max(500),
  /** evol (default), single, box, agent for segmentation; baseline, step, memory (default) for vqa. */
  method: z.string().min(1).max(50).optional(),
  /** Default: the server's evolve preset (its config's evolve.preset, else DEFAULT_EVOLVE_PRESET). */
  preset: z.enum(EVOLVE_PRESET_NAMES).optional(),
  /** Evolve config overrides over the server config's evolve section (segmentation), or memory method overrides (vqa). */
  config: z.record(z.string(), z.unknown()).default({}),
  /** VQA memory runs: leave one lesson stream out. */
  ablate: z.enum(['visual', 'logic']).optional(),
  limit: z.number().int().positive().optional(),
  concurrency: z.number().int().min(1).max(16).default(1),
});

export const RUN_ROUTE_DOCS: RouteDoc[] = [
  { method: 'post', path: '/v1/runs', summary: 'Start an evaluation (segmentation over a ReasonSeg folder, or VQA over a MATH-V-style jsonl) in the datasets folder of the server (202; runs in the background, resumable, survives restarts).', scope: 'runs', body: startRunBodySchema },
  { method: 'get', path: '/v1/runs', summary: "The tenant's runs, newest first.", scope: 'read' },
  { method: 'get', path: '/v1/runs/{id}', summary: 'One run: state (queued, running, done, failed, cancelled), progress, outcome.', scope: 'read' },
  { method: 'get', path: '/v1/runs/{id}/report', summary: 'The report recomputed from results.jsonl (summary, plots list, warnings; labelled SIMULATED when it is).', scope: 'read' },
  { method: 'get', path: '/v1/runs/{id}/results', summary: 'Per-sample result lines (IoU, area, calls, status).', scope: 'read' },
  { method: 'get', path: '/v1/runs/{id}/traces/{sample}', summary: 'The trace of one sample (phrases, fights, generations, final mask RLE).', scope: 'read' },
  ...RUN_SAMPLE_ROUTE_DOCS,
  { method: 'get', path: '/v1/runs/{id}/files/{name}', summary: 'A report file of the run: report.md, report.json or a plot (.svg).', scope: 'read' },
  { method: 'get', path: '/v1/runs/{id}/events', summary: 'Server-sent events: `state` (the run record) and `progress` (done, total, metric) until the run ends.', scope: 'read', responseType: 'text/event-stream' },
  { method: 'post', path: '/v1/runs/{id}/cancel', summary: 'Cancel a queued or running run (finished samples are kept).', scope: 'runs' },
  { method: 'post', path: '/v1/runs/{id}/resume', summary: 'Resume a cancelled or failed run from its finished samples.', scope: 'runs' },
];

// The report and its plots only: run.json and server-run.json are the server's bookkeeping (they name its paths).
const FILE_NAME = /^(report\.(md|json)|[\w-]+\.svg)$/u;
const SAMPLE_NAME = /^[\w-]+(\.[\w-]+)*$/u;

function notFound(id: string): Error {
  return mmevolveError('not-found', `no run ${JSON.stringify(id.slice(0, 100))} for this key's tenant`, 'List your runs with GET /v1/runs.');
}

function present(text: string | undefined, what: string): string {
  if (text === undefined) throw mmevolveError('not-found', `${what} does not exist (yet)`, 'Reports are written when a run ends; traces once their sample is done.');
  return text;
}

export function runRoutes(manager: RunManager, evolve: EvolveDefaults): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  const owned = async (tenant: string, id: string): Promise<RunRecord> => {
    const record = await manager.get(tenant, id);
    if (record === undefined) throw notFound(id);
    return record;
  };

  routes.post('/', requireScope('runs'), async (context) => {
    const body = await readJson(context, startRunBodySchema, 'run request');
    // A segmentation run records its resolved preset and overrides, so a resumed run keeps them.
    const segmentation = body.kind === 'segmentation' ? requestEvolve(evolve, body.preset, body.config) : undefined;
    const record = await manager.start(context.get('principal').tenant, {
      kind: body.kind,
      dataset: body.dataset,
      method: body.method ?? (body.kind === 'vqa' ? 'memory' : 'evol'),
      preset: segmentation?.preset ?? body.preset ?? evolve.preset,
      config: segmentation?.overrides ?? body.config,
      concurrency: body.concurrency,
      ...(body.limit === undefined ? {} : { limit: body.limit }),
      ...(body.ablate === undefined ? {} : { ablate: body.ablate }),
    });
    return sendJson(context, runRecordSchema, record, 'run', 202);
  });

  routes.get('/', requireScope('read'), async (context) => sendJson(context, runListSchema, { runs: await manager.list(context.get('principal').tenant) }, 'run list'));

  routes.get('/:id', requireScope('read'), async (context) => sendJson(context, runRecordSchema, await owned(context.get('principal').tenant, context.req.param('id')), 'run'));

  routes.get('/:id/report', requireScope('read'), async (context) => {
    const record = await owned(context.get('principal').tenant, context.req.param('id'));
    try {
      return sendJson(context, runReportSchema, (await manager.data.report(record)).report, 'run report');
    } catch (error) {
      if (isMmevolveError(error) && error.code === 'not-found') throw mmevolveError('not-found', `run ${record.id} has no results yet (state ${record.state})`, 'Wait for the first samples (GET /v1/runs/{id}/events).', error);
      throw error;
    }
  });

  routes.get('/:id/results', requireScope('read'), async (context) => {
    const record = await owned(context.get('principal').tenant, context.req.param('id'));
    return context.json(await manager.data.results(record));
  });

  routes.get('/:id/traces/:sample', requireScope('read'), async (context) => {
    const record = await owned(context.get('principal').tenant, context.req.param('id'));
    const sample = context.req.param('sample');
    if (!SAMPLE_NAME.test(sample)) throw mmevolveError('not-found', 'no such sample', 'Sample names come from GET /v1/runs/{id}/results.');
    const text = present(await manager.data.trace(record, sample), `the trace of ${sample}`);
    checkedResponse(sampleTraceSchema, JSON.parse(text) as never, 'sample trace');
    return context.body(text, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });

  addRunSampleRoutes(routes, manager, owned);

  routes.get('/:id/files/:name', requireScope('read'), async (context) => {
    const record = await owned(context.get('principal').tenant, context.req.param('id'));
    const name = context.req.param('name');
    if (!FILE_NAME.test(name)) throw mmevolveError('not-found', 'no such report file', 'Report files are report.md, report.json and the plots the report lists.');
    const text = present(await manager.data.file(record, name), name);
    const type = name.endsWith('.svg') ? 'image/svg+xml' : name.endsWith('.md') ? 'text/markdown; charset=utf-8' : 'application/json; charset=utf-8';
    return context.body(text, 200, { 'Content-Type': type });
  });

  routes.get('/:id/events', requireScope('read'), async (context) => {
    const tenant = context.get('principal').tenant;
    const id = context.req.param('id');
    await owned(tenant, id);
    return streamSSE(context, async (sse) => {
      let sequence = 0;
      let pending = Promise.resolve();
      const send = (event: string, data: unknown): void => {
        sequence += 1;
        const eventId = String(sequence);
        pending = pending.then(() => sse.writeSSE({ event, data: JSON.stringify(data), id: eventId }));
      };
      await new Promise<void>((resolve) => {
        // Subscribe before reading the state, so a run that ends in between is not missed.
        const unsubscribe = manager.subscribe(id, (event: RunEvent) => {
          send(event.type, event.type === 'state' ? checkedResponse(runRecordSchema, event.run, 'run state event') : checkedResponse(runProgressEventSchema, event, 'run progress event'));
          if (event.type === 'state' && isTerminal(event.run.state)) finish();
        });
        const finish = (): void => {
          unsubscribe();
          resolve();
        };
        sse.onAbort(finish);
        void manager.get(tenant, id).then((current) => {
          if (current === undefined) return finish();
          send('state', checkedResponse(runRecordSchema, current, 'run state event'));
          if (isTerminal(current.state)) finish();
        });
      });
      await pending;
    });
  });

  routes.post('/:id/cancel', requireScope('runs'), async (context) => {
    const id = context.req.param('id');
    const record = await manager.cancel(context.get('principal').tenant, id);
    if (record === undefined) throw notFound(id);
    return sendJson(context, runRecordSchema, record, 'run', 202);
  });

  routes.post('/:id/resume', requireScope('runs'), async (context) => {
    const id = context.req.param('id');
    const record = await manager.resume(context.get('principal').tenant, id);
    if (record === undefined) throw notFound(id);
    return sendJson(context, runRecordSchema, record, 'run', 202);
  });

  return routes;
}
