/**
 * /healthz: is each configured backend reachable? A probe is a cheap call with a short deadline; any HTTP
 * answer from the segmenter counts as reachable (SAM 3 servers have no standard health route).
 */
import type { Backends } from '../backends/index.js';

export type HealthProbe = (signal: AbortSignal) => Promise<void>;

export interface BackendHealth {
  name: string;
  reachable: boolean;
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  /** SynthWorld's simulated servers answer (model ids "sim-…"): numbers describe the methods, not a model. */
  simulated: boolean;
  /** Backend role → model id. */
  models: Record<string, string>;
  backends: BackendHealth[];
}

export function backendModels(backends: Backends | undefined): Record<string, string> {
  const models: Record<string, string> = {};
  for (const role of ['mllm', 'judge', 'segmenter', 'embedder'] as const) {
    const model = backends?.[role]?.model;
    if (model !== undefined) models[role] = model;
  }
  return models;
}

export function probesFor(backends: Backends | undefined, segmenterURL?: string, fetchImpl: typeof fetch = fetch): Record<string, HealthProbe> {
  const probes: Record<string, HealthProbe> = {};
  const mllm = backends?.mllm;
  if (mllm !== undefined) probes['mllm'] = async (signal) => void (await mllm.listModels(signal));
  const judge = backends?.judge;
  if (judge !== undefined && judge !== mllm) probes['judge'] = async (signal) => void (await judge.listModels(signal));
  const embedder = backends?.embedder;
  if (embedder !== undefined) probes['embedder'] = async (signal) => void (await embedder.embedTexts(['health check'], { signal, stage: 'health' }));
  if (backends?.segmenter !== undefined && segmenterURL !== undefined) {
    probes['segmenter'] = async (signal) => {
      const response = await fetchImpl(segmenterURL, { signal });
      await response.body?.cancel();
    };
  }
  return probes;
}

export async function checkHealth(probes: Record<string, HealthProbe>, timeoutMs: number, models: Record<string, string> = {}): Promise<HealthReport> {
  const results = await Promise.all(
    Object.entries(probes).map(async ([name, probe]): Promise<BackendHealth> => {
      const started = performance.now();
      try {
        await probe(AbortSignal.timeout(timeoutMs));
        return { name, reachable: true, latencyMs: Math.round(performance.now() - started) };
      } catch (error) {
        return { name, reachable: false, latencyMs: Math.round(performance.now() - started), error: error instanceof Error ? error.message.slice(0, 300) : String(error) };
      }
    }),
  );
  return {
    status: results.every((result) => result.reachable) ? 'ok' : 'degraded',
    simulated: Object.values(models).some((model) => model.startsWith('sim-')),
    models,
    backends: results,
  };
}
