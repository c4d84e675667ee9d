/**
 * Heartbeats of distributed-evaluation workers (`mmevolve worker`, and `eval --queue` when it works too):
 * each keeps one row of eval_workers up to date — who it is (id, host, pid, concurrency), the sample jobs
 * it holds right now and when it was last seen (the database's clock, so machines' clocks do not matter).
 * A clean stop marks the row stopped; a killed worker just falls silent, and readers (run-progress.ts) call
 * it lost once its silence passes their threshold. The table is created by pg-run-store.ts's migrations.
 */
import { hostname } from 'node:os';
import type pg from 'pg';

/** How often a worker writes its heartbeat by default; readers' lost-after should be a few of these. */
export const DEFAULT_HEARTBEAT_SECONDS = 5;

export interface HeldJob {
  runId: string;
  sampleId: string;
}

export interface WorkerIdentity {
  id: string;
  host?: string;
  pid?: number;
  concurrency: number;
}

export interface WorkerHeartbeat {
  /** Write the heartbeat now (also done every interval). */
  beat(): Promise<void>;
  /** Stop beating and mark the worker stopped, holding nothing (a clean exit is not a lost worker). */
  stop(): Promise<void>;
}

/** Rows silent this long are deleted when a worker starts (the table holds recent workers only). */
const FORGET_AFTER = '7 days';

export async function startWorkerHeartbeat(
  pool: pg.Pool,
  identity: WorkerIdentity,
  inHand: () => readonly HeldJob[],
  options: { intervalSeconds?: number; onError?: (error: Error) => void } = {},
): Promise<WorkerHeartbeat> {
  const host = identity.host ?? hostname();
  const pid = identity.pid ?? process.pid;
  const onError = options.onError ?? (() => undefined);
  await pool.query(`DELETE FROM eval_workers WHERE last_seen < now() - interval '${FORGET_AFTER}'`);
  const beat = async (): Promise<void> => {
    await pool.query(
      `INSERT INTO eval_workers (id, host, pid, concurrency, in_hand) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, concurrency = EXCLUDED.concurrency,
         in_hand = EXCLUDED.in_hand, last_seen = now(), stopped_at = NULL`,
      [identity.id, host, pid, identity.concurrency, JSON.stringify(inHand())],
    );
  };
  // The first beat also (re)sets started_at: a worker restarted under the same id is a new run of it.
  await pool.query('DELETE FROM eval_workers WHERE id = $1', [identity.id]);
  await beat();
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    writing = beat().catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
  }, (options.intervalSeconds ?? DEFAULT_HEARTBEAT_SECONDS) * 1000);
  // A heartbeat never keeps the process alive on its own.
  timer.unref();
  return {
    beat,
    async stop() {
      clearInterval(timer);
      await writing;
      await pool.query("UPDATE eval_workers SET in_hand = '[]', last_seen = now(), stopped_at = now() WHERE id = $1", [identity.id]);
    },
  };
}
