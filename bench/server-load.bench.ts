/**
 * `mmevolve serve` under load (issue 8): 200 concurrent POST /v1/solve requests against the SIMULATED
 * MLLM (its own process; 2.5% 429s and 2.5% 500s, ~20 ms answers) through the server (its own process,
 * `mmevolve serve --dev` with the offline embedder). Half the requests carry a gold answer (the simulated
 * model falls into traps, so lessons are written); half do not (two sequential model calls: analysis and
 * solver). Reports whether any request was lost, client latency p50/p95, and the server's own overhead:
 * client latency minus the model-call time the response itself reports, for requests without writes.
 * Numbers are from one run of simulated backends; they describe mmevolve's overhead, not a model.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { percentile } from '../src/backends/index.js';
import type { CallRecord } from '../src/core/index.js';
import { createRng, generateScene, generateVqaProblem, renderScene } from '../src/sim/index.js';
import { encodeImage } from '../src/vision/index.js';
import { startProcess, stop } from './bench-processes.js';

const REQUESTS = 200;
const WARM_UP = 10;
/** Requests sent one at a time first: the server's overhead without contention. */
const SEQUENTIAL = 20;

interface SolveBody {
  question: string;
  options: string[];
  image: string;
  answer?: string;
  id: string;
}

async function problems(count: number): Promise<SolveBody[]> {
  const bodies: SolveBody[] = [];
  for (let index = 0; index < count; index += 1) {
    const rendered = renderScene(generateScene(1000 + index, { width: 256, height: 192 }));
    const problem = generateVqaProblem(rendered.objects, createRng(5000 + index));
    const image = `data:image/png;base64,${(await encodeImage(rendered.image, 'png')).toString('base64')}`;
    bodies.push({ question: problem.question, options: problem.options, image, id: `bench-${index}`, ...(index % 2 === 0 ? { answer: problem.answer } : {}) });
  }
  return bodies;
}

interface Outcome {
  status: number;
  latencyMs: number;
  calls: CallRecord[];
  written: number;
  code?: string;
}

/** Client latency minus the model-call time the response reports (exact when the calls ran one after another). */
function overheadOf(outcome: Outcome): number {
  return outcome.latencyMs - outcome.calls.reduce((sum, call) => sum + call.latencyMs, 0);
}

async function send(url: string, body: SolveBody): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(`${url}/v1/solve`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await response.json()) as { calls?: CallRecord[]; lessonsWritten?: unknown[]; error?: { code: string } };
    const outcome: Outcome = { status: response.status, latencyMs: performance.now() - started, calls: json.calls ?? [], written: json.lessonsWritten?.length ?? 0 };
    if (json.error !== undefined) outcome.code = json.error.code;
    return outcome;
  } catch (error) {
    return { status: 0, latencyMs: performance.now() - started, calls: [], written: 0, code: error instanceof Error ? error.message : String(error) };
  }
}

export async function run(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'mmevolve-server-load-'));
  const simConfig = join(directory, 'sim.json');
  writeFileSync(simConfig, JSON.stringify({ preset: 'paper-like', noise: { failures: { rate429: 0.025, rate500: 0.025, stallRate: 0, stallMs: 0 }, latency: { medianMs: 20, sigma: 0.3 } } }));
  const processes: ChildProcess[] = [];
  try {
    const mllm = await startProcess(['sim', 'serve-mllm', '--port', '0', '--config', simConfig], /at (http:\/\/[^\s]+)\/v1/u);
    processes.push(mllm.child);
    const modelId = /model "([^"]+)"/u.exec(mllm.output)?.[1] ?? 'sim-qwen2.5-vl';
    const config = join(directory, 'mmevolve.config.json');
    writeFileSync(config, JSON.stringify({ backends: { mllm: { baseURL: `${mllm.url}/v1`, model: modelId, concurrency: 64, maxRetries: 6 }, embedder: { kind: 'offline' } }, cache: { enabled: false } }));
    const server = await startProcess(
      ['serve', '--dev', '--port', '0', '--config', config, '--db', join(directory, 'memory.db'), '--keys-db', join(directory, 'keys.db'), '--runs-dir', join(directory, 'runs'), '--rate-burst', '10000', '--rate-per-second', '10000'],
      /listening on (http:\/\/[^\s]+)/u,
    );
    processes.push(server.child);
    const bodies = await problems(REQUESTS + WARM_UP + SEQUENTIAL);
    for (const body of bodies.slice(0, WARM_UP)) await send(server.url, body);
    const alone: Outcome[] = [];
    for (const body of bodies.slice(WARM_UP, WARM_UP + SEQUENTIAL)) alone.push(await send(server.url, { question: body.question, options: body.options, image: body.image, id: body.id }));

    const limit = pLimit(REQUESTS);
    const started = performance.now();
    const outcomes = await Promise.all(bodies.slice(WARM_UP + SEQUENTIAL).map((body) => limit(() => send(server.url, body))));
    const wallMs = performance.now() - started;

    const ok = outcomes.filter((outcome) => outcome.status === 200);
    const byStatus = new Map<string, number>();
    for (const outcome of outcomes) byStatus.set(`${outcome.status}${outcome.code === undefined ? '' : ` ${outcome.code}`}`, (byStatus.get(`${outcome.status}${outcome.code === undefined ? '' : ` ${outcome.code}`}`) ?? 0) + 1);
    const latencies = ok.map((outcome) => outcome.latencyMs).sort((left, right) => left - right);
    const calls = ok.flatMap((outcome) => outcome.calls);
    const retries = calls.reduce((sum, call) => sum + call.retries, 0);
    // Requests without writes make their model calls one after another, so their sum is the backend time.
    const sequential = ok.filter((outcome) => outcome.written === 0);
    const overheads = sequential.map(overheadOf).sort((left, right) => left - right);
    const modelTime = sequential.map((outcome) => outcome.calls.reduce((sum, call) => sum + call.latencyMs, 0)).sort((left, right) => left - right);
    console.log(`  SIMULATED backends — ${REQUESTS} concurrent POST /v1/solve (half with a gold answer), 5% injected 429/500 faults at the MLLM`);
    console.log(`  answered ${ok.length}/${REQUESTS}; lost (no HTTP answer) ${outcomes.filter((outcome) => outcome.status === 0).length}; statuses: ${[...byStatus].map(([status, count]) => `${status} ×${count}`).join(', ')}`);
    console.log(`  model calls ${calls.length} (${retries} HTTP retries absorbed the injected faults); lessons written ${ok.reduce((sum, outcome) => sum + outcome.written, 0)}`);
    console.log(`  wall ${wallMs.toFixed(0)} ms (${((REQUESTS / wallMs) * 1000).toFixed(1)} requests/s); client latency p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p95 ${percentile(latencies, 0.95).toFixed(0)} ms`);
    console.log(
      `  server overhead under load (latency − reported model-call time, ${overheads.length} requests without writes): p50 ${percentile(overheads, 0.5).toFixed(0)} ms, p95 ${percentile(overheads, 0.95).toFixed(0)} ms; their model time p50 ${percentile(modelTime, 0.5).toFixed(0)} ms`,
    );
    const aloneOverheads = alone.filter((outcome) => outcome.status === 200).map(overheadOf).sort((left, right) => left - right);
    console.log(`  server overhead one request at a time (${aloneOverheads.length} requests): p50 ${percentile(aloneOverheads, 0.5).toFixed(1)} ms, p95 ${percentile(aloneOverheads, 0.95).toFixed(1)} ms`);
    console.log('  (under load the overhead is the CPU work of 200 requests queued in one server process — JSON/base64, PNG decode, offline image embedding, SQLite — sharing 2 cores with the simulated MLLM process; model-call time includes waiting for one of the 64 MLLM connection slots)');
  } finally {
    for (const child of processes.reverse()) await stop(child);
    rmSync(directory, { recursive: true, force: true });
  }
}
