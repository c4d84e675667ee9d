import { describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue.js';

describe('the run queue', () => {
  it('starts runs round-robin across tenants: a one-run tenant waits behind one run of the busy tenant, not all three', async () => {
    const queue = new FairQueue(1);
    const order: string[] = [];
    const task = (name: string) => () =>
      new Promise<void>((resolve) => {
        order.push(name);
        setTimeout(resolve, 5);
      });
    const all = [queue.add('alice', task('alice-1')), queue.add('alice', task('alice-2')), queue.add('alice', task('alice-3')), queue.add('bob', task('bob-1')), queue.add('carol', task('carol-1'))];
    await Promise.all(all);
    expect(order).toEqual(['alice-1', 'bob-1', 'carol-1', 'alice-2', 'alice-3']);
  });

  it('runs as many tasks at once as it has slots, and settles each with its own outcome', async () => {
    const queue = new FairQueue(2);
    let running = 0;
    let most = 0;
    const task = () => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
    };
    await Promise.all([queue.add('a', task()), queue.add('a', task()), queue.add('b', task()), queue.add('c', task())]);
    expect(most).toBe(2);
    await expect(queue.add('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(queue.pending).toBe(0);
  });
});
