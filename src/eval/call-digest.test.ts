import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../core/index.js';
import { callDigestSchema, digestCalls, sumDigests } from './call-digest.js';
import { costSummary } from './segmentation-summary.js';

function call(overrides: Partial<CallRecord>): CallRecord {
  return { stage: 'plan', backend: 'mllm:m', latencyMs: 1, promptTokens: 0, completionTokens: 0, cacheHit: false, retries: 0, repairs: 0, ...overrides };
}

describe('call digests', () => {
  it('keep fresh tokens and tokens served by the response cache apart, per stage and in the report', () => {
    const fresh = call({ promptTokens: 100, completionTokens: 10 });
    const cached = call({ cacheHit: true, cachedTokens: 110 });
    const digest = digestCalls([fresh, cached]);
    expect(digest.promptTokens + digest.completionTokens, 'fresh tokens count only the call sent to the server').toBe(110);
    expect(digest.cachedTokens, 'the cache hit carries its answer tokens as cached').toBe(110);
    expect(digest.byStage['plan']?.cachedTokens).toBe(110);
    expect(sumDigests([digest, digest]).cachedTokens, 'summed over samples').toBe(220);
    const costs = costSummary([{ calls: digest, wallMs: 1 }, { calls: digestCalls([fresh]), wallMs: 1 }]);
    expect(costs.cachedTokensPerSample, 'mean cached tokens per sample').toBe(55);
  });

  it('read results lines written before cached tokens were counted', () => {
    const old = { calls: 1, promptTokens: 5, completionTokens: 1, latencyMs: 1, cacheHits: 0, failures: 0, byStage: {} };
    const parsed = callDigestSchema.parse(old);
    expect(costSummary([{ calls: parsed, wallMs: 1 }]).cachedTokensPerSample, 'an old line has no cached tokens').toBe(0);
  });
});
