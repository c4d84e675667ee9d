import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../core/index.js';
import { formatCallCosts, percentile, summarizeCalls } from './call-summary.js';

function call(stage: string, latencyMs: number, extra: Partial<CallRecord> = {}): CallRecord {
  return { stage, backend: 'mllm:m', latencyMs, promptTokens: 10, completionTokens: 2, cacheHit: false, retries: 0, repairs: 0, ...extra };
}

describe('summarizeCalls', () => {
  it('totals tokens, retries, repairs, cache hits and failures per run and per stage', () => {
    const summary = summarizeCalls([
      call('plan', 100),
      call('plan', 300, { retries: 2 }),
      call('judge', 50, { cacheHit: true }),
      call('judge', 200, { repairs: 1, errorCode: 'invalid-model-output' }),
    ]);
    expect(summary.total).toMatchObject({ calls: 4, cacheHits: 1, failures: 1, retries: 2, repairs: 1, promptTokens: 40, completionTokens: 8 });
    expect(summary.total.failuresByCode).toEqual({ 'invalid-model-output': 1 });
    expect(summary.byStage['plan']?.latencyMs).toEqual({ total: 400, p50: 100, p95: 300, max: 300 });
    // Cache hits do not count toward latency percentiles.
    expect(summary.byStage['judge']?.latencyMs.total).toBe(200);
    expect(Object.keys(summary.byStage)).toEqual(['judge', 'plan']);
  });

  it('uses nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(percentile([], 0.5)).toBe(0);
  });

  it('says fresh calls and cache hits apart: tokens spent are fresh only, the cached ones named separately', () => {
    const hit = call('judge', 1, { cacheHit: true, promptTokens: 0, completionTokens: 0, cachedTokens: 730 });
    expect(summarizeCalls([call('plan', 100), hit]).total).toMatchObject({ calls: 2, cacheHits: 1, promptTokens: 10, completionTokens: 2, cachedTokens: 730 });
    expect(formatCallCosts([call('plan', 100), hit])).toBe('calls: 2 (1 fresh, 1 cache hits); tokens spent 10 prompt + 2 completion; the cache hits stood for 730 more tokens, not spent now (--no-cache to call fresh)');
    expect(formatCallCosts([call('plan', 100)]), 'no cache hit: said so').toBe('calls: 1 (all fresh); tokens spent 10 prompt + 2 completion');
  });
});
