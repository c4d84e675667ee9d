/**
 * A run's accounting, apart from the run itself: per-sample budgets and their error, the clock of time spent
 * waiting on backends, empty counters, and how a failure is named in a call record.
 */
import { isMmevolveError } from '../core/index.js';
import type { SegmentationCounters } from './trace.js';

/**
 * Per-sample cost caps (`eval --max-calls-per-sample / --max-tokens-per-sample`): once a sample has
 * started `maxCalls` backend calls, or its calls so far used `maxTokens` prompt + completion tokens, the
 * next call is refused with a 'budget-exceeded' error (evol then answers with its best mask so far).
 * `failFastNoTarget`: when the planner proposes no phrase, stop at once and answer "no target".
 */
export interface SampleBudget {
  maxCalls?: number;
  maxTokens?: number;
  failFastNoTarget?: boolean;
}

export const BUDGET_EXCEEDED = 'budget-exceeded';

export function budgetCapOf(error: unknown): 'calls' | 'tokens' | undefined {
  if (!isMmevolveError(error) || error.code !== BUDGET_EXCEEDED) return undefined;
  return error.message.includes('token') ? 'tokens' : 'calls';
}

/** Counts time during which at least one backend call is in flight (overlapping calls count once). */
export class BusyClock {
  private inFlight = 0;
  private since = 0;
  total = 0;

  async around<T>(work: () => Promise<T>): Promise<T> {
    if (this.inFlight === 0) this.since = performance.now();
    this.inFlight += 1;
    try {
      return await work();
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.total += performance.now() - this.since;
    }
  }
}

export function emptyCounters(): SegmentationCounters {
  return {
    mllmCalls: 0,
    judgeCalls: 0,
    segmenterCalls: 0,
    segmenterImageEncodes: 0,
    segmenterPrompts: 0,
    promptTokens: 0,
    completionTokens: 0,
    generations: 0,
    fights: 0,
    verifications: 0,
    phraseCacheHits: 0,
    gateCacheHits: 0,
    wallMs: 0,
    backendWaitMs: 0,
    imagesFull: 0,
    imagesQuarter: 0,
    imageTokensSent: 0,
    imageTokensAllFull: 0,
    resolutionChecks: 0,
  };
}

export function errorCode(error: unknown): string {
  return isMmevolveError(error) ? error.code : 'internal';
}

/** True for the one failure stages may turn into a documented fallback: unreadable model output. */
export function isUnreadableOutput(error: unknown): boolean {
  return isMmevolveError(error) && error.code === 'invalid-model-output';
}
