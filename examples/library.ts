/**
 * mmevolve as a library: evolve a segmentation prompt for one image and query, then answer a question with
 * the memory method. Run: `npx tsx examples/library.ts [--config FILE IMAGE "QUERY" "QUESTION"]`.
 * With a config the backends are your model servers (README "Configuration"); without one the example
 * starts SynthWorld's SIMULATED servers and draws a SynthWorld scene, so it runs anywhere. An application
 * imports the same names from 'mmevolve', and the simulator's from 'mmevolve/sim' (package.json "exports").
 */
import { pathToFileURL } from 'node:url';
import { createBackends, evolveSegment, loadConfig, openMemoryStore, parseConfig, readImage, resolveEvolveConfig, solveWithMemory } from '../src/index.js';
import type { Backends, MemoryProblem, RgbImage, SegmentationResult, SolveResult } from '../src/index.js';
import { SIM_EMBEDDING_MODEL, buildReasonSegSample, buildVqaSample, startSimStack } from '../src/sim/index.js';
import type { SimStack } from '../src/sim/index.js';

export interface LibraryExampleResult {
  simulated: boolean;
  segmentation: SegmentationResult;
  solved: SolveResult;
}

/** Backends from a config file, or from freshly started simulated servers (closed by the caller). */
async function backendsFor(configPath: string | undefined): Promise<{ backends: Backends; sims?: SimStack }> {
  if (configPath !== undefined) return { backends: createBackends((await loadConfig(configPath)).config) };
  const sims = await startSimStack({ preset: 'oracle' });
  const config = parseConfig({
    backends: {
      mllm: { baseURL: `${sims.mllm.url}/v1`, model: sims.mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
      segmenter: { baseURL: sims.segmenter.url },
      embedder: { kind: 'openai', baseURL: `${sims.embeddings.url}/v1`, model: SIM_EMBEDDING_MODEL, vectorKind: 'lexical-perceptual' },
    },
    cache: { enabled: false },
  });
  return { backends: createBackends(config), sims };
}

/** A SynthWorld VQA problem with its gold answer, so the memory method verifies and, when wrong, learns. */
function simulatedProblem(): MemoryProblem {
  const { rendered, problem } = buildVqaSample(7, 0);
  return { id: 'synth-vqa-0', question: problem.question, options: problem.options, answer: problem.answer, image: rendered.image, imageRef: 'synth-vqa-0' };
}

export async function runLibraryExample(
  options: { configPath?: string; imagePath?: string; query?: string; question?: string; say?: (line: string) => void } = {},
): Promise<LibraryExampleResult> {
  const say = options.say ?? ((line: string) => console.log(line));
  const { backends, sims } = await backendsFor(options.configPath);
  const simulated = sims !== undefined;
  try {
    const { mllm, segmenter, embedder } = backends;
    if (mllm === undefined || segmenter === undefined || embedder === undefined) {
      throw new Error('the example needs backends.mllm, backends.segmenter and backends.embedder in the config');
    }
    let image: RgbImage;
    let query: string;
    if (options.imagePath !== undefined) {
      image = await readImage(options.imagePath);
      query = options.query ?? 'the object in the centre';
    } else {
      const sample = buildReasonSegSample(7, 0);
      image = sample.rendered.image;
      query = options.query ?? sample.query.query;
    }
    if (simulated) say('SIMULATED backends (SynthWorld): the output describes the simulation, not a real model.');

    const segmentation = await evolveSegment(image, query, {
      backends: { mllm, judge: backends.judge ?? mllm, segmenter },
      config: resolveEvolveConfig('improved'),
      onEvent: (event) => {
        if (event.type === 'generation-end') say(`  generation ${event.generation} done`);
      },
    });
    const area = segmentation.mask.data.reduce((sum, value) => sum + value, 0);
    say(`segment "${query}": ${area} px from phrase "${segmentation.phrase ?? '(box prompt)'}", ${segmentation.calls.length} backend calls`);

    // A workspace is created for one embedding model and its vector size (here in memory; a path keeps it).
    const [probe] = await embedder.embedTexts(['dimension probe']);
    const store = openMemoryStore({ path: ':memory:', embeddingModel: embedder.model, dimensions: probe?.length ?? 0 });
    try {
      const problem = simulated ? simulatedProblem() : { id: 'example-1', question: options.question ?? 'What is shown in the image?', options: [], image, imageRef: options.imagePath ?? 'image' };
      const solved = await solveWithMemory(problem, { mllm, embedder, memory: store.forTenant('example'), mode: 'memory' });
      const verdict = solved.verdict === undefined ? '' : ` (${solved.verdict.correct ? 'correct' : 'wrong'}, ${solved.lessonsWritten.length} lessons written)`;
      say(`solve "${problem.question.split('\n')[0] ?? ''}": answer ${solved.finalAnswer ?? '(none)'}${verdict}; ${solved.lessonsUsed.length} lessons used`);
      return { simulated, segmentation, solved };
    } finally {
      store.close();
    }
  } finally {
    backends.close();
    await sims?.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const configIndex = args.indexOf('--config');
  const configPath = configIndex >= 0 ? args[configIndex + 1] : undefined;
  const rest = configIndex >= 0 ? args.filter((_, index) => index !== configIndex && index !== configIndex + 1) : args;
  await runLibraryExample({
    ...(configPath === undefined ? {} : { configPath }),
    ...(rest[0] === undefined ? {} : { imagePath: rest[0] }),
    ...(rest[1] === undefined ? {} : { query: rest[1] }),
    ...(rest[2] === undefined ? {} : { question: rest[2] }),
  });
}
