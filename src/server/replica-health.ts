/**
 * Each model replica's state (backends with `replicas`, replica-pool.ts) for /healthz and /metrics: in or
 * out, failures in a row, time to the next probe of one taken out, requests outstanding and answered.
 * /healthz is public, so it names a replica by its place in the config (0 = baseURL, 1… = `replicas` in
 * order) and never by its address; /metrics (admin scope) labels it with its base URL.
 */
import type { Backends, ReplicaState } from '../backends/index.js';
import type { HealthReplica } from './api-schemas.js';
import { labels } from './metrics.js';

export function replicaStates(backends: Backends | undefined): Record<string, ReplicaState[]> {
  const states = backends?.replicas?.() ?? {};
  return Object.fromEntries(Object.entries(states).filter((entry): entry is [string, ReplicaState[]] => entry[1] !== undefined));
}

/** The /healthz view: undefined when no backend lists replicas (the field is then left out). */
export function healthReplicas(backends: Backends | undefined): Record<string, HealthReplica[]> | undefined {
  const states = Object.entries(replicaStates(backends));
  if (states.length === 0) return undefined;
  return Object.fromEntries(
    states.map(([role, replicas]) => [
      role,
      replicas.map((replica, index) => ({
        replica: index,
        state: replica.healthy ? ('in' as const) : ('out' as const),
        consecutiveFailures: replica.consecutiveFailures,
        nextProbeInMs: replica.nextProbeInMs,
        outstanding: replica.outstanding,
        served: replica.served,
      })),
    ]),
  );
}

/** Prometheus text (format 0.0.4) of every replica; empty when no backend lists replicas. */
export function renderReplicaMetrics(backends: Backends | undefined): string {
  const rows = Object.entries(replicaStates(backends)).flatMap(([backend, replicas]) => replicas.map((replica) => ({ labels: labels({ backend, base_url: replica.baseURL }), replica })));
  if (rows.length === 0) return '';
  const families: Array<[name: string, type: 'gauge' | 'counter', help: string, value: (replica: ReplicaState) => number]> = [
    ['mmevolve_backend_replica_up', 'gauge', 'Model replica in (1) or taken out after failures in a row (0).', (replica) => (replica.healthy ? 1 : 0)],
    ['mmevolve_backend_replica_consecutive_failures', 'gauge', 'Failures in a row of a model replica (no connection or 5xx).', (replica) => replica.consecutiveFailures],
    ['mmevolve_backend_replica_next_probe_seconds', 'gauge', 'Seconds until a replica that is out is probed again (0 while in, or when due).', (replica) => (replica.nextProbeInMs ?? 0) / 1000],
    ['mmevolve_backend_replica_outstanding_requests', 'gauge', 'Requests sent to a model replica and not answered yet.', (replica) => replica.outstanding],
    ['mmevolve_backend_replica_requests_total', 'counter', 'Requests a model replica answered (any status).', (replica) => replica.served],
  ];
  const lines = families.flatMap(([name, type, help, value]) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...rows.map((row) => `${name}${row.labels} ${value(row.replica)}`)]);
  return `${lines.join('\n')}\n`;
}
