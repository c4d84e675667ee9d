/**
 * Throughput of the SIMULATED servers (issue 4). Segmenter target: ≥ 200 requests/s on 640×480 images on
 * one core. Two kinds of line:
 * - "client+server": client and server in this one process over loopback HTTP (one core does both);
 *   requests per CPU-second of this process, client included.
 * - "server alone": the segmenter runs in a CHILD process (`mmevolve sim serve-segmenter --port 0`) and
 *   requests per SERVER CPU-second come from the cpuSeconds its GET /metrics reports before and after.
 * Cases: segmenter with a repeated image (how the engine calls it: the same prepared image in every request), segmenter with a
 * new image per request (decode + perception each time), MLLM plan_phrases and verify_mask (oracle
 * preset, zero latency), embeddings of 16 texts per request. CPU-seconds are robust to other load on the
 * machine; wall-clock requests/s are printed too. Prints measured numbers; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { taskResponseFormat, taskSystemLine } from '../src/core/index.js';
import { startSimEmbeddingsServer, startSimMllmServer, startSimSegmenterServer } from '../src/sim/index.js';
import { blendOverlay, pngBase64, sceneFixture } from '../src/sim/servers/test-support.js';

const CONCURRENCY = 8;
/** New-image case: requests measured, and fresh images sent before them to warm the JIT up. */
const FRESH_IMAGES = 160;
const FRESH_WARM_UP = 40;

interface Drive {
  seconds: number;
  failures: number;
  /** CPU time of this process (client, and the server when it runs here), microseconds. */
  cpuMicros: number;
}

/** `count` requests, CONCURRENCY at a time, each body read to the end. */
async function drive(count: number, request: (index: number) => Promise<Response>): Promise<Drive> {
  let next = 0;
  let failures = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        const response = await request(index);
        if (!response.ok) failures += 1;
        await response.arrayBuffer();
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds: (performance.now() - started) / 1000, failures, cpuMicros: cpu.user + cpu.system };
}

/** Requests per CPU-second of this process (client + server): robust to other processes sharing the cores. */
async function measure(label: string, count: number, request: (index: number) => Promise<Response>): Promise<number> {
  const { seconds, failures, cpuMicros } = await drive(count, request);
  const cpuMs = cpuMicros / 1000 / count;
  console.log(
    `${label.padEnd(72)} ${(count / seconds).toFixed(0).padStart(6)} req/s wall, ${(1000 / cpuMs).toFixed(0).padStart(6)} req/s per CPU-second ` +
      `(${count} requests, ${cpuMs.toFixed(2)} CPU ms each incl. client, ${failures} failed)`,
  );
  return 1000 / cpuMs;
}

interface ChildServer {
  url: string;
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../bin/mmevolve.js', import.meta.url));

/** `mmevolve sim serve-segmenter --port 0` in a child process; its URL is read from its first stdout line. */
async function startChildSegmenter(): Promise<ChildServer> {
  const child = spawn(process.execPath, [CLI, 'sim', 'serve-segmenter', '--port', '0', '--preset', 'paper-like'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(output.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`simulated segmenter exited with ${code} before printing its URL`)));
  });
  const url = /http:\/\/[0-9.:]+/.exec(line)?.[0];
  if (url === undefined || !line.includes('SIMULATED')) throw new Error(`unexpected first line from the simulated segmenter: ${line}`);
  return {
    url,
    cpuSeconds: async () => ((await (await fetch(`${url}/metrics`)).json()) as { cpuSeconds: number }).cpuSeconds,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** Requests per SERVER CPU-second: the child's cpuSeconds before and after (two /metrics reads included). */
async function measureServer(label: string, server: ChildServer, count: number, request: (index: number) => Promise<Response>): Promise<number> {
  const before = await server.cpuSeconds();
  const { seconds, failures, cpuMicros } = await drive(count, request);
  const serverMs = ((await server.cpuSeconds()) - before) * 1000 / count;
  console.log(
    `${label.padEnd(72)} ${(count / seconds).toFixed(0).padStart(6)} req/s wall, ${(1000 / serverMs).toFixed(0).padStart(6)} req/s per server CPU-second ` +
      `(${count} requests, ${serverMs.toFixed(2)} server CPU ms each, client ${(cpuMicros / 1000 / count).toFixed(2)} ms, ${failures} failed)`,
  );
  return 1000 / serverMs;
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export async function run(): Promise<void> {
  console.log(`cores available: ${availableParallelism()}, load average ${loadavg()[0]?.toFixed(2)}; concurrency ${CONCURRENCY}; images 640×480 PNG`);
  const scenes = Array.from({ length: 40 }, (_, index) => sceneFixture(500 + index));
  const payloads = await Promise.all(scenes.map((scene) => pngBase64(scene.rendered.image)));
  // Fresh images for the new-image case, after a warm-up on other fresh images: 40 cold requests alone
  // mostly measured the JIT compiling perception, not its steady state.
  const freshPayloads = await Promise.all(Array.from({ length: FRESH_IMAGES + FRESH_WARM_UP }, (_, index) => pngBase64(sceneFixture(1000 + index).rendered.image)));

  const phrases = ['red circle', 'the largest square', 'object', 'blue star', 'the leftmost triangle'];
  // The concept route needs the image in every request (it never reads image_id); a repeated image hits only
  // the simulator's decoded-image cache, and still counts one encode per request, as the real server does.
  const cachedBody = (imageId: string, index: number): unknown => ({ image: { type: 'base64', value: payloads[0] }, image_id: imageId, prompts: [{ text: phrases[index % phrases.length] }], format: 'rle' });
  const freshBody = (index: number): unknown => ({ image: { type: 'base64', value: freshPayloads[index] }, prompts: [{ text: 'circle' }], format: 'rle' });
  const verdict = (rate: number): string => `${rate >= 200 ? 'met' : 'NOT met'} (${rate.toFixed(0)})`;

  const segmenter = await startSimSegmenterServer({ preset: 'paper-like' });
  try {
    const embedded = (await (await post(`${segmenter.url}/sam3/embed_image`, { image: { type: 'base64', value: payloads[0] } })).json()) as { image_id: string };
    const warm = await measure('SIMULATED segmenter, repeated image, 1 text prompt (client+server)', 2000, (index) =>
      post(`${segmenter.url}/sam3/concept_segment`, cachedBody(embedded.image_id, index)),
    );
    await measure('(warm-up: new image each request, not the result)', FRESH_WARM_UP, (index) => post(`${segmenter.url}/sam3/concept_segment`, freshBody(index)));
    const cold = await measure('SIMULATED segmenter, new image each request (client+server)', FRESH_IMAGES, (index) =>
      post(`${segmenter.url}/sam3/concept_segment`, freshBody(FRESH_WARM_UP + index)),
    );
    console.log(`client+server in one process, per CPU-second: repeated image ${verdict(warm)}, new image ${verdict(cold)}; image encodes counted: ${segmenter.metrics.imageEncodes}`);
  } finally {
    await segmenter.close();
  }

  const child = await startChildSegmenter();
  try {
    const embedded = (await (await post(`${child.url}/sam3/embed_image`, { image: { type: 'base64', value: payloads[0] } })).json()) as { image_id: string };
    await measureServer('(warm-up: repeated image, not the result)', child, 500, (index) => post(`${child.url}/sam3/concept_segment`, cachedBody(embedded.image_id, index)));
    const warm = await measureServer('SIMULATED segmenter, repeated image, 1 text prompt (server alone)', child, 2000, (index) =>
      post(`${child.url}/sam3/concept_segment`, cachedBody(embedded.image_id, index)),
    );
    // The child has seen none of these images: the other 39 scene images and the fresh warm-up set warm
    // its JIT up on new images (compiling perception runs on background threads, counted in its CPU).
    const warmUps = [...payloads.slice(1), ...freshPayloads.slice(0, FRESH_WARM_UP)];
    await measureServer('(warm-up: new image each request, not the result)', child, warmUps.length, (index) =>
      post(`${child.url}/sam3/concept_segment`, { image: { type: 'base64', value: warmUps[index] }, prompts: [{ text: 'circle' }], format: 'rle' }),
    );
    const cold = await measureServer('SIMULATED segmenter, new image each request (server alone)', child, FRESH_IMAGES, (index) =>
      post(`${child.url}/sam3/concept_segment`, freshBody(FRESH_WARM_UP + index)),
    );
    console.log(`segmenter target ≥ 200 req/s on one core, SERVER ALONE (per server CPU-second): repeated image ${verdict(warm)}, new image ${verdict(cold)}`);
  } finally {
    await child.stop();
  }

  const mllm = await startSimMllmServer({ preset: 'oracle' });
  try {
    const scene = scenes[0];
    if (scene === undefined) return;
    const raw = `data:image/png;base64,${payloads[0]}`;
    const overlay = `data:image/png;base64,${await pngBase64(blendOverlay(scene.rendered.image, scene.rendered.instanceMasks[0] ?? scene.rendered.labels))}`;
    const chat = (task: 'plan_phrases' | 'verify_mask', images: string[]): unknown => ({
      model: mllm.modelId,
      messages: [
        { role: 'system', content: taskSystemLine(task) },
        { role: 'user', content: [...images.map((url) => ({ type: 'image_url', image_url: { url } })), { type: 'text', text: `Query: ${scene.query.query}` }] },
      ],
      response_format: taskResponseFormat(task),
    });
    await measure('MLLM plan_phrases (1 image, oracle)', 500, () => post(`${mllm.url}/v1/chat/completions`, chat('plan_phrases', [raw])));
    await measure('MLLM verify_mask, same raw + overlay (cached mask)', 300, () => post(`${mllm.url}/v1/chat/completions`, chat('verify_mask', [raw, overlay])));
    const fresh = await Promise.all(
      scenes.map(async (other, index) => [
        `data:image/png;base64,${payloads[index]}`,
        `data:image/png;base64,${await pngBase64(blendOverlay(other.rendered.image, other.rendered.instanceMasks[0] ?? other.rendered.labels))}`,
      ]),
    );
    await measure('MLLM verify_mask, new raw + overlay each request', fresh.length, (index) => post(`${mllm.url}/v1/chat/completions`, chat('verify_mask', fresh[index] ?? [])));
  } finally {
    await mllm.close();
  }

  const embeddings = await startSimEmbeddingsServer();
  try {
    const texts = Array.from({ length: 16 }, (_, index) => `lesson ${index}: count hidden circles before answering`);
    await measure('embeddings, 16 texts per request', 1000, () => post(`${embeddings.url}/v1/embeddings`, { model: 'sim-embedding', input: texts }));
  } finally {
    await embeddings.close();
  }
}
