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
    // Measured from before the first slot, not between starts: a loaded machine may start the first task late,
    // and the third's slot is still 40 ms after the first was granted.
    const begin = Date.now();
    await Promise.all(Array.from({ length: 3 }, () => throttle.run(async () => void starts.push(Date.now()))));
    expect((starts[1] ?? 0) - begin, 'the second task waits one interval (20 ms)').toBeGreaterThanOrEqual(19);
    expect((starts[2] ?? 0) - begin, 'the third task waits two intervals (40 ms)').toBeGreaterThanOrEqual(39);
  });
});
