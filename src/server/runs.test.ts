import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportReasonSeg, exportVqa, resolveSimConfig } from '../sim/index.js';
import { RUN_RECORD_FILE } from './runs/run-record.js';
import type { RunRecord } from './runs/run-record.js';
import { startSimBackends } from './sim-backends-test-support.js';
import type { SimBackends } from './sim-backends-test-support.js';
import { createTestServer, errorOf } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';
import { startServer } from './start-server.js';

let directory: string;
let sim: SimBackends;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-runs-'));
  await exportReasonSeg({ n: 6, seed: 3, out: path.join(directory, 'datasets', 'synth') });
  await exportVqa({ n: 4, seed: 3, out: path.join(directory, 'datasets', 'vqa') });
  // SIMULATED servers; ~40 ms per MLLM answer so a run lasts long enough to interrupt.
  sim = await startSimBackends({ mllmConfig: resolveSimConfig({ preset: 'oracle', noise: { latency: { medianMs: 40, sigma: 0 } } }) });
});

afterAll(async () => {
  await sim.close();
  await rm(directory, { recursive: true, force: true });
});

function serverOn(runsDir: string): Promise<TestServer> {
  return createTestServer({ backends: sim.backends, runsDir, datasetsDir: path.join(directory, 'datasets') });
}

async function waitFor(server: TestServer, key: string, id: string, done: (run: RunRecord) => boolean, what: string): Promise<RunRecord> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const run = (await (await server.request(`/v1/runs/${id}`, { key })).json()) as RunRecord;
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; run is ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startRun(server: TestServer, key: string, body: Record<string, unknown> = {}): Promise<RunRecord> {
  const response = await server.request('/v1/runs', { method: 'POST', key, json: { dataset: 'synth', method: 'single', ...body } });
  expect(response.status, 'the run is accepted').toBe(202);
  return (await response.json()) as RunRecord;
}

describe('/v1/runs (SIMULATED backends)', () => {
  it('runs an evaluation to a report, per-sample results, traces and files, streaming its progress', async () => {
    const server = await serverOn(path.join(directory, 'runs-a'));
    try {
      const key = await server.keyFor('alice');
      const run = await startRun(server, key, { limit: 3 });
      expect(run.state).toBe('queued');
      const events = await (await server.request(`/v1/runs/${run.id}/events`, { key })).text();
      const names = [...events.matchAll(/^event: (.+)$/gmu)].map((match) => match[1]);
      expect(names).toContain('progress');
      expect(names.at(-1)).toBe('state');
      expect(events).toContain('"state":"done"');
      const report = (await (await server.request(`/v1/runs/${run.id}/report`, { key })).json()) as { simulated: boolean; title: string; summary: { n: number }; plots: string[] };
      expect(report.simulated).toBe(true);
      expect(report.title).toContain('SIMULATED');
      expect(report.summary.n).toBe(3);
      const results = (await (await server.request(`/v1/runs/${run.id}/results`, { key })).json()) as { results: { id: string; iou: number }[] };
      expect(results.results).toHaveLength(3);
      const firstSample = results.results[0]?.id ?? '';
      expect((await server.request(`/v1/runs/${run.id}/traces/${firstSample}`, { key })).status).toBe(200);
      const plot = await server.request(`/v1/runs/${run.id}/files/${report.plots[0] ?? ''}`, { key });
      expect(plot.headers.get('content-type')).toContain('image/svg+xml');
      expect((await server.request(`/v1/runs/${run.id}/files/..%2Frun.json`, { key })).status).toBe(404);
      for (const bookkeeping of ['run.json', 'server-run.json']) {
        expect((await server.request(`/v1/runs/${run.id}/files/${bookkeeping}`, { key })).status, `${bookkeeping} is not served`).toBe(404);
      }
      for (const route of [`/v1/runs/${run.id}`, `/v1/runs/${run.id}/report`, `/v1/runs/${run.id}/results`, `/v1/runs/${run.id}/traces/${firstSample}`, `/v1/runs/${run.id}/files/report.json`, `/v1/runs/${run.id}/files/report.md`]) {
        const text = await (await server.request(route, { key })).text();
        expect(text.length, route).toBeGreaterThan(0);
        expect(text.includes(directory), `${route} names no absolute path of the server (${directory})`).toBe(false);
      }
      const list = (await (await server.request('/v1/runs', { key })).json()) as { runs: RunRecord[] };
      expect(list.runs.map((item) => item.id)).toEqual([run.id]);
    } finally {
      await server.close();
    }
  });

  it('runs a VQA evaluation with the memory method into its own lesson database, and refuses unknown methods', async () => {
    const server = await serverOn(path.join(directory, 'runs-vqa'));
    try {
      const key = await server.keyFor('alice');
      const run = await startRun(server, key, { kind: 'vqa', dataset: 'vqa/problems.jsonl', method: 'memory' });
      const done = await waitFor(server, key, run.id, (current) => current.state === 'done' || current.state === 'failed', 'the VQA run');
      expect(done.state, JSON.stringify(done.error)).toBe('done');
      const report = (await (await server.request(`/v1/runs/${run.id}/report`, { key })).json()) as { simulated: boolean; summary: { kind: string } };
      expect(report.simulated).toBe(true);
      expect(report.summary.kind).toBe('vqa');
      const results = (await (await server.request(`/v1/runs/${run.id}/results`, { key })).json()) as { results: unknown[] };
      expect(results.results).toHaveLength(4);
      expect((await server.memoryStore.forTenant('alice').stats()).lessons, "an evaluation never writes into the tenant's live memory").toBe(0);
      const unknown = await server.request('/v1/runs', { method: 'POST', key, json: { kind: 'vqa', dataset: 'vqa/problems.jsonl', method: 'evol' } });
      expect(unknown.status).toBe(400);
    } finally {
      await server.close();
    }
  });

  it('refuses ablate on a segmentation run and a dataset that does not exist up front (400, never 202 then a failure)', async () => {
    const server = await serverOn(path.join(directory, 'runs-refused'));
    try {
      const key = await server.keyFor('alice');
      const ablated = await server.request('/v1/runs', { method: 'POST', key, json: { dataset: 'synth', method: 'single', ablate: 'visual' } });
      expect(ablated.status).toBe(400);
      expect((await errorOf(ablated)).message).toContain('ablate');
      const missing = await server.request('/v1/runs', { method: 'POST', key, json: { dataset: 'no-such-dataset', method: 'single' } });
      expect(missing.status).toBe(400);
      expect((await errorOf(missing)).message).toContain('no-such-dataset');
      const wrongKind = await server.request('/v1/runs', { method: 'POST', key, json: { kind: 'vqa', dataset: 'synth', method: 'baseline' } });
      expect(wrongKind.status, 'a folder is not a VQA .jsonl').toBe(400);
      const listed = (await (await server.request('/v1/runs', { key })).json()) as { runs: RunRecord[] };
      expect(listed.runs, 'nothing was queued').toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("hides a run from other tenants (404 on every route) and refuses datasets outside the datasets folder", async () => {
    const server = await serverOn(path.join(directory, 'runs-b'));
    try {
      const alice = await server.keyFor('alice');
      const bob = await server.keyFor('bob');
      const run = await startRun(server, alice, { limit: 1 });
      for (const suffix of ['', '/report', '/results', '/events', '/files/report.md', `/traces/x`]) {
        expect((await server.request(`/v1/runs/${run.id}${suffix}`, { key: bob })).status, `GET ${suffix} as bob`).toBe(404);
      }
      expect((await server.request(`/v1/runs/${run.id}/cancel`, { method: 'POST', key: bob })).status).toBe(404);
      expect((await server.request(`/v1/runs/..%2F..%2F${run.id}`, { key: alice })).status).toBe(404);
      expect(((await (await server.request('/v1/runs', { key: bob })).json()) as { runs: unknown[] }).runs).toHaveLength(0);
      for (const dataset of ['../datasets/synth', '/etc', 'synth/../../x']) {
        const refused = await server.request('/v1/runs', { method: 'POST', key: alice, json: { dataset } });
        expect(refused.status, `dataset ${dataset}`).toBe(400);
        expect((await errorOf(refused)).hint).toContain('datasets');
      }
      await waitFor(server, alice, run.id, (current) => current.state === 'done', 'the run to finish');
    } finally {
      await server.close();
    }
  });

  it('survives a server restart: the interrupted run resumes from its finished samples without duplicates', async () => {
    const runsDir = path.join(directory, 'runs-c');
    const first = await serverOn(runsDir);
    const key = await first.keyFor('alice');
    const run = await startRun(first, key);
    await waitFor(first, key, run.id, (current) => current.progress.done >= 2, 'two finished samples');
    await first.close();
    const onDisk = JSON.parse(await readFile(path.join(runsDir, readdirSync(runsDir)[0] ?? '', run.id, RUN_RECORD_FILE), 'utf8')) as RunRecord;
    expect(onDisk.state, 'a shutdown leaves the run marked running, to be resumed').toBe('running');

    const second = await serverOn(runsDir);
    try {
      expect(await second.runs?.recover()).toEqual([run.id]);
      const secondKey = (await second.keyStore.create('alice', ['read', 'runs'])).key;
      const finished = await waitFor(second, secondKey, run.id, (current) => current.state === 'done', 'the resumed run');
      expect(finished.attempts).toBe(2);
      expect(finished.outcome?.skipped, 'samples finished before the restart are not redone').toBeGreaterThanOrEqual(2);
      const results = (await (await second.request(`/v1/runs/${run.id}/results`, { key: secondKey })).json()) as { results: { id: string }[] };
      const ids = results.results.map((line) => line.id);
      expect(ids).toHaveLength(6);
      expect(new Set(ids).size, 'no sample twice').toBe(6);
    } finally {
      await second.close();
    }
  });

  it('keeps running when a client watching the events disconnects, and can be cancelled and resumed', async () => {
    const server = await serverOn(path.join(directory, 'runs-d'));
    const running = await startServer({ app: server.app, port: 0, host: '127.0.0.1' });
    try {
      const key = await server.keyFor('alice');
      const run = await startRun(server, key);
      const controller = new AbortController();
      const watching = await fetch(`${running.url}/v1/runs/${run.id}/events`, { headers: { Authorization: `Bearer ${key}` }, signal: controller.signal });
      await watching.body?.getReader().read();
      controller.abort();
      await waitFor(server, key, run.id, (current) => current.progress.done >= 1, 'a finished sample after the disconnect');
      const cancelled = await server.request(`/v1/runs/${run.id}/cancel`, { method: 'POST', key });
      expect(cancelled.status).toBe(202);
      const stopped = await waitFor(server, key, run.id, (current) => current.state === 'cancelled' || current.state === 'done', 'the cancel');
      if (stopped.state === 'cancelled') {
        expect((await server.request(`/v1/runs/${run.id}/resume`, { method: 'POST', key })).status).toBe(202);
      }
      const done = await waitFor(server, key, run.id, (current) => current.state === 'done', 'the resumed run');
      expect(done.outcome?.remaining).toBe(0);
      const results = (await (await server.request(`/v1/runs/${run.id}/results`, { key })).json()) as { results: { id: string }[] };
      expect(new Set(results.results.map((line) => line.id)).size).toBe(6);
    } finally {
      await running.close();
      await server.close();
    }
  });
});
