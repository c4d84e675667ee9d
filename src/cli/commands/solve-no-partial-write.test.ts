import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskFromRequest } from '../../core/index.js';
import type { MemoryExportRecord, TaskName } from '../../core/index.js';
import { openMemoryStore } from '../../memory/index.js';
import { SIM_EMBEDDING_MODEL, TRAP_ALWAYS_NOISE, resolveSimConfig, scenesWithTrap, startSimEmbeddingsServer, startSimMllmServer } from '../../sim/index.js';
import type { SimEmbeddingsServer, SimMllmServer, VqaProblem } from '../../sim/index.js';
import { writeImage } from '../../vision/index.js';
import { runSolveCommand } from './solve.js';
import type { SolveCommandOptions } from './solve.js';

let mllmServer: SimMllmServer;
let embeddingsServer: SimEmbeddingsServer;
let proxy: Server;
let directory: string;
let problem: VqaProblem;
/** Requests of these tasks get a 503 from the proxy (after a pause, so the other writer finishes first). */
let failing = new Set<TaskName>();
const seen: TaskName[] = [];

/** A loopback proxy in front of the SIMULATED MLLM server that fails chosen tasks like an outage. */
function startFaultProxy(target: string): Promise<Server> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const task = body === '' ? undefined : taskFromRequest(JSON.parse(body) as unknown);
      if (task !== undefined) seen.push(task);
      const forward = async (): Promise<void> => {
        if (task !== undefined && failing.has(task)) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `injected outage for ${task}` } }));
          return;
        }
        const upstream = await fetch(`${target}${request.url ?? ''}`, { method: request.method ?? 'GET', headers: { 'content-type': 'application/json' }, ...(body === '' ? {} : { body }) });
        response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' }).end(await upstream.text());
      };
      forward().catch((error: unknown) => response.writeHead(502).end(String(error)));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  // SIMULATED servers: the model always falls into a problem's trap, so a gold answer makes it learn.
  mllmServer = await startSimMllmServer({ config: resolveSimConfig({ preset: 'oracle', noise: TRAP_ALWAYS_NOISE }), host: '127.0.0.1', port: 0 });
  embeddingsServer = await startSimEmbeddingsServer({ host: '127.0.0.1', port: 0 });
  proxy = await startFaultProxy(mllmServer.url);
  directory = await mkdtemp(join(tmpdir(), 'mmevolve-solve-atomic-'));
  const settings = {
    backends: {
      mllm: { baseURL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/v1`, model: mllmServer.modelId, maxRetries: 0 },
      embedder: { kind: 'openai', baseURL: `${embeddingsServer.url}/v1`, model: SIM_EMBEDDING_MODEL, vectorKind: 'lexical-perceptual' },
    },
    cache: { enabled: false },
    // Both writers write; nothing is retrieved, so no usage count changes either.
    memory: { write: { logicOnlyForLogicalErrors: false }, retrieval: { logic: { k: 0 }, visual: { k: 0 } } },
  };
  await writeFile(join(directory, 'mmevolve.config.json'), JSON.stringify(settings));
  const [scene] = scenesWithTrap('occlusion', 1);
  if (scene === undefined) throw new Error('no SynthWorld scene below seed 500 has an occlusion-trap problem');
  problem = scene.problem;
  await writeImage(join(directory, 'figure.png'), scene.rendered.image);
});

afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await mllmServer.close();
  await embeddingsServer.close();
  await rm(directory, { recursive: true, force: true });
});

function options(db: string, withAnswer = true): SolveCommandOptions {
  const base: SolveCommandOptions = {
    image: join(directory, 'figure.png'),
    question: problem.question,
    tenant: 'cli-atomic',
    db: join(directory, db),
    config: join(directory, 'mmevolve.config.json'),
    mode: 'memory',
    learn: true,
    json: true,
  };
  if (withAnswer) base.answer = problem.answer;
  if (problem.options.length > 0) base.options = JSON.stringify(problem.options);
  return base;
}

async function solve(commandOptions: SolveCommandOptions): Promise<string> {
  const out: string[] = [];
  await runSolveCommand(commandOptions, { stdout: (text) => out.push(text), stderr: () => undefined });
  return out.join('');
}

async function exported(db: string): Promise<string> {
  const store = openMemoryStore({ path: join(directory, db) });
  try {
    const records: MemoryExportRecord[] = [];
    for await (const record of store.forTenant('cli-atomic').export()) records.push(record);
    return JSON.stringify(records);
  } finally {
    await store.close();
  }
}

describe('mmevolve solve writes a failure\'s lessons all or nothing (SIMULATED servers)', () => {
  it('leaves the workspace byte-for-byte unchanged when the visual writer\'s model call fails after the logic writer answered', async () => {
    failing = new Set();
    await solve(options('writer.db', false)); // creates the workspace, writes nothing
    const before = await exported('writer.db');
    failing = new Set(['write_visual_lesson']);
    seen.length = 0;
    await expect(solve(options('writer.db'))).rejects.toThrow();
    expect(seen, 'the logic writer was asked before the outage').toContain('write_logic_lesson');
    expect(await exported('writer.db'), 'the logic lesson did not reach the workspace').toBe(before);
  });
});
