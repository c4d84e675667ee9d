/**
 * The three signals that make the memory method write lessons — a gold answer, feedback sent after the
 * answer, and the model's own check (label-free) — over loopback against SIMULATED MLLM and embeddings
 * servers; every written version records its signal in its provenance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAICompatibleClient, createOpenAIEmbedder } from '../../backends/index.js';
import type { Embedder, LessonSignal, MllmClient, TenantMemory } from '../../core/index.js';
import { SIM_EMBEDDING_MODEL, TRAP_ALWAYS_NOISE, resolveSimConfig, scenesWithTrap, startSimEmbeddingsServer, startSimMllmServer } from '../../sim/index.js';
import type { SimEmbeddingsServer, SimMllmServer } from '../../sim/index.js';
import { openMemoryStore } from '../store/index.js';
import type { SqliteMemoryStore } from '../store/index.js';
import { parseMemoryMethodConfig } from './config.js';
import { learnFromAnswer } from './learn.js';
import type { MemoryProblem } from './problem.js';
import { solveWithMemory } from './solve.js';

let trapServer: SimMllmServer;
let slipServer: SimMllmServer;
let embeddingsServer: SimEmbeddingsServer;
let trapModel: MllmClient;
let slipModel: MllmClient;
let embedder: Embedder;
let store: SqliteMemoryStore;

const client = (server: SimMllmServer): MllmClient => createOpenAICompatibleClient({ baseURL: `${server.url}/v1`, model: server.modelId, apiKey: 'unused' });

beforeAll(async () => {
  // One model always falls into the problem's trap (a persistent misreading); the other only slips now and then.
  trapServer = await startSimMllmServer({ config: resolveSimConfig({ preset: 'oracle', noise: TRAP_ALWAYS_NOISE }), host: '127.0.0.1', port: 0 });
  slipServer = await startSimMllmServer({ config: resolveSimConfig({ preset: 'oracle', noise: { perCallErrorRate: 0.5 } }), host: '127.0.0.1', port: 0 });
  embeddingsServer = await startSimEmbeddingsServer({ host: '127.0.0.1', port: 0 });
  trapModel = client(trapServer);
  slipModel = client(slipServer);
  embedder = createOpenAIEmbedder({ baseURL: `${embeddingsServer.url}/v1`, model: SIM_EMBEDDING_MODEL });
  const dimensions = (await embedder.embedTexts(['probe']))[0]?.length ?? 0;
  store = openMemoryStore({ path: ':memory:', dimensions, embeddingModel: embedder.model });
});

afterAll(async () => {
  await store.close();
  await trapServer.close();
  await slipServer.close();
  await embeddingsServer.close();
});

function problems(count: number): MemoryProblem[] {
  return scenesWithTrap('occlusion', count).map(({ seed, rendered, problem }) => ({
    id: `scene-${seed}`,
    question: problem.question,
    options: problem.options,
    image: rendered.image,
    imageRef: `scene-${seed}.png`,
    answer: problem.answer,
  }));
}

function withoutGold(problem: MemoryProblem): MemoryProblem {
  const { answer: _gold, ...rest } = problem;
  return rest;
}

async function signalsOf(memory: TenantMemory, ids: readonly string[]): Promise<(LessonSignal | undefined)[]> {
  const lessons = await Promise.all(ids.map((id) => memory.get(id)));
  return lessons.map((lesson) => lesson?.provenance.signal);
}

const context = (mllm: MllmClient, labelFree = false) => ({ mllm, config: parseMemoryMethodConfig({ labelFree }), calls: [], warnings: [] });
const BOTH = new Set(['logic', 'visual'] as const);

describe('learning from gold, feedback and the model\'s own check', () => {
  it('records signal "gold" on lessons written from a gold answer', async () => {
    const memory = store.forTenant('gold');
    const [problem] = problems(1);
    if (problem === undefined) throw new Error('no occlusion scene');
    const result = await solveWithMemory(problem, { mllm: trapModel, embedder, memory, mode: 'memory' });
    expect(result.learnedFrom).toBe('gold');
    expect(result.verdict?.correct, 'the trap model falls into the trap').toBe(false);
    expect(result.lessonsWritten.length, 'a wrong answer with gold writes lessons').toBeGreaterThan(0);
    expect(await signalsOf(memory, result.lessonsWritten.map((lesson) => lesson.id))).toEqual(result.lessonsWritten.map(() => 'gold'));
  });

  it('writes lessons with signal "feedback" for a verdict sent after the answer, and nothing for "correct"', async () => {
    const memory = store.forTenant('feedback');
    const [problem] = problems(1);
    if (problem === undefined) throw new Error('no occlusion scene');
    const asked = withoutGold(problem);
    const answered = await solveWithMemory(asked, { mllm: trapModel, embedder, memory, mode: 'memory' });
    expect(answered.learnedFrom, 'no gold, no label-free: nothing judges the answer at solve time').toBeUndefined();
    const options = { context: context(trapModel), memory, embedder, streams: BOTH, learn: true };
    const praised = await learnFromAnswer({ problem: asked, response: answered.response }, { signal: 'feedback', verdict: 'correct' }, options);
    expect(praised.correct).toBe(true);
    expect(praised.outcomes, 'a "correct" verdict writes nothing').toEqual([]);
    const blamed = await learnFromAnswer({ problem: asked, response: answered.response }, { signal: 'feedback', verdict: 'incorrect' }, options);
    expect(blamed.correct).toBe(false);
    expect(blamed.analysis?.fromModel, 'the analysis the proxy never ran is asked for before writing').toBe(true);
    const ids = blamed.outcomes.map((outcome) => outcome.lesson.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(await signalsOf(memory, ids)).toEqual(ids.map(() => 'feedback'));
  });

  it('verifies a gold answer sent as feedback with the same rules as /v1/solve', async () => {
    const memory = store.forTenant('feedback-gold');
    const [problem] = problems(1);
    if (problem === undefined || problem.answer === undefined) throw new Error('no occlusion scene');
    const asked = withoutGold(problem);
    const answered = await solveWithMemory(asked, { mllm: trapModel, embedder, memory, mode: 'memory' });
    const options = { context: context(trapModel), memory, embedder, streams: BOTH, learn: true };
    const outcome = await learnFromAnswer({ problem: asked, response: answered.response }, { signal: 'feedback', answer: problem.answer }, options);
    expect(outcome.verdict?.rule, 'the MATH-V rules decided').toBe('no-match');
    expect(outcome.outcomes.length).toBeGreaterThan(0);
  });

  it('label-free: the model\'s own check never catches a misreading it keeps making', async () => {
    const memory = store.forTenant('label-free-trap');
    const results = [];
    for (const problem of problems(3)) results.push(await solveWithMemory(withoutGold(problem), { mllm: trapModel, embedder, memory, mode: 'memory', config: { labelFree: true } }));
    expect(results.map((result) => result.learnedFrom)).toEqual(['label-free', 'label-free', 'label-free']);
    expect(results.map((result) => result.selfCheck?.verdict), 'the check works the problem again and falls into the same trap').toEqual(['correct', 'correct', 'correct']);
    expect(results.flatMap((result) => result.lessonsWritten)).toEqual([]);
  });

  it('label-free: a slip the check does not repeat writes lessons with signal "label-free"', async () => {
    const memory = store.forTenant('label-free-slip');
    const stream = problems(8);
    const results = [];
    for (const problem of stream) results.push(await solveWithMemory(withoutGold(problem), { mllm: slipModel, embedder, memory, mode: 'memory', config: { labelFree: true } }));
    const flagged = results.filter((result) => result.selfCheck?.verdict === 'incorrect');
    expect(flagged.length, `self-check verdicts: ${results.map((result) => result.selfCheck?.verdict).join(', ')}`).toBeGreaterThan(0);
    const ids = flagged.flatMap((result) => [...result.lessonsWritten, ...result.lessonsMerged].map((lesson) => lesson.id));
    expect(ids.length, 'answers the check found wrong wrote lessons').toBeGreaterThan(0);
    expect(new Set(await signalsOf(memory, ids))).toEqual(new Set(['label-free']));
  });
});
