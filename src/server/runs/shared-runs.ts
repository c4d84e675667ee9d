/**
 * Runs shared by `serve` replicas on one Postgres. Without it a run lives in the runs folder of the one
 * server that started it; with it:
 * - the run records (server-run.json) are rows of `server_runs`, read by every replica;
 * - the run's samples, traces and report data are the eval run store's rows (pg-run-store.ts), so
 *   results, traces and the report come from the database on any replica;
 * - a replica executing a run holds a session advisory lock on it (a lease): a replica that starts up
 *   resumes only runs nobody holds, and a killed replica's lease ends with its connection;
 * - every change of a record (state, throttled progress) and every cancel request sends NOTIFY on
 *   SERVER_RUNS_CHANNEL, so SSE streams on any replica follow a run executing on another one.
 */
import type pg from 'pg';
import { listenToChannel, mmevolveError } from '../../core/index.js';
import { inTransaction } from '../../memory/index.js';
import { buildSegmentationReport, buildVqaReport, manifestSchema, readRunProgress, segmentationLineSchema, vqaLineSchema } from '../../eval/index.js';
import type { OpenRunOptions, PgRunDatabase, ResultLineBase, RunReport, RunStore } from '../../eval/index.js';
import { runRecordSchema } from '../api-schemas.js';
import type { DistributedRunResponse as DistributedRun } from '../api-schemas.js';
import type { RunRecord } from './run-record.js';

export const SERVER_RUNS_CHANNEL = 'mmevolve_server_runs';

export interface SharedRunEvent {
  id: string;
  tenant: string;
  /** The replica that sent it (a replica ignores its own events: it told its listeners already). */
  origin: string;
  kind: 'state' | 'progress' | 'cancel';
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS server_runs (
    id text PRIMARY KEY,
    tenant text NOT NULL,
    record json NOT NULL,
    created_at text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX IF NOT EXISTS server_runs_tenant ON server_runs (tenant, created_at DESC);`;

export class SharedRuns {
  readonly database: PgRunDatabase;
  readonly replica: string;

  private constructor(database: PgRunDatabase, replica: string) {
    this.database = database;
    this.replica = replica;
  }

  static async open(database: PgRunDatabase, replica: string): Promise<SharedRuns> {
    await inTransaction(database.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('mmevolve-server-runs-schema'))");
      await client.query(SCHEMA);
    });
    return new SharedRuns(database, replica);
  }

  async save(record: RunRecord, kind: 'state' | 'progress'): Promise<void> {
    await this.database.pool.query(
      `WITH saved AS (
         INSERT INTO server_runs (id, tenant, record, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record, updated_at = now()
           -- A late progress write never overwrites the run's final state.
           WHERE $7 = 'state' OR server_runs.record->>'state' = 'running'
         RETURNING id
       )
       SELECT pg_notify($5, $6) FROM saved`,
      [record.id, record.tenant, JSON.stringify(record), record.createdAt, SERVER_RUNS_CHANNEL, JSON.stringify({ id: record.id, tenant: record.tenant, origin: this.replica, kind } satisfies SharedRunEvent), kind],
    );
  }

  /** Ask the replica executing a run to cancel it. */
  async requestCancel(record: RunRecord): Promise<void> {
    await this.database.pool.query('SELECT pg_notify($1, $2)', [SERVER_RUNS_CHANNEL, JSON.stringify({ id: record.id, tenant: record.tenant, origin: this.replica, kind: 'cancel' } satisfies SharedRunEvent)]);
  }

  async get(tenant: string, id: string): Promise<RunRecord | undefined> {
    const { rows } = await this.database.pool.query<{ record: unknown }>('SELECT record FROM server_runs WHERE id = $1 AND tenant = $2', [id, tenant]);
    return rows[0] === undefined ? undefined : parseRecord(rows[0].record);
  }

  async list(tenant: string): Promise<RunRecord[]> {
    const { rows } = await this.database.pool.query<{ record: unknown }>('SELECT record FROM server_runs WHERE tenant = $1 ORDER BY created_at DESC', [tenant]);
    return rows.map((row) => parseRecord(row.record));
  }

  /** Runs recorded as queued or running, of every tenant (start-up recovery). */
  async unfinished(): Promise<RunRecord[]> {
    const { rows } = await this.database.pool.query<{ record: unknown }>("SELECT record FROM server_runs WHERE record->>'state' IN ('queued', 'running') ORDER BY created_at");
    return rows.map((row) => parseRecord(row.record));
  }

  /**
   * The lease of a run: a session advisory lock on a connection of its own, held while this replica
   * executes the run. Undefined when another live replica holds it.
   */
  async lease(id: string): Promise<(() => Promise<void>) | undefined> {
    const client: pg.PoolClient = await this.database.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock(hashtextextended('mmevolve-run:' || $1, 0)) AS locked", [id]);
      if (rows[0]?.locked !== true) {
        client.release();
        return undefined;
      }
    } catch (error) {
      client.release();
      throw error;
    }
    return async () => {
      await client.query("SELECT pg_advisory_unlock(hashtextextended('mmevolve-run:' || $1, 0))", [id]).catch(() => undefined);
      client.release();
    };
  }

  /** Hear every replica's run events. */
  async listen(onEvent: (event: SharedRunEvent) => void, onError: (error: Error) => void): Promise<() => Promise<void>> {
    return listenToChannel(this.database.pool, SERVER_RUNS_CHANNEL, (payload) => {
      const event = JSON.parse(payload) as SharedRunEvent;
      if (event.origin !== this.replica) onEvent(event);
    }, onError);
  }

  /**
   * Runs of `mmevolve eval --queue` on this Postgres (eval_runs rows that are no server run), newest
   * first, each with its progress across workers.
   */
  async distributedRuns(options: { limit: number; lostAfterSeconds: number }): Promise<DistributedRun[]> {
    const { rows } = await this.database.pool.query<{ id: string; manifest: unknown }>(
      'SELECT id, manifest FROM eval_runs r WHERE NOT EXISTS (SELECT 1 FROM server_runs s WHERE s.id = r.id) ORDER BY created_at DESC, id LIMIT $1',
      [options.limit],
    );
    return Promise.all(
      rows.map(async (row) => {
        const manifest = manifestSchema.safeParse(row.manifest);
        if (!manifest.success) throw mmevolveError('internal', `the eval_runs row of ${row.id} has no valid manifest`, 'The eval_runs table was edited; restore or delete that row.', manifest.error);
        const { runId: _runId, ...progress } = await readRunProgress(this.database.pool, row.id, { lostAfterSeconds: options.lostAfterSeconds });
        const { method, dataset, started, simulated } = manifest.data;
        return { id: row.id, method, dataset, started, simulated, ...progress };
      }),
    );
  }

  /** The eval run store of a server run: its samples in Postgres under the run's id. */
  storeOpener(runId: string): <Line extends ResultLineBase>(options: OpenRunOptions<Line>) => Promise<RunStore<Line>> {
    return (options) => this.database.openRun({ runId, identity: options.identity, backends: options.backends, simulated: options.simulated, schema: options.schema, worker: this.replica });
  }

  async results(record: RunRecord): Promise<unknown[]> {
    if ((await this.database.readManifest(record.id)) === undefined) return [];
    return record.kind === 'vqa' ? this.database.readLines(record.id, vqaLineSchema) : this.database.readLines(record.id, segmentationLineSchema);
  }

  async report(record: RunRecord): Promise<{ report: RunReport; files: Map<string, string> }> {
    const manifest = await this.database.readManifest(record.id);
    if (manifest === undefined) throw mmevolveError('not-found', `run ${record.id} has no results yet`, 'Wait for the first samples.');
    if (record.kind === 'vqa') return buildVqaReport(manifest, await this.database.readLines(record.id, vqaLineSchema));
    return buildSegmentationReport(manifest, await this.database.readLines(record.id, segmentationLineSchema));
  }

  async trace(record: RunRecord, sample: string): Promise<string | undefined> {
    return (await this.database.readTrace(record.id, sample))?.text;
  }
}

function parseRecord(value: unknown): RunRecord {
  const parsed = runRecordSchema.safeParse(value);
  if (!parsed.success) throw mmevolveError('internal', 'a server_runs row is not a run record', 'The server_runs table was edited; restore or delete that row.', parsed.error);
  return parsed.data;
}
