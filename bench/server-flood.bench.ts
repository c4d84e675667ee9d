/**
 * `mmevolve serve` under a flood of worst-case inputs (issue 15). A normal tenant sends POST /v1/solve
 * requests one after another (a 256×192 PNG, the memory method, the SIMULATED MLLM in its own process at
 * ~20 ms per answer) — first alone, then while an attacker keeps FLOOD_WORKERS requests of the audit's
 * hostile inputs in flight: decompression bombs, PNGs declaring 10 gigapixels, 6000×6000 blurred SVGs,
 * GIF/TIFF, 5,000-deep JSON (chat and solve), wrong secrets for a live key id, and slow-drip image URLs
 * (one byte every 200 ms; the server allows URLs from any host here so it really waits on them), from two
 * attacking tenants (one for the drips) and unauthenticated wrong secrets, with the rate limit lifted. Prints
 * the normal requests' p50/p95 in both runs and their ratio (target: p95 within 3× of unloaded), what
 * the flood was answered, and the load average. One run on a shared machine: see the load average.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile } from '../src/backends/index.js';
import { createRng, generateScene, generateVqaProblem, renderScene } from '../src/sim/index.js';
import { ApiKeyStore } from '../src/server/index.js';
import { blurredSvg, bombPng, dataUrl, deepJson, otherFormats, pngClaiming } from '../src/server/hostile-inputs.js';
import { encodeImage } from '../src/vision/index.js';
import { startProcess, stop } from './bench-processes.js';

const NORMAL_REQUESTS = 60;
const WARM_UP = 8;
const FLOOD_WORKERS = 32;
/**
 * Of the flood workers, how many hold slow-drip URLs open (each waits out the server's 10 s URL timeout).
 * They use a second attacking tenant: in one tenant they would hold its intake places and so throttle the
 * rest of its flood, which would flatter the server.
 */
const DRIP_WORKERS = 8;

interface HostileRequest {
  name: string;
  path: string;
  body: string | (() => FormData);
  contentType?: string;
  /** Sent with this key instead of the attacker's own. */
  key?: string;
}

async function normalBody(): Promise<string> {
  const rendered = renderScene(generateScene(4242, { width: 256, height: 192 }));
  const problem = generateVqaProblem(rendered.objects, createRng(4243));
  return JSON.stringify({ question: problem.question, options: problem.options, image: dataUrl(await encodeImage(rendered.image, 'png')) });
}

async function hostileRequests(liveKey: string): Promise<HostileRequest[]> {
  const others = await otherFormats();
  const solve = (image: string) => JSON.stringify({ question: 'How many shapes?', options: ['1', '2'], image });
  const upload = (bytes: Buffer, name: string) => () => {
    const form = new FormData();
    form.set('question', 'How many shapes?');
    form.set('image', new Blob([new Uint8Array(bytes)]), name);
    return form;
  };
  const wrongSecret = `${liveKey.slice(0, 'mmev_'.length + 17)}${'x'.repeat(43)}`;
  return [
    { name: 'bomb (data: URL)', path: '/v1/solve', body: solve(dataUrl(bombPng())) },
    { name: 'bomb (upload)', path: '/v1/solve', body: upload(bombPng(), 'bomb.png') },
    { name: 'declared 10 gigapixels', path: '/v1/solve', body: solve(dataUrl(pngClaiming(100_000, 100_000))) },
    { name: 'SVG 6000×6000', path: '/v1/solve', body: upload(blurredSvg(6000), 'photo.png') },
    { name: 'SVG as PNG data: URL', path: '/v1/chat/completions', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(blurredSvg(6000)) } }] }] }) },
    { name: 'GIF', path: '/v1/solve', body: solve(dataUrl(others.gif, 'image/gif')) },
    { name: 'TIFF', path: '/v1/solve', body: solve(dataUrl(others.tiff, 'image/tiff')) },
    { name: 'deep JSON (chat)', path: '/v1/chat/completions', body: `{"model":"m","messages":[{"role":"user","content":"hi"}],"extra":${deepJson(5000)}}` },
    { name: 'deep JSON (solve)', path: '/v1/solve', body: `{"question":"q","extra":${deepJson(5000)}}` },
    { name: 'wrong secret', path: '/v1/memories', body: '', key: wrongSecret },
  ];
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuSecondsOf(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function send(url: string, request: HostileRequest, key: string, signal?: AbortSignal): Promise<number> {
  const body = typeof request.body === 'string' ? request.body : request.body();
  const headers: Record<string, string> = { Authorization: `Bearer ${request.key ?? key}` };
  if (typeof request.body === 'string') headers['Content-Type'] = request.contentType ?? 'application/json';
  try {
    const response = await fetch(`${url}${request.path}`, { method: request.body === '' ? 'GET' : 'POST', headers, ...(request.body === '' ? {} : { body }), ...(signal === undefined ? {} : { signal }) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Latencies of `count` normal solves sent one after another (sorted), and the answers that were not 200. */
async function timeNormal(url: string, key: string, body: string, count: number): Promise<{ latencies: number[]; refused: string[] }> {
  const latencies: number[] = [];
  const refused: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const response = await fetch(`${url}/v1/solve`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` }, body });
    const text = await response.text();
    latencies.push(performance.now() - started);
    if (response.status !== 200) refused.push(`${response.status} ${text.slice(0, 160)}`);
  }
  return { latencies: latencies.sort((left, right) => left - right), refused };
}

async function createKeys(keysDb: string, tenants: string[]): Promise<string[]> {
  const store = new ApiKeyStore(keysDb);
  try {
    const keys: string[] = [];
    for (const tenant of tenants) keys.push((await store.create(tenant, ['read', 'write', 'solve', 'segment'])).key);
    return keys;
  } finally {
    store.close();
  }
}

const load = (): string => loadavg().map((value) => value.toFixed(1)).join(' ');

export async function run(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'mmevolve-server-flood-'));
  const processes: ChildProcess[] = [];
  const drip = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'image/png' });
    const timer = setInterval(() => response.write(Buffer.from([0x89])), 200);
    response.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => drip.listen(0, '127.0.0.1', resolve));
  const dripUrl = `http://127.0.0.1:${(drip.address() as AddressInfo).port}/image.png`;
  try {
    const simConfig = join(directory, 'sim.json');
    writeFileSync(simConfig, JSON.stringify({ preset: 'paper-like', noise: { failures: { rate429: 0, rate500: 0, stallRate: 0, stallMs: 0 }, latency: { medianMs: 20, sigma: 0.2 } } }));
    const mllm = await startProcess(['sim', 'serve-mllm', '--port', '0', '--config', simConfig], /at (http:\/\/[^\s]+)\/v1/u);
    processes.push(mllm.child);
    const modelId = /model "([^"]+)"/u.exec(mllm.output)?.[1] ?? 'sim-qwen2.5-vl';
    const config = join(directory, 'mmevolve.config.json');
    writeFileSync(config, JSON.stringify({ backends: { mllm: { baseURL: `${mllm.url}/v1`, model: modelId, concurrency: 64 }, embedder: { kind: 'offline' } }, cache: { enabled: false } }));
    const keysDb = join(directory, 'keys.db');
    const [aliceKey = '', malloryKey = '', dripperKey = ''] = await createKeys(keysDb, ['alice', 'mallory', 'dripper']);
    const server = await startProcess(
      ['serve', '--port', '0', '--config', config, '--db', join(directory, 'memory.db'), '--keys-db', keysDb, '--runs-dir', join(directory, 'runs'), '--image-urls', 'any', '--rate-burst', '100000', '--rate-per-second', '100000'],
      /listening on (http:\/\/[^\s]+)/u,
    );
    processes.push(server.child);
    const normal = await normalBody();
    // MMEVOLVE_FLOOD_ONLY=name,name (substrings of the request names) floods with those inputs alone, to find which one costs.
    const only = (process.env['MMEVOLVE_FLOOD_ONLY'] ?? '').split(',').filter((name) => name !== '');
    const hostile = (await hostileRequests(malloryKey)).filter((request) => only.length === 0 || only.some((name) => request.name.includes(name)));
    await timeNormal(server.url, aliceKey, normal, WARM_UP);
    for (const request of hostile) await send(server.url, request, malloryKey);

    const loadBefore = load();
    const aloneStarted = performance.now();
    const serverCpuAlone = cpuSecondsOf(server.child.pid);
    const { latencies: alone } = await timeNormal(server.url, aliceKey, normal, NORMAL_REQUESTS);
    const serverCpuShareAlone = ((cpuSecondsOf(server.child.pid) ?? Number.NaN) - (serverCpuAlone ?? Number.NaN)) / ((performance.now() - aloneStarted) / 1000);

    const statuses = new Map<string, number>();
    const count = (name: string, status: number) => statuses.set(`${name} → ${status}`, (statuses.get(`${name} → ${status}`) ?? 0) + 1);
    // One controller per request in flight (a shared signal would collect a listener per request).
    const inFlight = new Set<AbortController>();
    let stopping = false;
    const dripRequest: HostileRequest = { name: 'slow-drip URL', path: '/v1/solve', body: JSON.stringify({ question: 'How many shapes?', image: dripUrl }) };
    const workers = Array.from({ length: FLOOD_WORKERS }, async (_, worker) => {
      for (let round = 0; !stopping; round += 1) {
        const request = worker < DRIP_WORKERS || hostile.length === 0 ? dripRequest : (hostile[(worker + round) % hostile.length] as HostileRequest);
        const controller = new AbortController();
        inFlight.add(controller);
        const status = await send(server.url, request, request === dripRequest ? dripperKey : malloryKey, controller.signal);
        inFlight.delete(controller);
        if (!stopping) count(request.name, status);
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const floodStarted = performance.now();
    const [serverCpu, clientCpu] = [cpuSecondsOf(server.child.pid), process.cpuUsage()];
    const { latencies: flooded, refused } = await timeNormal(server.url, aliceKey, normal, NORMAL_REQUESTS);
    const floodMs = performance.now() - floodStarted;
    const serverCpuShare = ((cpuSecondsOf(server.child.pid) ?? Number.NaN) - (serverCpu ?? Number.NaN)) / (floodMs / 1000);
    const clientUsage = process.cpuUsage(clientCpu);
    const clientCpuShare = (clientUsage.user + clientUsage.system) / 1000 / floodMs;
    const loadAfter = load();
    stopping = true;
    for (const controller of inFlight) controller.abort();
    await Promise.all(workers);

    const answered = [...statuses.values()].reduce((sum, value) => sum + value, 0);
    const [p50, p95] = [percentile(alone, 0.5), percentile(alone, 0.95)];
    const [floodP50, floodP95] = [percentile(flooded, 0.5), percentile(flooded, 0.95)];
    console.log(`  SIMULATED MLLM (~20 ms per answer); ${NORMAL_REQUESTS} normal POST /v1/solve one after another, alone and beside ${FLOOD_WORKERS} hostile requests kept in flight (${DRIP_WORKERS} of them slow drips)`);
    console.log(`  unloaded: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms (load average ${loadBefore})`);
    console.log(`  flooded:  p50 ${floodP50.toFixed(0)} ms, p95 ${floodP95.toFixed(0)} ms (load average ${loadAfter})`);
    console.log(`  ratio flooded/unloaded: p50 ×${(floodP50 / p50).toFixed(2)}, p95 ×${(floodP95 / p95).toFixed(2)} (target p95 ≤ ×3)`);
    console.log(`  normal solves not answered 200 under the flood: ${refused.length}${refused.length === 0 ? '' : ` (${refused.slice(0, 3).join('; ')})`}`);
    console.log(`  CPU of the server process: ${(serverCpuShareAlone * 100).toFixed(0)}% of a core unloaded, ${(serverCpuShare * 100).toFixed(0)}% under the flood (this client: ${(clientCpuShare * 100).toFixed(0)}%)`);
    console.log(`  the flood: ${answered} hostile requests answered in ${(floodMs / 1000).toFixed(1)} s (${((answered / floodMs) * 1000).toFixed(0)}/s): ${[...statuses].sort().map(([name, value]) => `${name} ×${value}`).join(', ')}`);
  } finally {
    for (const child of processes.reverse()) await stop(child);
    await new Promise((resolve) => drip.close(resolve));
    rmSync(directory, { recursive: true, force: true });
  }
}
