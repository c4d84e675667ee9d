/**
 * Per-backend admission control: a concurrency limit (p-limit) and an optional requests-per-minute spacing.
 */
import pLimit from 'p-limit';
import { cancelledError } from './backend-errors.js';
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
  const admitted = <T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> =>
    limit(async () => {
      // A request cancelled while queued gives its slot straight back.
      if (signal?.aborted === true) throw cancelledError('queued request', signal.reason);
      await waitForRateSlot(signal);
      return task();
    });
  return {
    run: <T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
      if (signal === undefined) return admitted(task);
      if (signal.aborted) return Promise.reject(cancelledError('queued request', signal.reason));
      // Settle as soon as the caller aborts, even while still waiting for a slot.
      return new Promise<T>((resolve, reject) => {
        const onAbort = (): void => reject(cancelledError('queued request', signal.reason));
        signal.addEventListener('abort', onAbort, { once: true });
        admitted(task, signal).then(
          (value) => {
            signal.removeEventListener('abort', onAbort);
            resolve(value);
          },
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort);
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      });
    },
    get activeCount() {
      return limit.activeCount;
    },
    get pendingCount() {
      return limit.pendingCount;
    },
  };
}
