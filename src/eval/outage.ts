/**
 * A backend outage is not a sample's failure. When a sample's backend call fails for transport reasons
 * (connection refused or reset, a timeout, a 5xx or 429 after the client's own retries), the sample is
 * paused and tried again with exponential backoff for up to the outage window; only a sample still
 * failing after the window is recorded as failed, with the cause. A failed line whose error was a
 * transport failure is run again when the run is resumed (it failed because of the weather, not the
 * sample).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BackendError } from '../backends/index.js';
import { isMmevolveError } from '../core/index.js';

export interface OutagePolicy {
  /** How long one sample keeps retrying through an outage before it is recorded as failed (0: never). */
  windowMs: number;
  /** First pause; doubles per attempt up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_OUTAGE_POLICY: OutagePolicy = { windowMs: 120_000, initialDelayMs: 500, maxDelayMs: 10_000 };

/** `eval` / `eval-vqa` exit status when the run finished but some samples are recorded as failed. */
export const FAILED_SAMPLES_EXIT_CODE = 3;

export const TRANSPORT_ERROR_CODES = ['backend-unavailable', 'backend-timeout'] as const;

/** Connection errors, timeouts, and HTTP answers worth retrying (5xx, 429). A 4xx or bad model output is not. */
export function isTransportFailure(error: unknown): boolean {
  if (!isMmevolveError(error)) return false;
  if ((TRANSPORT_ERROR_CODES as readonly string[]).includes(error.code)) return true;
  return error.code === 'backend-http' && error instanceof BackendError && error.retryable;
}

/** A recorded failure that resume should run again: its code says the backend was away, not the sample bad. */
export function isTransportFailureLine(line: { status: string; error?: { code: string; transport?: boolean | undefined } | undefined }): boolean {
  if (line.status !== 'failed' || line.error === undefined) return false;
  return line.error.transport === true || (TRANSPORT_ERROR_CODES as readonly string[]).includes(line.error.code);
}

/**
 * Run `attempt` until it succeeds, fails for a reason other than transport, or transport failures have
 * lasted longer than the window. `onPause` hears of each pause (progress lines, tests).
 */
export async function throughOutages<T>(attempt: () => Promise<T>, policy: OutagePolicy, signal: AbortSignal, onPause?: (error: unknown, delayMs: number) => void): Promise<T> {
  let firstFailure: number | undefined;
  for (let pause = 0; ; pause += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (signal.aborted || !isTransportFailure(error)) throw error;
      firstFailure ??= performance.now();
      const elapsed = performance.now() - firstFailure;
      if (elapsed >= policy.windowMs) throw error;
      const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** pause, policy.windowMs - elapsed);
      onPause?.(error, delay);
      // An abort rejects the sleep (AbortError); the runner sees its signal aborted and drops the sample.
      await sleep(delay, undefined, { signal });
    }
  }
}
