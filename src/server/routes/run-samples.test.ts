import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGroundTruth, loadReasonSegFolder } from '../../eval/index.js';
import { exportReasonSeg } from '../../sim/index.js';
import { decodeImage, decodeMaskPng, readImage } from '../../vision/index.js';
import type { RunRecord } from '../runs/run-record.js';
import { startSimBackends } from '../sim-backends-test-support.js';
import type { SimBackends } from '../sim-backends-test-support.js';
import { createTestServer, errorOf } from '../server-test-support.js';
import type { TestServer } from '../server-test-support.js';

let directory: string;
let sim: SimBackends;
let server: TestServer;
let aliceKey: string;
let run: RunRecord;

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'mmevolve-run-samples-'));
  await exportReasonSeg({ n: 4, seed: 5, out: path.join(directory, 'datasets', 'synth') });
  // SIMULATED servers.
  sim = await startSimBackends();
  server = await createTestServer({ backends: sim.backends, runsDir: path.join(directory, 'runs'), datasetsDir: path.join(directory, 'datasets') });
  aliceKey = await server.keyFor('alice');
  const started = await server.request('/v1/runs', { method: 'POST', key: aliceKey, json: { dataset: 'synth', method: 'single', limit: 2 } });
  expect(started.status, 'the run is accepted').toBe(202);
  const { id } = (await started.json()) as RunRecord;
  const deadline = Date.now() + 60_000;
  for (;;) {
    run = (await (await server.request(`/v1/runs/${id}`, { key: aliceKey })).json()) as RunRecord;
    if (run.state === 'done') break;
    if (run.state === 'failed' || Date.now() > deadline) throw new Error(`run did not finish: ${JSON.stringify(run)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}, 90_000);

afterAll(async () => {
  await server?.close();
  await sim?.close();
  await rm(directory, { recursive: true, force: true });
});

async function firstSampleName(): Promise<string> {
  const body = (await (await server.request(`/v1/runs/${run.id}/results`, { key: aliceKey })).json()) as { results: { id: string }[] };
  const name = body.results[0]?.id;
  if (name === undefined) throw new Error('the run has no result lines');
  return name;
}

describe('GET /v1/runs/{id}/samples/{name}/image and /ground-truth (SIMULATED backends)', () => {
  it('serves the dataset image and the ground-truth mask of an evaluated sample as PNG', async () => {
    const name = await firstSampleName();
    const sample = (await loadReasonSegFolder(path.join(directory, 'datasets', 'synth'))).samples.find((candidate) => candidate.name === name);
    if (sample === undefined) throw new Error(`sample ${name} missing from the dataset`);

    const image = await server.request(`/v1/runs/${run.id}/samples/${name}/image`, { key: aliceKey });
    expect(image.status, 'image served').toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    const decoded = await decodeImage(new Uint8Array(await image.arrayBuffer()));
    const original = await readImage(sample.imagePath);
    expect([decoded.width, decoded.height], 'the image keeps its size').toEqual([original.width, original.height]);
    expect(Buffer.from(decoded.data).equals(Buffer.from(original.data)), 'the PNG holds the same pixels as the dataset image').toBe(true);

    const truth = await server.request(`/v1/runs/${run.id}/samples/${name}/ground-truth`, { key: aliceKey });
    expect(truth.status, 'ground truth served').toBe(200);
    expect(truth.headers.get('content-type')).toBe('image/png');
    const mask = await decodeMaskPng(new Uint8Array(await truth.arrayBuffer()));
    const labels = await loadGroundTruth(sample);
    const expected = labels.data.map((value) => (value === 1 ? 1 : 0));
    expect(mask.data.reduce((sum, value) => sum + value, 0), 'the ground truth is not empty').toBeGreaterThan(0);
    expect(Buffer.from(mask.data).equals(Buffer.from(expected)), 'the PNG holds the target pixels of the rasterized annotation').toBe(true);
  });

  it('answers 404 for another tenant, for names the results do not list, and for path tricks', async () => {
    const name = await firstSampleName();
    const bobKey = await server.keyFor('bob');
    const acrossTenants = await server.request(`/v1/runs/${run.id}/samples/${name}/image`, { key: bobKey });
    expect(acrossTenants.status, "another tenant's run is not found").toBe(404);
    expect((await errorOf(acrossTenants)).code).toBe('not-found');
    const listedNames = ((await (await server.request(`/v1/runs/${run.id}/results`, { key: aliceKey })).json()) as { results: { id: string }[] }).results.map((line) => line.id);
    const unlisted = (await loadReasonSegFolder(path.join(directory, 'datasets', 'synth'))).samples.map((sample) => sample.name).find((candidate) => !listedNames.includes(candidate));
    expect(unlisted, 'the run was limited, so some dataset sample was not evaluated').toBeDefined();
    for (const bad of [unlisted ?? 'missing', '..%2F..%2Fsynth%2F' + name, '%2E%2E', 'no-such-sample']) {
      for (const kind of ['image', 'ground-truth']) {
        const response = await server.request(`/v1/runs/${run.id}/samples/${bad}/${kind}`, { key: aliceKey });
        expect(response.status, `${kind} of ${bad} is not found`).toBe(404);
      }
    }
  });
});
