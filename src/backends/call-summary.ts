/** Accounting: what a run's backend calls cost, overall and per stage. */
import type { CallRecord } from '../core/index.js';

export interface CallStatistics {
  calls: number;
  cacheHits: number;
  failures: number;
  retries: number;
  repairs: number;
  /** Tokens spent: fresh calls only (a cache hit spends none). */
  promptTokens: number;
  completionTokens: number;
  /** What the cache hits' answers cost when they were fresh (prompt + completion): saved, not spent. */
  cachedTokens: number;
  /** Latency of calls that reached a server (cache hits excluded). */
  latencyMs: { total: number; p50: number; p95: number; max: number };
  failuresByCode: Record<string, number>;
}

export interface CallSummary {
  total: CallStatistics;
  byStage: Record<string, CallStatistics>;
  byBackend: Record<string, CallStatistics>;
}

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

function statistics(records: readonly CallRecord[]): CallStatistics {
  const latencies = records.filter((record) => !record.cacheHit).map((record) => record.latencyMs).sort((left, right) => left - right);
  const failuresByCode: Record<string, number> = {};
  for (const record of records) {
    if (record.errorCode !== undefined) failuresByCode[record.errorCode] = (failuresByCode[record.errorCode] ?? 0) + 1;
  }
  const sum = (pick: (record: CallRecord) => number): number => records.reduce((total, record) => total + pick(record), 0);
  return {
    calls: records.length,
    cacheHits: records.filter((record) => record.cacheHit).length,
    failures: records.filter((record) => record.errorCode !== undefined).length,
    retries: sum((record) => record.retries),
    repairs: sum((record) => record.repairs),
    promptTokens: sum((record) => record.promptTokens),
    completionTokens: sum((record) => record.completionTokens),
    cachedTokens: sum((record) => record.cachedTokens ?? 0),
    latencyMs: {
      total: latencies.reduce((total, value) => total + value, 0),
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      max: latencies.at(-1) ?? 0,
    },
    failuresByCode,
  };
}

function grouped(records: readonly CallRecord[], key: (record: CallRecord) => string): Record<string, CallStatistics> {
  const groups = new Map<string, CallRecord[]>();
  for (const record of records) groups.set(key(record), [...(groups.get(key(record)) ?? []), record]);
  return Object.fromEntries([...groups].sort(([left], [right]) => left.localeCompare(right)).map(([name, group]) => [name, statistics(group)]));
}

export function summarizeCalls(records: readonly CallRecord[]): CallSummary {
  return {
    total: statistics(records),
    byStage: grouped(records, (record) => record.stage),
    byBackend: grouped(records, (record) => record.backend),
  };
}


/**
 * One line for a command's output: calls split into fresh ones and cache hits, the tokens spent (fresh
 * only) and, apart, what the cache hits stood for — so a cached rerun never reads as a cheap model.
 */
export function formatCallCosts(records: readonly CallRecord[]): string {
  const total = statistics(records);
  const fresh = total.calls - total.cacheHits;
  const spent = `tokens spent ${total.promptTokens} prompt + ${total.completionTokens} completion`;
  if (total.cacheHits === 0) return `calls: ${total.calls} (all fresh); ${spent}`;
  return `calls: ${total.calls} (${fresh} fresh, ${total.cacheHits} cache hits); ${spent}; the cache hits stood for ${total.cachedTokens} more tokens, not spent now (--no-cache to call fresh)`;
}
