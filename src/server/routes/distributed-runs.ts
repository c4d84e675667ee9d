/**
 * /v1/distributed-runs: the runs of `mmevolve eval --queue` in the Postgres this serve keeps its runs in,
 * with progress across all workers (done/failed/planned, rate, ETA, each worker live, lost or stopped with
 * its jobs in hand and samples recorded; src/eval/run-progress.ts). Such runs belong to no tenant (the
 * operator starts them from the command line), so reading them takes the admin scope. Offered only when
 * serve's runs are in Postgres (`--runs-db`, or `store.kind: postgres`); elsewhere the list is empty with
 * `offered: false`.
 */
import { Hono } from 'hono';
import { DEFAULT_WORKER_LOST_AFTER_SECONDS } from '../../eval/index.js';
import { distributedRunListSchema } from '../api-schemas.js';
import { requireScope } from '../auth.js';
import type { RouteDoc } from '../openapi.js';
import type { ServerEnv } from '../principal.js';
import type { SharedRuns } from '../runs/shared-runs.js';
import { sendJson } from '../send-json.js';

/** The newest runs listed; older ones are in the database (eval_runs) and the CLI's --out folders. */
const LISTED_RUNS = 20;

export const DISTRIBUTED_RUN_ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/distributed-runs',
    summary: `Runs of mmevolve eval --queue on the runs Postgres, newest ${LISTED_RUNS}: done/failed/planned samples, rate and ETA, each worker (live, lost after ${DEFAULT_WORKER_LOST_AFTER_SECONDS} s of silence, stopped) with its jobs in hand and samples recorded.`,
    scope: 'admin',
  },
];

/** `shared` undefined: runs in a folder, so none is distributed (an empty, not-offered list rather than a 404 the UI would log). */
export function distributedRunRoutes(shared: SharedRuns | undefined, lostAfterSeconds = DEFAULT_WORKER_LOST_AFTER_SECONDS): Hono<ServerEnv> {
  const routes = new Hono<ServerEnv>();
  routes.get('/', requireScope('admin'), async (context) => {
    const runs = shared === undefined ? [] : await shared.distributedRuns({ limit: LISTED_RUNS, lostAfterSeconds });
    return sendJson(context, distributedRunListSchema, { offered: shared !== undefined, runs, lostAfterSeconds }, 'distributed run list');
  });
  return routes;
}
