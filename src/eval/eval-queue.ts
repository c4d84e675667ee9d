/**
 * The job queue of distributed evaluation: one pg-boss job per sample, on the same Postgres as the runs.
 * A job names its run and sample; a worker that takes it and dies (killed, machine lost) stops renewing
 * nothing — pg-boss marks an active job that outlives its expiry (`jobTimeoutSeconds`) as failed and
 * retries it, so another worker picks it up. Exactly-once results do not rest on the queue (it delivers at
 * least once): the run store records each sample at most once (pg-run-store.ts).
 */
import PgBoss from 'pg-boss';
import { z } from 'zod';
import { mmevolveError } from '../core/index.js';

export const EVAL_QUEUE_NAME = 'mmevolve-eval-samples';
/** A sample's job expires (and is retried elsewhere) this long after a worker took it. */
export const DEFAULT_JOB_TIMEOUT_SECONDS = 600;
/** Attempts after the first, for jobs whose worker died or failed outside the sample (database, config). */
export const JOB_RETRY_LIMIT = 5;

export const sampleJobSchema = z.strictObject({
  runId: z.string().min(1),
  sampleId: z.string().min(1),
});
export type SampleJob = z.infer<typeof sampleJobSchema>;

export interface EvalQueueOptions {
  /** Expiry of jobs this process enqueues, and how often it looks for expired ones (a quarter of it). */
  jobTimeoutSeconds?: number;
  onError?: (error: Error) => void;
}

export interface DeadJob {
  sampleId: string;
  message: string;
}

export interface EvalQueue {
  enqueue(runId: string, sampleIds: readonly string[]): Promise<void>;
  /** Take jobs, `concurrency` at a time, until the returned stop is called. */
  work(concurrency: number, handler: (job: SampleJob) => Promise<void>): Promise<() => Promise<void>>;
  /** Jobs of a run that failed for good (their retries are used up) and have no newer job queued. */
  deadJobs(runId: string): Promise<DeadJob[]>;
  close(): Promise<void>;
}

function superviseSeconds(jobTimeoutSeconds: number): number {
  return Math.max(1, Math.min(60, Math.floor(jobTimeoutSeconds / 4)));
}

export async function openEvalQueue(url: string, options: EvalQueueOptions = {}): Promise<EvalQueue> {
  const jobTimeoutSeconds = options.jobTimeoutSeconds ?? DEFAULT_JOB_TIMEOUT_SECONDS;
  if (!Number.isInteger(jobTimeoutSeconds) || jobTimeoutSeconds < 1) throw mmevolveError('invalid-input', `the job timeout must be a whole number of seconds ≥ 1, got ${jobTimeoutSeconds}`, 'Pass e.g. --job-timeout 600.');
  const boss = new PgBoss({
    connectionString: url,
    application_name: 'mmevolve-queue',
    max: 4,
    maintenanceIntervalSeconds: superviseSeconds(jobTimeoutSeconds),
  });
  const onError = options.onError ?? ((error: Error) => process.stderr.write(`warning [queue]: ${error.message}\n`));
  boss.on('error', onError);
  try {
    await boss.start();
    await boss.createQueue(EVAL_QUEUE_NAME, { name: EVAL_QUEUE_NAME, retryLimit: JOB_RETRY_LIMIT, retryDelay: 1, expireInSeconds: jobTimeoutSeconds });
  } catch (error) {
    await boss.stop({ graceful: false, wait: true }).catch(() => undefined);
    throw mmevolveError('backend-unavailable', `cannot open the job queue: ${error instanceof Error ? error.message : String(error)}`, 'Check the postgres:// URL of --queue and that the server is running.', error);
  }
  return {
    async enqueue(runId, sampleIds) {
      const jobs = sampleIds.map((sampleId) => ({
        name: EVAL_QUEUE_NAME,
        data: { runId, sampleId },
        retryLimit: JOB_RETRY_LIMIT,
        retryDelay: 1,
        expireInSeconds: jobTimeoutSeconds,
      }));
      for (let start = 0; start < jobs.length; start += 500) await boss.insert(jobs.slice(start, start + 500));
    },
    async work(concurrency, handler) {
      const ids: string[] = [];
      // pg-boss 10 runs one job at a time per work() loop: `concurrency` loops take that many at once.
      for (let index = 0; index < Math.max(1, concurrency); index += 1) {
        ids.push(
          await boss.work<unknown>(EVAL_QUEUE_NAME, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async (jobs) => {
            for (const job of jobs) {
              const parsed = sampleJobSchema.safeParse(job.data);
              if (!parsed.success) throw mmevolveError('invalid-input', `job ${job.id} is not an mmevolve sample job`, 'Only mmevolve eval --queue should send jobs to this queue.', parsed.error);
              await handler(parsed.data);
            }
          }),
        );
      }
      return async () => {
        for (const id of ids) await boss.offWork({ id });
      };
    },
    async deadJobs(runId) {
      const { rows } = await boss.getDb().executeSql(
        `SELECT dead.data->>'sampleId' AS sample_id, coalesce(dead.output->>'message', dead.output->'value'->>'message', dead.output::text) AS message
           FROM pgboss.job dead
          WHERE dead.name = $1 AND dead.state = 'failed' AND dead.data->>'runId' = $2
            AND NOT EXISTS (SELECT 1 FROM pgboss.job live WHERE live.name = $1 AND live.state < 'completed'
                              AND live.data->>'runId' = $2 AND live.data->>'sampleId' = dead.data->>'sampleId')`,
        [EVAL_QUEUE_NAME, runId],
      );
      return (rows as { sample_id: string; message: string | null }[]).map((row) => ({ sampleId: row.sample_id, message: row.message ?? 'unknown error' }));
    },
    async close() {
      await boss.stop({ graceful: false, wait: true, close: true });
    },
  };
}
