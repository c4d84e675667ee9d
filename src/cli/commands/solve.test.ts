import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../memory/index.js';
import { SIM_EMBEDDING_MODEL, TRAP_ALWAYS_NOISE, resolveSimConfig, scenesWithTrap, startSimEmbeddingsServer, startSimMllmServer } from '../../sim/index.js';
import type { SimEmbeddingsServer, SimMllmServer, VqaProblem } from '../../sim/index.js';
import { writeImage } from '../../vision/index.js';
import { parseOptionsArgument, runSolveCommand } from './solve.js';
import type { SolveCommandOptions } from './solve.js';

let mllmServer: SimMllmServer;
let embeddingsServer: SimEmbeddingsServer;
let directory: string;
let problem: VqaProblem;

beforeAll(async () => {
  // SIMULATED servers: the model always falls into a problem's trap unless a lesson addresses it.
  const config = resolveSimConfig({ preset: 'oracle', noise: TRAP_ALWAYS_NOISE });
  mllmServer = await startSimMllmServer({ config, host: '127.0.0.1', port: 0 });
  embeddingsServer = await startSimEmbeddingsServer({ host: '127.0.0.1', port: 0 });
  directory = await mkdtemp(join(tmpdir(), 'mmevolve-solve-'));
  const settings = {
    backends: {
      mllm: { baseURL: `${mllmServer.url}/v1`, model: mllmServer.modelId },
      embedder: { kind: 'openai', baseURL: `${embeddingsServer.url}/v1`, model: SIM_EMBEDDING_MODEL, vectorKind: 'lexical-perceptual' },
    },
    cache: { enabled: false },
    memory: { retrieval: { logic: { minScore: 0.25 }, visual: { minScore: 0.25 } } },
  };
  await writeFile(join(directory, 'mmevolve.config.json'), JSON.stringify(settings));
  const [scene] = scenesWithTrap('occlusion', 1);
  if (scene === undefined) throw new Error('no SynthWorld scene below seed 500 has an occlusion-trap problem');
  problem = scene.problem;
  await writeImage(join(directory, 'figure.png'), scene.rendered.image);
});

afterAll(async () => {
  await mllmServer.close();
  await embeddingsServer.close();
  await rm(directory, { recursive: true, force: true });
});

function options(overrides: Partial<SolveCommandOptions> = {}): SolveCommandOptions {
  const base: SolveCommandOptions = {
    image: join(directory, 'figure.png'),
    question: problem.question,
    tenant: 'cli-test',
    db: join(directory, 'memory.db'),
    config: join(directory, 'mmevolve.config.json'),
    mode: 'memory',
    learn: true,
    ...overrides,
  };
  if (problem.options.length > 0 && overrides.options === undefined) base.options = JSON.stringify(problem.options);
  return base;
}

async function run(commandOptions: SolveCommandOptions): Promise<{ stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  await runSolveCommand(commandOptions, { stdout: (text) => out.push(text), stderr: (text) => err.push(text) });
  return { stdout: out.join(''), stderr: err.join('') };
}

describe('mmevolve solve', () => {
  it('prints the answer, the lessons used and the reasoning, and writes nothing without --answer', async () => {
    const { stdout } = await run(options());
    expect(stdout).toMatch(/^answer: \S+/);
    expect(stdout).toContain('lessons used (0):');
    expect(stdout).toContain('reasoning:\n(simulated reasoning)');
    expect(stdout).not.toContain('lesson written');
    expect(existsSync(join(directory, 'memory.db')), 'the workspace is created on first use').toBe(true);
  });

  it('verifies against --answer and writes lessons when the answer was wrong', async () => {
    const { stdout } = await run(options({ answer: problem.answer }));
    expect(stdout).toContain('verdict: wrong');
    expect(stdout).toMatch(/lesson written \[visual\] les_\w+: /);
    const store = openMemoryStore({ path: join(directory, 'memory.db') });
    try {
      expect((await store.forTenant('cli-test').stats()).lessons).toBeGreaterThan(0);
      expect((await store.forTenant('someone-else').stats()).lessons, 'lessons stay in the tenant that wrote them').toBe(0);
    } finally {
      await store.close();
    }
  });

  it('uses the written lessons the next time and prints them with their scores', async () => {
    const { stdout } = await run(options({ answer: problem.answer }));
    expect(stdout).toMatch(/lessons used \([1-9]\d*\):\n {2}\[(visual|logic)\] les_\w+ v\d+ \(score \d\.\d\d/);
    expect(stdout).toContain('verdict: correct');
  });

  it('with --label-free and no --answer, prints the model\'s own check of its answer', async () => {
    const { stdout } = await run(options({ labelFree: true, tenant: 'cli-label-free' }));
    // The trap model works the problem again and falls into the same trap: its check agrees, nothing is written.
    expect(stdout).toMatch(/self-check \(label-free\): agrees \(it reached \S+; rule /);
    expect(stdout).not.toContain('lesson written');
  });

  it('prints the whole result as JSON with --json', async () => {
    const { stdout } = await run(options({ json: true, mode: 'step' }));
    const parsed = JSON.parse(stdout) as { mode: string; calls: unknown[]; problem: { question: string } };
    expect(parsed.mode).toBe('step');
    expect(parsed.calls).toHaveLength(1);
    expect(parsed.problem.question).toBe(problem.question);
  });

  it('reads --options as a comma list or as a JSON array', () => {
    expect(parseOptionsArgument('red, blue,green')).toEqual(['red', 'blue', 'green']);
    expect(parseOptionsArgument('["1 and 5", "2, 3 and 5"]')).toEqual(['1 and 5', '2, 3 and 5']);
    expect(() => parseOptionsArgument('[1, 2]')).toThrow(/array of strings/);
  });
});
