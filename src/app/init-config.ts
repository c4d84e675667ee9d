/**
 * `mmevolve init [--for vllm|ollama|openai]`: a commented mmevolve.config.yaml for a local vLLM server, a
 * local Ollama, or a hosted OpenAI-compatible API. Every key it writes is a key of the app schema
 * (src/app/config.ts); a test parses each template, so the comments cannot drift from the schema silently.
 */
import { DEFAULT_EVOLVE_PRESET } from '../evolve/index.js';
import { DEFAULT_MEMORY_DB_PATH } from '../memory/index.js';

export const INIT_TARGETS = ['vllm', 'ollama', 'openai'] as const;
export type InitTarget = (typeof INIT_TARGETS)[number];

interface Target {
  title: string;
  baseURL: string;
  model: string;
  /** The line under `model:` explaining where the id comes from. */
  modelNote: string;
  apiKeyEnv?: string;
  start: string;
}

const TARGETS: Record<InitTarget, Target> = {
  vllm: {
    title: 'a local vLLM server (OpenAI-compatible, /v1)',
    baseURL: 'http://127.0.0.1:8000/v1',
    model: 'Qwen/Qwen2.5-VL-7B-Instruct',
    modelNote: 'the id vLLM serves (`vllm serve Qwen/Qwen2.5-VL-7B-Instruct`); GET /v1/models lists it',
    start: 'vllm serve Qwen/Qwen2.5-VL-7B-Instruct --port 8000',
  },
  ollama: {
    title: "a local Ollama (its OpenAI-compatible API at /v1)",
    baseURL: 'http://127.0.0.1:11434/v1',
    model: 'qwen2.5vl:7b',
    modelNote: 'an Ollama model tag with vision (`ollama pull qwen2.5vl:7b`)',
    start: 'ollama serve   # then: ollama pull qwen2.5vl:7b',
  },
  openai: {
    title: 'a hosted OpenAI-compatible API',
    baseURL: 'https://api.openai.com/v1',
    model: 'gpt-4o-mini',
    modelNote: 'any vision model id the API serves',
    apiKeyEnv: 'OPENAI_API_KEY',
    start: 'export OPENAI_API_KEY=sk-...   # the key stays in the environment, never in this file',
  },
};

/** The commented YAML for one target. */
export function initConfigText(target: InitTarget): string {
  const t = TARGETS[target];
  const key = t.apiKeyEnv === undefined
    ? '    # apiKeyEnv: MY_KEY        # the variable holding the key, if the server wants one (default MMEVOLVE_API_KEY, else OPENAI_API_KEY)'
    : `    apiKeyEnv: ${t.apiKeyEnv}   # the variable holding the key; the key itself never goes in this file`;
  return `# mmevolve.config.yaml for ${t.title}, written by \`mmevolve init --for ${target}\`.
# Start the model server first:  ${t.start}
# Then check it:                 mmevolve backends check
# Every key is optional unless marked; an unknown key is an error that names the nearest valid one.
# Command-line flags (--base-url, --model, --api-key-env, --segmenter-url, --embedder-url) override this file.

backends:
  # The multimodal LLM every method asks (required for segment, eval, solve).
  mllm:
    baseURL: ${t.baseURL}
    model: ${t.model}   # ${t.modelNote}
${key}
    # profile: auto            # image framing and box format; auto detects the family from the id (mmevolve model-info lists them)
    # supportsJsonSchema: true # set false when the server ignores response_format json_schema
    # timeoutMs: 120000
    # concurrency: 4
    # replicas: [http://10.0.0.2:8000/v1]   # more servers of this model: calls spread by fewest outstanding, a failing one skipped

  # A second model that judges (arena fights, verification); the mllm when absent.
  # judge:
  #   baseURL: ${t.baseURL}
  #   model: ${t.model}

  # A SAM 3 server (segment, eval). \`mmevolve sim serve-segmenter\` starts a SIMULATED one for trying things out.
  # segmenter:
  #   baseURL: http://127.0.0.1:9001

  # An OpenAI-compatible embeddings server for the memory method (solve, eval-vqa).
  # embedder:
  #   kind: openai
  #   baseURL: http://127.0.0.1:8002/v1
  #   model: Qwen/Qwen3-Embedding-0.6B
  # or the built-in lexical/perceptual embedder (no server; not semantic):
  # embedder:
  #   kind: offline

# Identical deterministic calls are answered from this cache; --no-cache bypasses it for one command.
cache:
  enabled: true
  path: .mmevolve/cache.sqlite

# Evolutionary segmentation: a preset, then any field of the evolve config over it.
evolve:
  preset: ${DEFAULT_EVOLVE_PRESET}   # improved (paper settings + our fixes; the default everywhere) or published (paper settings)
  # populationSize: 4
  # stopping:
  #   maxGenerations: 2

# The dual-stream error memory (ViLoMem defaults).
# memory:
#   retrieval:
#     logic: { k: 3, minScore: 0.7 }
#     visual: { k: 3, minScore: 0.7, imageCandidates: 10, minImageScore: -1 }

# Where lessons live.
store:
  kind: sqlite
  path: ${DEFAULT_MEMORY_DB_PATH}

# mmevolve serve (its flags override these).
# server:
#   host: 127.0.0.1
#   port: 8080
`;
}
