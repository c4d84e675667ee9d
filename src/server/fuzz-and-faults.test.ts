/**
 * Fuzz and fault suite (issue 15): every row of fuzz-test-support.ts is sent through the HTTP API beside a normal
 * request of another tenant. Each must be answered with its 4xx within a bound (the audit measured 48–170 s
 * for some of them), the normal request must still be answered, no response may name a path of this
 * machine, and a loopback listener that every SSRF row aims at must never see a connection. Backends are
 * the SIMULATED MLLM and SAM 3 servers. The outage fault lives in run-outage-fault.test.ts.
 */
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportReasonSeg, generateScene, renderScene } from '../sim/index.js';
import { encodeImage } from '../vision/index.js';
import { ACCEPTED_CASES, BODYLESS_POST_ROUTES, DEEP_JSON_ROUTES, FUZZ_CASES, PINNED_HOST, REBINDING_HOST, solveBody } from './fuzz-test-support.js';
import type { FuzzCase, FuzzServerName, FuzzTarget } from './fuzz-test-support.js';
import { otherFormats } from './hostile-inputs.js';
import type { RunRecord } from './runs/run-record.js';
import { startSimBackends } from './sim-backends-test-support.js';
import type { SimBackends } from './sim-backends-test-support.js';
import { createTestServer } from './server-test-support.js';

/** Far above what any row needs when the server is sound, far below what the audit's cases cost. */
const BOUND_MS = 10_000;

let root: string;
let sim: SimBackends;
let trap: Server;
let images: Server;
let trapConnections = 0;
const upstreamBodies: string[] = [];
const resolved: string[] = [];
let target: FuzzTarget;
let normalKey: string;
/** Absolute paths of this machine that must never appear in a response. */
let serverPaths: string[];

async function listenOn(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The suite's DNS: a name that mixes public and loopback answers, one whose answer changes, localhost from /etc/hosts. */
async function resolveHost(hostname: string): Promise<string[]> {
  resolved.push(hostname);
  // Loopback first: even a broken check would dial only loopback, never the public answer.
  if (hostname === REBINDING_HOST) return ['127.0.0.1', '93.184.216.34'];
  if (hostname === PINNED_HOST) return [resolved.filter((name) => name === PINNED_HOST).length === 1 ? '127.0.0.1' : '127.0.0.2'];
  if (hostname === 'localhost') return (await lookup(hostname, { all: true })).map((entry) => entry.address);
  throw new Error(`the fuzz suite resolves no other name (${hostname})`);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mmevolve-fuzz-'));
  const datasetsDir = path.join(root, 'datasets');
  await exportReasonSeg({ n: 2, seed: 4, out: path.join(datasetsDir, 'synth') });
  sim = await startSimBackends();
  trap = createServer((_request, response) => response.writeHead(500).end());
  trap.on('connection', () => {
    trapConnections += 1;
  });
  const png = await encodeImage(renderScene(generateScene(9, { width: 96, height: 64 })).image, 'png');
  images = createServer((request, response) => {
    if (request.url === '/image.png') return void response.writeHead(200, { 'content-type': 'image/png' }).end(png);
    response.writeHead(200, { 'content-type': 'image/png' });
    const timer = setInterval(() => response.write(Buffer.from([0x89])), 200);
    response.on('close', () => clearInterval(timer));
  });
  const [trapPort, imagePort] = [await listenOn(trap), await listenOn(images)];
  const upstreamFetch: typeof fetch = (input, init) => {
    upstreamBodies.push(typeof init?.body === 'string' ? init.body : '');
    return fetch(input, init);
  };
  const serverFor = (imageUrls: FuzzServerName, runs: boolean) =>
    createTestServer({
      backends: sim.backends,
      upstream: { baseURL: `${sim.mllm.url}/v1`, fetch: upstreamFetch },
      limits: { imageUrls, imageUrlTimeoutMs: 800, maxBodyBytes: 2 * 1024 * 1024, rateLimit: { burst: 10_000, perSecond: 10_000 }, intakePenaltyMs: 20, resolveHost },
      ...(runs ? { runsDir: path.join(root, 'runs'), datasetsDir } : {}),
    });
  const servers = { off: await serverFor('off', false), public: await serverFor('public', true), any: await serverFor('any', false) };
  const keys = { off: await servers.off.keyFor('mallory'), public: await servers.public.keyFor('mallory'), any: await servers.any.keyFor('mallory') };
  normalKey = await servers.public.keyFor('alice', ['read', 'solve']);
  const lesson = (await (await servers.public.request('/v1/memories', { method: 'POST', key: keys.public, json: { stream: 'logic', text: 'Count hidden shapes too.' } })).json()) as { lesson: { id: string } };
  const started = (await (await servers.public.request('/v1/runs', { method: 'POST', key: keys.public, json: { dataset: 'synth', method: 'single', limit: 1 } })).json()) as RunRecord;
  for (let run = started; run.state !== 'done'; await new Promise((resolve) => setTimeout(resolve, 50))) {
    run = (await (await servers.public.request(`/v1/runs/${started.id}`, { key: keys.public })).json()) as RunRecord;
    if (run.state === 'failed' || run.state === 'cancelled') throw new Error(`the setup run ended ${run.state}: ${JSON.stringify(run.error)}`);
  }
  target = { servers, keys, trapPort, imagePort, runId: started.id, lessonId: lesson.lesson.id, png, others: await otherFormats() };
  serverPaths = [root, process.cwd(), path.dirname(new URL(import.meta.url).pathname)];
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(target.servers).map((server) => server.close()));
  await Promise.all([sim.close(), new Promise((resolve) => trap.close(resolve)), new Promise((resolve) => images.close(resolve))]);
  await rm(root, { recursive: true, force: true });
});

interface Answered {
  status: number;
  text: string;
}

async function answered(responses: Response[]): Promise<Answered[]> {
  return Promise.all(responses.map(async (response) => ({ status: response.status, text: await response.text() })));
}

/** The row and a normal solve of another tenant at the same time; both answered, the row within the bound. */
async function replay(row: FuzzCase): Promise<{ answers: Answered[]; ms: number; normal: Answered }> {
  const started = performance.now();
  const [answers, normal] = await Promise.all([
    row.send(target, target.servers[row.server], target.keys[row.server]).then(async (responses) => ({ answers: await answered(responses), ms: performance.now() - started })),
    target.servers.public.request('/v1/solve', { method: 'POST', key: normalKey, json: solveBody(`data:image/png;base64,${target.png.toString('base64')}`) }).then(async (response) => (await answered([response]))[0]),
  ]);
  if (normal === undefined) throw new Error('no normal answer');
  return { ...answers, normal };
}

function checkAnswers(row: FuzzCase, answers: Answered[]): void {
  expect(answers.length, `${row.name}: sent nothing`).toBeGreaterThan(0);
  for (const [index, answer] of answers.entries()) {
    expect(row.status, `${row.name} (response ${index + 1}) answered ${answer.status}: ${answer.text.slice(0, 300)}`).toContain(answer.status);
    if (row.says !== undefined && answer.status >= 400) expect(answer.text, `${row.name} (response ${index + 1})`).toContain(row.says);
    for (const serverPath of serverPaths) expect(answer.text, `${row.name} (response ${index + 1}) names a path of the server`).not.toContain(serverPath);
  }
}

describe('fuzz and fault suite: hostile requests (SIMULATED backends)', () => {
  it('has a too-deep-JSON row for every route that reads a body', () => {
    const bodyRoutes = new Set(target.servers.public.app.routes.filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method)).map((route) => `${route.method} ${route.path}`));
    expect(new Set([...DEEP_JSON_ROUTES.map((row) => row.route), ...BODYLESS_POST_ROUTES]), 'add a DEEP_JSON_ROUTES row for the new route').toEqual(bodyRoutes);
  });

  it.each(FUZZ_CASES.map((row) => [`[${row.defect}] ${row.name}`, row] as const))('answers %s with its 4xx in bounded time while a normal solve is answered', async (_name, row) => {
    const { answers, ms, normal } = await replay(row);
    checkAnswers(row, answers);
    expect(ms, `${row.name} took ${Math.round(ms)} ms`).toBeLessThan(BOUND_MS);
    expect(normal.status, `the normal solve beside "${row.name}": ${normal.text.slice(0, 300)}`).toBe(200);
  });

  it.each(ACCEPTED_CASES.map((row) => [row.name, row] as const))('still accepts %s', async (_name, row) => {
    const { answers } = await replay(row);
    checkAnswers(row, answers);
  });

  it('keeps answering a normal solve while every hostile row is in flight at once', async () => {
    const flood = FUZZ_CASES.map(async (row) => ({ row, answers: await answered(await row.send(target, target.servers[row.server], target.keys[row.server])) }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const normal = await target.servers.public.request('/v1/solve', { method: 'POST', key: normalKey, json: solveBody(`data:image/png;base64,${target.png.toString('base64')}`) });
    expect(normal.status, await normal.clone().text()).toBe(200);
    for (const { row, answers } of await Promise.all(flood)) checkAnswers(row, answers);
    // The whole flood (slow drips, decode timeouts) shares two cores with the rest of the suite: at load 20 it
    // outlasted 30 s. What this test checks is the normal solve's 200 and each row's answer, not a duration.
  }, 90_000);

  it('never connected to the loopback listener, never sent its URL upstream, and resolved each DNS name once per image', () => {
    expect(trapConnections, 'connections the SSRF rows made to the loopback listener').toBe(0);
    const leaked = upstreamBodies.filter((body) => body.includes(`:${target.trapPort}`) || body.includes(`:${target.imagePort}`));
    expect(leaked, 'bodies sent to the model server naming a loopback URL').toEqual([]);
    const rebindingRows = FUZZ_CASES.filter((row) => row.name.includes('rebinding')).length;
    // Each rebinding row sends one URL to 3 entries, replayed alone and again in the flood.
    expect(resolved.filter((name) => name === REBINDING_HOST)).toHaveLength(rebindingRows * 3 * 2);
  });
});
