/**
 * mmevolve as a library: evolve a segmentation prompt for one image and query, then answer a question with
 * the memory method. Run: `npx tsx examples/library.ts [--config FILE IMAGE "QUERY" "QUESTION"]`.
 * With a config the backends are your model servers (README "Configuration"); without one the example
 * starts SynthWorld's SIMULATED servers and draws a SynthWorld scene, so it runs anywhere. An application
 * imports the same names from 'mmevolve', and the simulator's from 'mmevolve/sim' (package.json "exports").
 */
import { pathToFileURL } from 'node:url';
import { evolveSegment, loadAppConfig, openWorkspace, parseAppConfig, readImage, solveWithMemory } from '../src/index.js';
import type { MemoryProblem, RgbImage, SegmentationResult, SolveResult, Workspace } from '../src/index.js';
import { SIM_EMBEDDING_MODEL, buildReasonSegSample, buildVqaSample, startSimStack } from '../src/sim/index.js';
import type { SimStack } from '../src/sim/index.js';

export interface LibraryExampleResult {
  simulated: boolean;
  segmentation: SegmentationResult;
  solved: SolveResult;
}

/** The workspace of a config file, or of freshly started simulated servers (closed by the caller). */
async function workspaceFor(configPath: string | undefined): Promise<{ workspace: Workspace; sims?: SimStack }> {
  if (configPath !== undefined) return { workspace: openWorkspace(await loadAppConfig(configPath)) };
  const sims = await startSimStack({ preset: 'oracle' });
  const config = parseAppConfig({
    backends: {
      mllm: { baseURL: `${sims.mllm.url}/v1`, model: sims.mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
      segmenter: { baseURL: sims.segmenter.url },
      embedder: { kind: 'openai', baseURL: `${sims.embeddings.url}/v1`, model: SIM_EMBEDDING_MODEL, vectorKind: 'lexical-perceptual' },
    },
    cache: { enabled: false },
    // The lesson store lives in memory here; a path (the default .mmevolve/memory.sqlite) keeps it.
    store: { kind: 'sqlite', path: ':memory:' },
  });
  return { workspace: openWorkspace(config), sims };
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
  const { workspace, sims } = await workspaceFor(options.configPath);
  const simulated = sims !== undefined;
  try {
    const backends = workspace.segmentation();
    const mllm = workspace.requireMllm();
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
      backends,
      // The config's evolve section over its preset (the one default of every surface when it names none).
      config: workspace.evolve().config,
      onEvent: (event) => {
        if (event.type === 'generation-end') say(`  generation ${event.generation} done`);
      },
    });
    const area = segmentation.mask.data.reduce((sum, value) => sum + value, 0);
    say(`segment "${query}": ${area} px from phrase "${segmentation.phrase ?? '(box prompt)'}", ${segmentation.calls.length} backend calls`);

    // The workspace's lesson store is made for its embedder on first use (in memory here).
    const store = await workspace.store();
    const embedder = workspace.embedder;
    if (embedder === undefined) throw new Error('the example needs backends.embedder in the config');
    const problem = simulated ? simulatedProblem() : { id: 'example-1', question: options.question ?? 'What is shown in the image?', options: [], image, imageRef: options.imagePath ?? 'image' };
    const solved = await solveWithMemory(problem, { mllm, embedder, memory: store.forTenant('example'), mode: 'memory', config: workspace.memory() });
    const verdict = solved.verdict === undefined ? '' : ` (${solved.verdict.correct ? 'correct' : 'wrong'}, ${solved.lessonsWritten.length} lessons written)`;
    say(`solve "${problem.question.split('\n')[0] ?? ''}": answer ${solved.finalAnswer ?? '(none)'}${verdict}; ${solved.lessonsUsed.length} lessons used`);
    return { simulated, segmentation, solved };
  } finally {
    await workspace.close();
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
