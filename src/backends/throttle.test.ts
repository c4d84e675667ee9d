import { describe, expect, it } from 'vitest';
import { createThrottle } from './throttle.js';

describe('createThrottle', () => {
  it('never runs more tasks at once than its concurrency', async () => {
    const throttle = createThrottle({ concurrency: 2 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        throttle.run(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(2);
  });

  it('rejects a queued task as cancelled when its signal aborts, without running it', async () => {
    const throttle = createThrottle({ concurrency: 1 });
    let release = (): void => undefined;
    const blocker = throttle.run(() => new Promise<void>((resolve) => (release = resolve)));
    const controller = new AbortController();
    let ran = false;
    const queued = throttle.run(async () => {
      ran = true;
    }, controller.signal);
    controller.abort();
    await expect(queued).rejects.toMatchObject({ code: 'cancelled' });
    release();
    await blocker;
    expect(ran).toBe(false);
  });

  it('spaces task starts by the requests-per-minute interval', async () => {
    const throttle = createThrottle({ concurrency: 4, requestsPerMinute: 60_000 / 20 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 3 }, () => throttle.run(async () => void starts.push(performance.now()))));
    expect((starts[2] ?? 0) - (starts[0] ?? 0)).toBeGreaterThanOrEqual(35);
  });
});
