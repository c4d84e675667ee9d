/**
 * Progress of a run across all its workers, read from Postgres (pg-run-store.ts, worker-heartbeats.ts):
 * planned/done/failed samples, the recent rate and the ETA it gives, and each worker that works on the run
 * or may take its jobs — live, lost (silent past `lostAfterSeconds`: killed, machine lost, hung) or
 * stopped — with the jobs of the run it holds and the samples of the run it recorded. `eval --queue` prints
 * it; serve's /v1/distributed-runs answers it to the web UI.
 */
import type pg from 'pg';

/** A worker silent this long is shown as lost by default (six missed heartbeats at the default rate). */
export const DEFAULT_WORKER_LOST_AFTER_SECONDS = 30;
/** The rate behind the ETA counts the samples finished in this window (seconds). */
const RATE_WINDOW_SECONDS = 300;

export interface RunWorkerStatus {
  id: string;
  /** undefined: a writer of samples with no heartbeat row (a serve replica, an older worker). */
  host?: string;
  pid?: number;
  concurrency?: number;
  state: 'live' | 'lost' | 'stopped' | 'unknown';
  /** Seconds since its last heartbeat (database clock); undefined without one. */
  silentSeconds?: number;
  /** Jobs of this run it holds (by its last heartbeat). */
  inHand: number;
  /** Samples of this run it recorded. */
  recorded: number;
}

export interface RunProgress {
  runId: string;
  planned: number;
  done: number;
  failed: number;
  /** Samples finished per second lately (the last 5 minutes); null before two finished in that window. */
  samplesPerSecond: number | null;
  /** Seconds to the last sample at that rate; 0 when done; null without a rate. */
  etaSeconds: number | null;
  workers: RunWorkerStatus[];
}

interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  in_hand: unknown;
  silent: number;
  stopped: boolean;
}

function heldOf(inHand: unknown, runId: string): number {
  return Array.isArray(inHand) ? inHand.filter((job: unknown) => typeof job === 'object' && job !== null && (job as { runId?: unknown }).runId === runId).length : 0;
}

export async function readRunProgress(pool: pg.Pool, runId: string, options: { lostAfterSeconds?: number } = {}): Promise<RunProgress> {
  const lostAfter = options.lostAfterSeconds ?? DEFAULT_WORKER_LOST_AFTER_SECONDS;
  const [plan, samples, recent, workers] = await Promise.all([
    pool.query<{ plan: unknown }>('SELECT plan FROM eval_runs WHERE id = $1', [runId]),
    pool.query<{ sample_id: string; status: string; worker: string }>('SELECT sample_id, status, worker FROM eval_run_samples WHERE run_id = $1', [runId]),
    pool.query<{ count: number; span: number | null }>(
      `SELECT count(*)::int AS count, extract(epoch FROM max(finished_at) - min(finished_at))::float8 AS span
         FROM eval_run_samples WHERE run_id = $1 AND finished_at > now() - make_interval(secs => $2)`,
      [runId, RATE_WINDOW_SECONDS],
    ),
    pool.query<WorkerRow>('SELECT id, host, pid, concurrency, in_hand, extract(epoch FROM now() - last_seen)::float8 AS silent, stopped_at IS NOT NULL AS stopped FROM eval_workers ORDER BY id'),
  ]);
  const planned = new Set(Array.isArray(plan.rows[0]?.plan) ? (plan.rows[0].plan as unknown[]).filter((id): id is string => typeof id === 'string') : []);
  let done = 0;
  let failed = 0;
  const recordedBy = new Map<string, number>();
  for (const row of samples.rows) {
    if (!planned.has(row.sample_id)) continue;
    done += 1;
    if (row.status === 'failed') failed += 1;
    recordedBy.set(row.worker, (recordedBy.get(row.worker) ?? 0) + 1);
  }
  const { count = 0, span = null } = recent.rows[0] ?? {};
  // Between the first and the last finish in the window, count - 1 samples finished.
  const samplesPerSecond = count >= 2 && span !== null && span > 0 ? (count - 1) / span : null;
  const remaining = planned.size - done;
  const etaSeconds = remaining === 0 ? 0 : samplesPerSecond === null ? null : remaining / samplesPerSecond;

  const statuses: RunWorkerStatus[] = [];
  for (const row of workers.rows) {
    const state = row.stopped ? 'stopped' : row.silent > lostAfter ? 'lost' : 'live';
    const inHand = state === 'stopped' ? 0 : heldOf(row.in_hand, runId);
    const recorded = recordedBy.get(row.id) ?? 0;
    recordedBy.delete(row.id);
    // Live workers may take this run's jobs; others matter only when they hold or recorded some.
    if (state !== 'live' && inHand === 0 && recorded === 0) continue;
    statuses.push({ id: row.id, host: row.host, pid: row.pid, concurrency: row.concurrency, state, silentSeconds: Math.max(0, Math.round(row.silent)), inHand, recorded });
  }
  for (const [id, recorded] of recordedBy) statuses.push({ id, state: 'unknown', inHand: 0, recorded });
  return { runId, planned: planned.size, done, failed, samplesPerSecond, etaSeconds, workers: statuses };
}

/** One line for the CLI's progress: "workers 2 live (3 in hand), 1 lost: host:123 silent 42s". */
export function describeWorkers(workers: readonly RunWorkerStatus[]): string {
  const live = workers.filter((worker) => worker.state === 'live');
  const lost = workers.filter((worker) => worker.state === 'lost');
  const held = live.reduce((sum, worker) => sum + worker.inHand, 0);
  const parts = [`workers ${live.length} live (${held} in hand)`];
  if (lost.length > 0) parts.push(`${lost.length} lost: ${lost.map((worker) => `${worker.id} silent ${worker.silentSeconds ?? '?'}s`).join(', ')}`);
  return parts.join(', ');
}
