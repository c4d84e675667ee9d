/**
 * The response schemas are the contract between the server and the web UI: the server's real answers
 * (SIMULATED backends on loopback) parse with the schemas the UI imports and fold through the UI's own
 * readers, and the schema file stays safe to bundle into the browser.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReasonSegSample, exportReasonSeg } from '../sim/index.js';
import { encodeImage } from '../vision/index.js';
import { SseParser } from '../web/sse.js';
import { applyEvent, initialSegmentState, readOutcome } from '../web/segment-state.js';
import {
  errorBodySchema,
  healthReportSchema,
  lessonPageSchema,
  lessonSchema,
  lessonSearchSchema,
  lessonVersionsSchema,
  runListSchema,
  runProgressEventSchema,
  runRecordSchema,
  runReportSchema,
  sampleTraceSchema,
} from './api-schemas.js';
import { startSimBackends } from './sim-backends-test-support.js';
import type { SimBackends } from './sim-backends-test-support.js';
import { createTestServer } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

let directory: string;
let sim: SimBackends;
let server: TestServer;
let key: string;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-api-schemas-'));
  await exportReasonSeg({ n: 2, seed: 4, out: path.join(directory, 'datasets', 'synth') });
  sim = await startSimBackends();
  server = await createTestServer({ backends: sim.backends, runsDir: path.join(directory, 'runs'), datasetsDir: path.join(directory, 'datasets') });
  key = await server.keyFor('alice');
});

afterAll(async () => {
  await server.close();
  await sim.close();
  await rm(directory, { recursive: true, force: true });
});

async function json(response: Response, status = 200): Promise<unknown> {
  const text = await response.text();
  expect(response.status, `HTTP ${response.status}: ${text.slice(0, 300)}`).toBe(status);
  return JSON.parse(text);
}

describe('the server answers with the schemas the web UI parses', () => {
  it('keeps api-schemas.ts free of runtime imports other than zod (the web UI bundles it)', async () => {
    const source = await readFile(new URL('./api-schemas.ts', import.meta.url), 'utf8');
    const runtime = [...source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gmu)].map((match) => match[1]);
    expect(runtime, 'only zod at run time; everything else `import type`').toEqual(['zod']);
  });

  it('health, lessons, a lesson search, versions and errors', async () => {
    const health = healthReportSchema.parse(await json(await server.request('/healthz')));
    expect(health.simulated, 'SIMULATED backends are said so').toBe(true);
    expect(health.models['mllm']).toBe(sim.mllm.modelId);

    const created = await json(await server.request('/v1/memories', { method: 'POST', key, json: { stream: 'logic', text: 'Count overlapping shapes by their outlines.' } }), 201);
    const id = (created as { lesson: { id: string } }).lesson.id;
    const page = lessonPageSchema.parse(await json(await server.request('/v1/memories?limit=10', { key })));
    expect(page.lessons.map((lesson) => lesson.id)).toEqual([id]);
    const found = lessonSearchSchema.parse(await json(await server.request('/v1/memories?q=outlines', { key })));
    expect(found.results[0]?.lesson.id).toBe(id);
    const edited = lessonSchema.parse(await json(await server.request(`/v1/memories/${id}`, { method: 'PATCH', key, json: { subject: 'counting' } })));
    expect(edited.version).toBe(2);
    expect(lessonVersionsSchema.parse(await json(await server.request(`/v1/memories/${id}/versions`, { key }))).versions).toHaveLength(2);
    const missing = errorBodySchema.parse(await json(await server.request('/v1/memories/nope', { key }), 404));
    expect(missing.error.code).toBe('not-found');
  });

  it('a segmentation, as JSON and as the streamed result event the Segment view folds', async () => {
    const sample = buildReasonSegSample(7, 0);
    const image = `data:image/png;base64,${(await encodeImage(sample.rendered.image, 'png')).toString('base64')}`;
    const body = { image, query: sample.query.query, method: 'evol', config: { populationSize: 2, stopping: { maxGenerations: 1 } } };
    const outcome = readOutcome(await json(await server.request('/v1/segment', { method: 'POST', key, json: body })));
    expect(outcome.rle.size, 'the mask has the image size').toEqual([sample.rendered.image.height, sample.rendered.image.width]);
    expect(outcome.maskPng.length).toBeGreaterThan(0);
    expect(outcome.overlayPng.length).toBeGreaterThan(0);

    const streamed = await server.request('/v1/segment', { method: 'POST', key, json: body, headers: { Accept: 'text/event-stream' } });
    const events = new SseParser().push(await streamed.text());
    const state = events.reduce((current, event) => applyEvent(current, event.event, JSON.parse(event.data)), initialSegmentState());
    expect(state.error, 'the streamed result parses').toBeUndefined();
    expect(state.status).toBe('done');
    expect(state.outcome?.response.settings.preset).toBeDefined();
  }, 60_000);

  it('runs: the created record, the list, live events, the report and a sample trace', async () => {
    const created = runRecordSchema.parse(await json(await server.request('/v1/runs', { method: 'POST', key, json: { dataset: 'synth', method: 'single' } }), 202));
    const stream = await server.request(`/v1/runs/${created.id}/events`, { key, headers: { Accept: 'text/event-stream' } });
    const events = new SseParser().push(await stream.text());
    for (const event of events) {
      const data: unknown = JSON.parse(event.data);
      if (event.event === 'state') runRecordSchema.parse(data);
      else expect(runProgressEventSchema.safeParse(data).success, `event ${event.event} fits: ${event.data}`).toBe(true);
    }
    expect(events.at(-1)?.event, 'the stream ends with the final state').toBe('state');

    const { runs } = runListSchema.parse(await json(await server.request('/v1/runs', { key })));
    expect(runs.find((run) => run.id === created.id)?.state).toBe('done');
    const report = runReportSchema.parse(await json(await server.request(`/v1/runs/${created.id}/report`, { key })));
    expect(report.summary.kind).toBe('segmentation');
    if (report.summary.kind !== 'segmentation') return;
    expect(report.summary.costs.fresh.callsPerSample + report.summary.costs.cached.callsPerSample).toBeCloseTo(report.summary.costs.callsPerSample, 9);
    expect(report.plots.length, 'plots are named files').toBeGreaterThan(0);
    const plot = await server.request(`/v1/runs/${created.id}/files/${report.plots[0] ?? ''}`, { key });
    expect(plot.headers.get('content-type')).toContain('image/svg+xml');
    const sampleId = report.summary.perSample[0]?.id ?? '';
    const trace = sampleTraceSchema.parse(await json(await server.request(`/v1/runs/${created.id}/traces/${sampleId}`, { key })));
    expect(trace.name).toBe(sampleId);
  }, 60_000);
});
