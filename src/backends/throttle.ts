/**
 * Per-backend admission control: a concurrency limit (p-limit) and an optional requests-per-minute spacing.
 */
import pLimit from 'p-limit';
import { abortableSleep } from './retry.js';

export interface Throttle {
  /** Runs `task` once a concurrency slot and (if limited) a rate slot are free. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly activeCount: number;
  readonly pendingCount: number;
}

export function createThrottle(options: { concurrency: number; requestsPerMinute?: number | undefined }): Throttle {
  const limit = pLimit(Math.max(1, Math.floor(options.concurrency)));
  const interval = options.requestsPerMinute !== undefined && options.requestsPerMinute > 0 ? 60_000 / options.requestsPerMinute : 0;
  let nextSlot = 0;
  const waitForRateSlot = async (signal?: AbortSignal): Promise<void> => {
    if (interval === 0) return;
    const now = Date.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + interval;
    if (slot > now) await abortableSleep(slot - now, signal);
  };
  return {
    run: (task, signal) =>
      limit(async () => {
        await waitForRateSlot(signal);
        return task();
      }),
    get activeCount() {
      return limit.activeCount;
    },
    get pendingCount() {
      return limit.pendingCount;
    },
  };
}
