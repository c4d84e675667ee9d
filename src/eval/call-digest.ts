/**
 * What one sample's backend calls cost, small enough for one results line yet enough to recompute every
 * calls/tokens/latency figure of a report (overall and per stage) from results.jsonl alone.
 */
import { z } from 'zod';
import type { CallRecord } from '../core/index.js';

const stageDigestSchema = z.object({
  calls: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  /** Summed latency of the stage's calls (cache hits count ≈ 0). */
  latencyMs: z.number(),
  cacheHits: z.number(),
  /** Tokens of answers the response cache served (not spent again); absent in lines written before it was counted. */
  cachedTokens: z.number().optional(),
  failures: z.number(),
});
export type StageDigest = z.infer<typeof stageDigestSchema>;

export const callDigestSchema = stageDigestSchema.extend({
  byStage: z.record(z.string(), stageDigestSchema),
  /** By backend role: the part of CallRecord.backend before ':' (mllm, judge, segmenter, embedder). */
  byBackend: z.record(z.string(), stageDigestSchema).optional(),
});
export type CallDigest = z.infer<typeof callDigestSchema>;

function emptyStage(): StageDigest {
  return { calls: 0, promptTokens: 0, completionTokens: 0, latencyMs: 0, cacheHits: 0, failures: 0 };
}

function add(target: StageDigest, call: CallRecord): void {
  target.calls += 1;
  target.promptTokens += call.promptTokens;
  target.completionTokens += call.completionTokens;
  target.latencyMs += call.latencyMs;
  if (call.cacheHit) target.cacheHits += 1;
  if (call.cachedTokens !== undefined) target.cachedTokens = (target.cachedTokens ?? 0) + call.cachedTokens;
  if (call.errorCode !== undefined) target.failures += 1;
}

export function digestCalls(calls: readonly CallRecord[]): CallDigest {
  const total = emptyStage();
  const byStage: Record<string, StageDigest> = {};
  const byBackend: Record<string, StageDigest> = {};
  for (const call of calls) {
    add(total, call);
    add((byStage[call.stage] ??= emptyStage()), call);
    add((byBackend[backendRole(call.backend)] ??= emptyStage()), call);
  }
  return { ...total, byStage: sorted(byStage), byBackend: sorted(byBackend) };
}

export function backendRole(backend: string): string {
  const colon = backend.indexOf(':');
  return colon < 0 ? backend : backend.slice(0, colon);
}

function sorted(record: Record<string, StageDigest>): Record<string, StageDigest> {
  return Object.fromEntries(Object.entries(record).sort(([left], [right]) => left.localeCompare(right)));
}

/** Sum digests (report totals across samples). */
export function sumDigests(digests: readonly CallDigest[]): CallDigest {
  const total = emptyStage();
  const byStage: Record<string, StageDigest> = {};
  const byBackend: Record<string, StageDigest> = {};
  const merge = (target: StageDigest, source: StageDigest): void => {
    target.calls += source.calls;
    target.promptTokens += source.promptTokens;
    target.completionTokens += source.completionTokens;
    target.latencyMs += source.latencyMs;
    target.cacheHits += source.cacheHits;
    if (source.cachedTokens !== undefined) target.cachedTokens = (target.cachedTokens ?? 0) + source.cachedTokens;
    target.failures += source.failures;
  };
  for (const digest of digests) {
    merge(total, digest);
    for (const [stage, stageDigest] of Object.entries(digest.byStage)) merge((byStage[stage] ??= emptyStage()), stageDigest);
    for (const [role, roleDigest] of Object.entries(digest.byBackend ?? {})) merge((byBackend[role] ??= emptyStage()), roleDigest);
  }
  return { ...total, byStage: sorted(byStage), byBackend: sorted(byBackend) };
}

/** The numeric fields of a counters object (engines return typed interfaces; the line keeps plain numbers). */
export function numericFields(value: object): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, item] of Object.entries(value)) if (typeof item === 'number' && Number.isFinite(item)) result[key] = item;
  return result;
}
