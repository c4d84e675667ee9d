/**
 * MLLM client under load (issue 5): 64 concurrent structured-output requests against a loopback
 * OpenAI-compatible server that answers after a fixed 25 ms and faults on 5% of requests (429 with
 * Retry-After, 500, malformed output — each only on the first attempt). Checks that no request is lost and
 * reports the client's overhead: client-observed latency minus the server handler's own time, for requests
 * that needed no retry. Prints measured numbers; asserts nothing. The server is a stand-in written here,
 * not a model: its answers are canned.
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { seededRandom } from '../src/core/index.js';
import type { CallRecord, RgbImage } from '../src/core/index.js';
import { createOpenAICompatibleClient, percentile } from '../src/backends/index.js';

const CONCURRENT = 64;
const ROUNDS = 4;
const SERVER_LATENCY_MS = 25;
const FAULT_RATE = 0.05;

/**
 * The stand-in server runs in its own process (plain node:http), so its work shares neither the client's
 * event loop nor its CPU accounting; it reports each request's handler time (full body received to
 * response written) over IPC.
 */
const SERVER_SOURCE = `
const workerData = JSON.parse(process.env.BENCH_SERVER_CONFIG);
const parentPort = { postMessage: (message) => process.send(message), on: (event, handler) => process.on(event, handler) };
const http = require('node:http');
const faulty = new Set(workerData.faulty);
const attempts = new Map();
function completion(content) {
  return JSON.stringify({ id: 'bench', object: 'chat.completion', created: 0, model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 } });
}
const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const started = performance.now();
    const text = Buffer.concat(chunks).toString('utf8');
    const match = /Request id: (\\d+)/.exec(text);
    const id = match === null ? -1 : Number(match[1]);
    const attempt = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, attempt);
    setTimeout(() => {
      let status = 200;
      let body;
      const headers = { 'content-type': 'application/json' };
      if (faulty.has(id) && attempt === 1 && id % 3 === 0) { status = 429; headers['retry-after'] = '0'; body = '{"error":{"message":"rate limited"}}'; }
      else if (faulty.has(id) && attempt === 1 && id % 3 === 1) { status = 500; body = '{"error":{"message":"internal error"}}'; }
      else if (faulty.has(id) && attempt === 1) body = completion('I think the first one, probably.');
      else body = completion(JSON.stringify({ winner: id % 2 === 0 ? 'A' : 'B', reason: 'request ' + id }));
      response.writeHead(status, headers);
      response.end(body);
      parentPort.postMessage({ id, milliseconds: performance.now() - started });
    }, workerData.latencyMs);
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => { if (message === 'close') { server.closeAllConnections(); server.close(() => process.exit(0)); } });
`;

interface StandInServer {
  url: string;
  serverMs: Map<number, number>;
  close(): Promise<void>;
}

async function startServer(faulty: ReadonlySet<number>): Promise<StandInServer> {
  const serverMs = new Map<number, number>();
  const worker = spawn(process.execPath, ['-e', SERVER_SOURCE], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_SERVER_CONFIG: JSON.stringify({ faulty: [...faulty], latencyMs: SERVER_LATENCY_MS }) },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (message: { port?: number; id?: number; milliseconds?: number }) => {
      if (message.port !== undefined) resolve(message.port);
      else if (message.id !== undefined && message.milliseconds !== undefined) serverMs.set(message.id, message.milliseconds);
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    serverMs,
    close: () =>
      new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.send('close');
      }),
  };
}

/** A smooth photo-like gradient (random noise would make an unrealistically large JPEG). */
function image(): RgbImage {
  const width = 448;
  const height = 448;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) data.set([(x * 255) / width, (y * 255) / height, ((x + y) * 127) / width], (y * width + x) * 3);
  }
  return { width, height, data };
}

interface Scenario {
  label: string;
  concurrency: number;
  rounds: number;
  withImage: boolean;
  seed: number;
}

async function measure(options: Scenario): Promise<number> {
  const random = seededRandom(options.seed);
  const total = options.concurrency * options.rounds;
  const faulty = new Set<number>();
  for (let id = 0; id < total; id += 1) if (random() < FAULT_RATE) faulty.add(id);
  const server = await startServer(faulty);
  const records: CallRecord[] = [];
  const client = createOpenAICompatibleClient({
    baseURL: `${server.url}/v1`,
    model: 'bench-model',
    concurrency: options.concurrency,
    retryBaseDelayMs: 20,
    onCall: (record) => records.push(record),
  });
  const schema = { name: 'judge_pair', schema: z.object({ winner: z.enum(['A', 'B', 'tie']), reason: z.string() }) };
  const picture = image();
  const clean: { id: number; latencyMs: number }[] = [];
  let succeeded = 0;
  let lost = 0;
  const started = performance.now();
  let cpuStart = process.cpuUsage();
  let recordsAfterWarmUp = 0;
  try {
    for (let round = 0; round < options.rounds; round += 1) {
      if (round === 1) {
        cpuStart = process.cpuUsage();
        recordsAfterWarmUp = records.length;
      }
      const results = await Promise.allSettled(
        Array.from({ length: options.concurrency }, async (_unused, offset) => {
          const id = round * options.concurrency + offset;
          const result = await client.chat({
            messages: [
              { role: 'system', content: 'Task: judge_pair' },
              { role: 'user', content: `Query: the red cup\nRequest id: ${id}` },
            ],
            // A fresh buffer per request: distinct images are encoded each time (identical buffers are encoded once).
            ...(options.withImage ? { images: [{ width: picture.width, height: picture.height, data: picture.data.slice() }] } : {}),
            schema,
            temperature: 0,
            stage: 'bench',
          });
          if (result.value.reason !== `request ${id}`) throw new Error(`request ${id} got the answer for ${result.value.reason}`);
          // The first round warms up the JIT, the SDK and the connection pool.
          if (round > 0 && result.call.retries === 0 && result.call.repairs === 0) clean.push({ id, latencyMs: result.call.latencyMs });
        }),
      );
      for (const result of results) {
        if (result.status === 'fulfilled') succeeded += 1;
        else lost += 1;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the worker's last timing messages arrive
  } finally {
    await server.close();
  }
  const cpu = process.cpuUsage(cpuStart);
  const measured = records.slice(recordsAfterWarmUp);
  const httpAttempts = measured.reduce((total, record) => total + 1 + record.retries + record.repairs, 0);
  const cpuPerAttempt = (cpu.user + cpu.system) / 1000 / Math.max(1, httpAttempts);
  const wall = performance.now() - started;
  const overheads = clean.map(({ id, latencyMs }) => latencyMs - (server.serverMs.get(id) ?? Number.NaN)).filter(Number.isFinite).sort((left, right) => left - right);
  const retried = records.filter((record) => record.retries > 0).length;
  const repaired = records.filter((record) => record.repairs > 0).length;
  console.log(`  ${options.label}: ${succeeded}/${total} succeeded, ${lost} lost; ${faulty.size} faulted (${retried} retried, ${repaired} repaired); wall ${wall.toFixed(0)} ms`);
  console.log(
    `    client overhead over the server's own time (${overheads.length} clean requests after warm-up): p50 ${percentile(overheads, 0.5).toFixed(2)} ms, p95 ${percentile(overheads, 0.95).toFixed(2)} ms, max ${(overheads.at(-1) ?? 0).toFixed(2)} ms`,
  );
  console.log(`    client process CPU per HTTP attempt (SDK, undici, JSON, zod${options.withImage ? ', JPEG encode' : ''}; far less load-sensitive than wall time): ${cpuPerAttempt.toFixed(2)} ms over ${httpAttempts} attempts`);
  return percentile(overheads, 0.5);
}

/** The transport floor: the same request body POSTed with bare fetch, sequentially, no client around it. */
async function measureRawFetch(rounds: number): Promise<number> {
  const server = await startServer(new Set());
  const overheads: number[] = [];
  try {
    for (let id = 0; id < rounds; id += 1) {
      const body = JSON.stringify({
        model: 'bench-model',
        messages: [
          { role: 'system', content: 'Task: judge_pair' },
          { role: 'user', content: `Query: the red cup\nRequest id: ${id}` },
        ],
        temperature: 0,
      });
      const started = performance.now();
      const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await response.json();
      const latency = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (id >= 5) overheads.push(latency - (server.serverMs.get(id) ?? Number.NaN));
    }
  } finally {
    await server.close();
  }
  overheads.sort((left, right) => left - right);
  console.log(`  transport floor, bare fetch, sequential: overhead p50 ${percentile(overheads, 0.5).toFixed(2)} ms, p95 ${percentile(overheads, 0.95).toFixed(2)} ms over ${overheads.length} requests`);
  return percentile(overheads, 0.5);
}

/** The SIMULATED MLLM (`mmevolve sim serve-mllm`) in its own process, with 5% HTTP faults and a fixed latency. */
async function startSimMllmProcess(directory: string): Promise<{ url: string; modelId: string; child: ChildProcess }> {
  const config = join(directory, 'sim.json');
  writeFileSync(
    config,
    JSON.stringify({
      preset: 'oracle',
      noise: { latency: { medianMs: SERVER_LATENCY_MS, sigma: 0 }, failures: { rate429: 0.02, rate500: 0.02, stallRate: 0.01, stallMs: 3000 } },
    }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'sim', 'serve-mllm', '--port', '0', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  const banner = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sim serve-mllm exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) resolve(text);
    });
  });
  const url = /at (http:\/\/\S+?)\/v1/.exec(banner)?.[1];
  const modelId = /model "([^"]+)"/.exec(banner)?.[1];
  if (url === undefined || modelId === undefined) throw new Error(`unexpected sim banner: ${banner}`);
  return { url, modelId, child };
}

async function measureAgainstSim(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'mmevolve-client-load-'));
  const sim = await startSimMllmProcess(directory);
  const records: CallRecord[] = [];
  const client = createOpenAICompatibleClient({
    baseURL: `${sim.url}/v1`,
    model: sim.modelId,
    concurrency: CONCURRENT,
    timeoutMs: 1000,
    retryBaseDelayMs: 20,
    onCall: (record) => records.push(record),
  });
  const schema = { name: 'judge_answer', schema: z.object({ equivalent: z.boolean() }) };
  let succeeded = 0;
  let lost = 0;
  const latencies: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      const results = await Promise.allSettled(
        Array.from({ length: CONCURRENT }, async (_unused, offset) => {
          const id = round * CONCURRENT + offset;
          const result = await client.chat({
            messages: [
              { role: 'system', content: 'Task: judge_answer' },
              { role: 'user', content: `Answer: \\boxed{${id}}\nGold: ${id}` },
            ],
            schema,
            temperature: 0,
          });
          if (!result.value.equivalent) throw new Error(`request ${id}: the oracle sim judged equal answers unequal`);
          if (round > 0 && result.call.retries === 0) latencies.push(result.call.latencyMs);
        }),
      );
      for (const result of results) {
        if (result.status === 'fulfilled') succeeded += 1;
        else lost += 1;
      }
    }
  } finally {
    sim.child.kill('SIGTERM');
    rmSync(directory, { recursive: true, force: true });
  }
  latencies.sort((left, right) => left - right);
  const retried = records.filter((record) => record.retries > 0).length;
  console.log(`  SIMULATED MLLM (mmevolve sim serve-mllm, own process), ${CONCURRENT} concurrent × ${ROUNDS} rounds, 5% faults (2% 429, 2% 500, 1% stalls beyond the 1 s timeout): ${succeeded}/${succeeded + lost} succeeded, ${lost} lost, ${retried} retried`);
  console.log(
    `    latency of clean requests after warm-up: p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p95 ${percentile(latencies, 0.95).toFixed(1)} ms; over the sim's configured ${SERVER_LATENCY_MS} ms: p50 +${(percentile(latencies, 0.5) - SERVER_LATENCY_MS).toFixed(1)} ms (includes the sim's own request handling)`,
  );
}

export async function run(): Promise<void> {
  console.log(`MLLM client load — ${FAULT_RATE * 100}% faults (429 + Retry-After, 500, malformed output), server answers after ${SERVER_LATENCY_MS} ms; stand-in server in its own process (canned answers, not a model). Target: p50 overhead < 2 ms.`);
  const floor = await measureRawFetch(60);
  const sequential = await measure({ label: 'sequential, text only (per-request cost)', concurrency: 1, rounds: 60, withImage: false, seed: 3 });
  console.log(`    the client's own share above bare fetch: p50 ${(sequential - floor).toFixed(2)} ms (${(sequential / floor).toFixed(2)}× the transport floor)`);
  await measure({ label: `${CONCURRENT} concurrent × ${ROUNDS} rounds, text only`, concurrency: CONCURRENT, rounds: ROUNDS, withImage: false, seed: 7 });
  await measure({ label: 'sequential, a distinct 448×448 image per request (JPEG q90 encode each)', concurrency: 1, rounds: 30, withImage: true, seed: 5 });
  await measure({ label: `${CONCURRENT} concurrent × ${ROUNDS} rounds, a distinct 448×448 image per request`, concurrency: CONCURRENT, rounds: ROUNDS, withImage: true, seed: 11 });
  await measureAgainstSim();
  console.log(`  overhead = client-observed latency − server handler time: SDK, JSON, zod, image encoding and loopback HTTP both ways; under concurrency it includes waiting for the other requests' client work on the one event loop`);
  console.log(`  machine load average: ${loadavg().map((value) => value.toFixed(2)).join(' / ')} (1/5/15 min) — 2 shared cores; overhead rises with contention`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
