/** What every model call of one solve shares: the MLLM, the config, and where calls and warnings are collected. */
import type { CallRecord, ChatRequest, ChatResult, MllmClient, Warning } from '../../core/index.js';
import type { MemoryMethodConfig } from './config.js';

export interface CallContext {
  mllm: MllmClient;
  config: MemoryMethodConfig;
  calls: CallRecord[];
  warnings: Warning[];
  signal?: AbortSignal;
}

/** Temperature, seed and signal of the config, for a chat request. */
export function callSettings(context: CallContext): { temperature: number; seed?: number; signal?: AbortSignal } {
  return {
    temperature: context.config.solver.temperature,
    ...(context.config.solver.seed === undefined ? {} : { seed: context.config.solver.seed }),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  };
}

/** One chat request with the context's temperature, seed and signal; on success its call and warnings are recorded. */
export async function recordedChat<T>(context: CallContext, request: Omit<ChatRequest<T>, 'temperature' | 'seed' | 'signal'>): Promise<ChatResult<T>> {
  const result = await context.mllm.chat({ ...request, ...callSettings(context) });
  context.calls.push(result.call);
  context.warnings.push(...result.warnings);
  return result;
}
