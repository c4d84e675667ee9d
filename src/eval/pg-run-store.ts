/**
 * Runs and their per-sample lines in Postgres, for distributed evaluation (`mmevolve eval --queue`,
 * `mmevolve worker`) and for `serve` replicas that share runs. The same RunStore interface as a run folder
 * (run-store.ts); what differs is who may write: any number of workers, each sample at most once.
 *
 * - eval_runs: one row per run (id, fingerprint, manifest, the planned sample ids in dataset order).
 * - eval_run_samples: one row per (run, sample), primary key on both, so a sample can never be recorded
 *   twice. A finished ('ok') row is final; a 'failed' row may be replaced by a later attempt (a retried
 *   failure), which bumps `attempts`. The worker that wrote it and when are kept beside the line.
 * - Every recorded sample sends NOTIFY on RUN_EVENTS_CHANNEL in the same statement (delivered on commit),
 *   so followers (the CLI's progress, SSE in any serve replica) hear it without polling.
 */
import { hostname } from 'node:os';
import pg from 'pg';
import type { z } from 'zod';
import { listenToChannel, mmevolveError } from '../core/index.js';
import { inTransaction } from '../memory/index.js';
import { describeDifference, identityFingerprint, manifestSchema } from './run-store.js';
import type { ResultLineBase, RunIdentity, RunManifest, RunStore } from './run-store.js';

export const RUN_EVENTS_CHANNEL = 'mmevolve_eval_runs';

/** Versioned schema; each entry runs once, in order, under an advisory lock (workers start together). */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE eval_runs (
     id text PRIMARY KEY,
     fingerprint text NOT NULL,
     manifest json NOT NULL,
     plan json NOT NULL DEFAULT '[]',
     created_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE TABLE eval_run_samples (
     run_id text NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
     sample_id text NOT NULL,
     status text NOT NULL CHECK (status IN ('ok', 'failed')),
     line json NOT NULL,
     trace_path text,
     trace json,
     worker text NOT NULL,
     attempts integer NOT NULL DEFAULT 1,
     finished_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (run_id, sample_id)
   );`,
  // Worker heartbeats (worker-heartbeats.ts): who works, what it holds, when it was last seen.
  `CREATE TABLE eval_workers (
     id text PRIMARY KEY,
     host text NOT NULL,
     pid integer NOT NULL,
     concurrency integer NOT NULL,
     in_hand jsonb NOT NULL DEFAULT '[]',
     started_at timestamptz NOT NULL DEFAULT now(),
     last_seen timestamptz NOT NULL DEFAULT now(),
     stopped_at timestamptz
   );`,
];

export interface RunSampleEvent {
  runId: string;
  sampleId: string;
  status: 'ok' | 'failed';
}

export interface PgRunCounts {
  planned: number;
  done: number;
  failed: number;
}

export interface OpenPgRunOptions<Line> {
  runId: string;
  identity: RunIdentity;
  backends: Record<string, string>;
  simulated: boolean;
  schema: z.ZodType<Line>;
  /** Names this process in the rows it writes (default host:pid). */
  worker?: string;
  now?: () => Date;
}

export interface PgRunStore<Line extends ResultLineBase> extends RunStore<Line> {
  runId: string;
  /** Samples whose append found a final line already there (a retried job that had finished). */
  readonly skippedWrites: number;
}

/** A sample's id, as the queue carries it: the run and the sample. */
export function runLocation(runId: string): string {
  return `postgres run ${runId}`;
}

export class PgRunDatabase {
  readonly pool: pg.Pool;
  readonly #worker: string;

  /** The name this process writes in sample rows and its worker heartbeat. */
  get worker(): string {
    return this.#worker;
  }

  private constructor(pool: pg.Pool, worker: string) {
    this.pool = pool;
    this.#worker = worker;
  }

  /** Connect and bring the schema up to date. */
  static async connect(url: string, options: { max?: number; worker?: string } = {}): Promise<PgRunDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 4, application_name: 'mmevolve-runs' });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const database = new PgRunDatabase(pool, options.worker ?? `${process.env.HOSTNAME ?? hostname()}:${process.pid}`);
    try {
      await database.#migrate();
    } catch (error) {
      await pool.end();
      throw mmevolveError('backend-unavailable', `cannot open the runs database: ${error instanceof Error ? error.message : String(error)}`, 'Check the postgres:// URL (host, port, user, password, database) and that the server is running.', error);
    }
    return database;
  }

  async #migrate(): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('mmevolve-eval-schema'))");
      await client.query('CREATE TABLE IF NOT EXISTS eval_schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM eval_schema_version');
      const current = rows[0]?.version ?? 0;
      for (let version = current + 1; version <= MIGRATIONS.length; version += 1) {
        await client.query(MIGRATIONS[version - 1] as string);
        await client.query('INSERT INTO eval_schema_version (version) VALUES ($1)', [version]);
      }
    });
  }

  /** Create the run, or resume it when its manifest describes the same run (else refuse, like a folder). */
  async openRun<Line extends ResultLineBase>(options: OpenPgRunOptions<Line>): Promise<PgRunStore<Line>> {
    const fingerprint = identityFingerprint(options.identity);
    const manifest: RunManifest = { ...options.identity, backends: options.backends, started: (options.now ?? (() => new Date()))().toISOString(), simulated: options.simulated, fingerprint };
    const inserted = await this.pool.query('INSERT INTO eval_runs (id, fingerprint, manifest) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [options.runId, fingerprint, JSON.stringify(manifest)]);
    const existing = await this.requireManifest(options.runId);
    if (existing.fingerprint !== fingerprint) {
      throw mmevolveError('conflict', `${runLocation(options.runId)} holds a different run (${describeDifference(existing, options.identity)})`, 'Use another --run-id, or rerun with the same command, method, dataset and settings to resume.');
    }
    const finished = new Map<string, Line>();
    for (const line of await this.readLines(options.runId, options.schema)) finished.set(line.id, line);
    return this.#store(options.runId, existing, finished, inserted.rowCount === 0, options.worker);
  }

  /** A store for a run that exists (workers): the manifest comes from the database. */
  async attachRun<Line extends ResultLineBase>(runId: string): Promise<PgRunStore<Line>> {
    return this.#store(runId, await this.requireManifest(runId), new Map(), true);
  }

  #store<Line extends ResultLineBase>(runId: string, manifest: RunManifest, finished: Map<string, Line>, resumed: boolean, worker?: string): PgRunStore<Line> {
    const pool = this.pool;
    const writer = worker ?? this.#worker;
    const traces = new Map<string, { path: string; text: string }>();
    let skippedWrites = 0;
    return {
      runId,
      location: runLocation(runId),
      manifest,
      finished,
      warnings: [],
      resumed,
      get skippedWrites() {
        return skippedWrites;
      },
      async writeTrace(sampleId, relativePath, text) {
        // Kept until the line is appended: line and trace are written in one statement.
        traces.set(sampleId, { path: relativePath, text });
      },
      async append(line) {
        const trace = traces.get(line.id);
        traces.delete(line.id);
        const result = await pool.query(
          `WITH written AS (
             INSERT INTO eval_run_samples (run_id, sample_id, status, line, trace_path, trace, worker)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (run_id, sample_id) DO UPDATE
               SET status = EXCLUDED.status, line = EXCLUDED.line, trace_path = EXCLUDED.trace_path, trace = EXCLUDED.trace,
                   worker = EXCLUDED.worker, attempts = eval_run_samples.attempts + 1, finished_at = now()
               WHERE eval_run_samples.status = 'failed'
             RETURNING sample_id, status
           )
           SELECT pg_notify($8, json_build_object('runId', $1::text, 'sampleId', sample_id, 'status', status)::text) FROM written`,
          [runId, line.id, line.status, JSON.stringify(line), trace?.path ?? null, trace?.text ?? null, writer, RUN_EVENTS_CHANNEL],
        );
        if (result.rowCount === 0) skippedWrites += 1;
      },
      async close() {
        traces.clear();
      },
    };
  }

  async readManifest(runId: string): Promise<RunManifest | undefined> {
    const { rows } = await this.pool.query<{ manifest: unknown }>('SELECT manifest FROM eval_runs WHERE id = $1', [runId]);
    if (rows[0] === undefined) return undefined;
    const parsed = manifestSchema.safeParse(rows[0].manifest);
    if (!parsed.success) throw mmevolveError('invalid-dataset', `${runLocation(runId)} has no valid manifest`, 'The eval_runs row was edited; restore it or start a new run id.', parsed.error);
    return parsed.data;
  }

  async requireManifest(runId: string): Promise<RunManifest> {
    const manifest = await this.readManifest(runId);
    if (manifest === undefined) throw mmevolveError('not-found', `no ${runLocation(runId)} in this database`, 'Start it with mmevolve eval --queue (or POST /v1/runs on a serve with Postgres).');
    return manifest;
  }

  /** The sample ids of the run in dataset order (what the coordinator enqueued). */
  async setPlan(runId: string, sampleIds: readonly string[]): Promise<void> {
    await this.pool.query('UPDATE eval_runs SET plan = $2 WHERE id = $1', [runId, JSON.stringify(sampleIds)]);
  }

  async readPlan(runId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ plan: unknown }>('SELECT plan FROM eval_runs WHERE id = $1', [runId]);
    const plan = rows[0]?.plan;
    return Array.isArray(plan) ? plan.filter((id): id is string => typeof id === 'string') : [];
  }

  /** Every recorded line, in plan (dataset) order; lines outside the plan after them, by sample id. */
  async readLines<Line>(runId: string, schema: z.ZodType<Line>): Promise<Line[]> {
    const [plan, { rows }] = await Promise.all([this.readPlan(runId), this.pool.query<{ sample_id: string; line: unknown }>('SELECT sample_id, line FROM eval_run_samples WHERE run_id = $1 ORDER BY sample_id', [runId])]);
    const order = new Map(plan.map((id, index) => [id, index]));
    const rank = (id: string): number => order.get(id) ?? Number.MAX_SAFE_INTEGER;
    rows.sort((a, b) => rank(a.sample_id) - rank(b.sample_id) || (a.sample_id < b.sample_id ? -1 : a.sample_id > b.sample_id ? 1 : 0));
    return rows.map((row) => {
      const parsed = schema.safeParse(row.line);
      if (!parsed.success) throw mmevolveError('invalid-dataset', `${runLocation(runId)}: the line of ${row.sample_id} is not a valid result line`, 'The eval_run_samples row was edited; delete it to rerun that sample.', parsed.error);
      return parsed.data;
    });
  }

  async readTrace(runId: string, sampleId: string): Promise<{ path: string; text: string } | undefined> {
    const { rows } = await this.pool.query<{ trace_path: string | null; trace: string | null }>('SELECT trace_path, trace::text AS trace FROM eval_run_samples WHERE run_id = $1 AND sample_id = $2', [runId, sampleId]);
    const row = rows[0];
    return row?.trace_path == null || row.trace == null ? undefined : { path: row.trace_path, text: row.trace };
  }

  /** Does this sample have a line (its job ran to the end on some worker)? */
  async isRecorded(runId: string, sampleId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM eval_run_samples WHERE run_id = $1 AND sample_id = $2', [runId, sampleId]);
    return (rowCount ?? 0) > 0;
  }

  /** Drop failed lines that are to be run again (eval --retry-failed, transport failures); never an 'ok' line. */
  async forgetFailed(runId: string, sampleIds: readonly string[]): Promise<void> {
    if (sampleIds.length === 0) return;
    await this.pool.query("DELETE FROM eval_run_samples WHERE run_id = $1 AND sample_id = ANY($2::text[]) AND status = 'failed'", [runId, sampleIds]);
  }

  /** Samples of the plan recorded so far (done) and how many of them failed. */
  async counts(runId: string): Promise<PgRunCounts> {
    const [plan, { rows }] = await Promise.all([this.readPlan(runId), this.pool.query<{ sample_id: string; status: string }>('SELECT sample_id, status FROM eval_run_samples WHERE run_id = $1', [runId])]);
    const planned = new Set(plan);
    let done = 0;
    let failed = 0;
    for (const row of rows) {
      if (!planned.has(row.sample_id)) continue;
      done += 1;
      if (row.status === 'failed') failed += 1;
    }
    return { planned: plan.length, done, failed };
  }

  /** Which worker wrote each sample and how many attempts it took (the parts that differ between runs). */
  async sampleWriters(runId: string): Promise<{ sampleId: string; worker: string; attempts: number }[]> {
    const { rows } = await this.pool.query<{ sample_id: string; worker: string; attempts: number }>('SELECT sample_id, worker, attempts FROM eval_run_samples WHERE run_id = $1 ORDER BY sample_id', [runId]);
    return rows.map((row) => ({ sampleId: row.sample_id, worker: row.worker, attempts: row.attempts }));
  }

  /**
   * Hear every recorded sample of every run (LISTEN on a connection of its own). Returns the unsubscribe.
   * A lost connection is reported through onError; followers also poll, so nothing hangs on a lost event.
   */
  async listen(onEvent: (event: RunSampleEvent) => void, onError: (error: Error) => void = () => undefined): Promise<() => Promise<void>> {
    return listenToChannel(this.pool, RUN_EVENTS_CHANNEL, (payload) => onEvent(JSON.parse(payload) as RunSampleEvent), onError);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
