/**
 * Prometheus text exposition (format 0.0.4) without a client library: requests by route/method/status,
 * a latency histogram per route, model calls by backend and outcome, cache hits, errors by code.
 */
import type { CallRecord } from '../core/index.js';

// Prometheus client defaults (seconds), extended for multi-minute evolution requests.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export interface ServerMetrics {
  recordRequest(route: string, method: string, status: number, seconds: number): void;
  /** Pass as backends' onCall so every model call (cache hits included) is counted. */
  recordCall(record: CallRecord): void;
  recordError(code: string): void;
  /** Prometheus text. */
  render(): string;
  /** Requests counted so far (tests and the load bench read it). */
  requestCount(): number;
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

export function labels(values: Record<string, string>): string {
  const parts = Object.entries(values).map(([name, value]) => `${name}="${escapeLabel(value)}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export function createServerMetrics(): ServerMetrics {
  const requests = new Map<string, number>();
  const latencies = new Map<string, Histogram>();
  const calls = new Map<string, number>();
  const callSeconds = new Map<string, number>();
  const cacheHits = new Map<string, number>();
  const errors = new Map<string, number>();
  let total = 0;

  return {
    recordRequest(route, method, status, seconds) {
      total += 1;
      increment(requests, JSON.stringify([route, method, String(status)]));
      const histogram = latencies.get(route) ?? { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      LATENCY_BUCKETS.forEach((bound, index) => {
        if (seconds <= bound) histogram.counts[index] = (histogram.counts[index] ?? 0) + 1;
      });
      histogram.sum += seconds;
      histogram.count += 1;
      latencies.set(route, histogram);
    },
    recordCall(record) {
      const outcome = record.errorCode ?? 'ok';
      increment(calls, JSON.stringify([record.backend, record.stage, outcome]));
      increment(callSeconds, record.backend, record.latencyMs / 1000);
      if (record.cacheHit) increment(cacheHits, record.backend);
    },
    recordError(code) {
      increment(errors, code);
    },
    requestCount: () => total,
    render() {
      const lines: string[] = [];
      lines.push('# HELP mmevolve_http_requests_total HTTP requests by route, method and status.', '# TYPE mmevolve_http_requests_total counter');
      for (const [key, value] of requests) {
        const [route = '', method = '', status = ''] = JSON.parse(key) as string[];
        lines.push(`mmevolve_http_requests_total${labels({ route, method, status })} ${value}`);
      }
      lines.push('# HELP mmevolve_http_request_duration_seconds Time to the response headers, by route.', '# TYPE mmevolve_http_request_duration_seconds histogram');
      for (const [route, histogram] of latencies) {
        LATENCY_BUCKETS.forEach((bound, index) => lines.push(`mmevolve_http_request_duration_seconds_bucket${labels({ route, le: String(bound) })} ${histogram.counts[index] ?? 0}`));
        lines.push(`mmevolve_http_request_duration_seconds_bucket${labels({ route, le: '+Inf' })} ${histogram.count}`);
        lines.push(`mmevolve_http_request_duration_seconds_sum${labels({ route })} ${histogram.sum}`);
        lines.push(`mmevolve_http_request_duration_seconds_count${labels({ route })} ${histogram.count}`);
      }
      lines.push('# HELP mmevolve_model_calls_total Backend calls by backend, stage and outcome (cache hits included).', '# TYPE mmevolve_model_calls_total counter');
      for (const [key, value] of calls) {
        const [backend = '', stage = '', outcome = ''] = JSON.parse(key) as string[];
        lines.push(`mmevolve_model_calls_total${labels({ backend, stage, outcome })} ${value}`);
      }
      lines.push('# HELP mmevolve_model_call_seconds_total Time spent in backend calls.', '# TYPE mmevolve_model_call_seconds_total counter');
      for (const [backend, value] of callSeconds) lines.push(`mmevolve_model_call_seconds_total${labels({ backend })} ${value}`);
      lines.push('# HELP mmevolve_cache_hits_total Backend calls answered from the response cache.', '# TYPE mmevolve_cache_hits_total counter');
      for (const [backend, value] of cacheHits) lines.push(`mmevolve_cache_hits_total${labels({ backend })} ${value}`);
      lines.push('# HELP mmevolve_errors_total Error responses by error code.', '# TYPE mmevolve_errors_total counter');
      for (const [code, value] of errors) lines.push(`mmevolve_errors_total${labels({ code })} ${value}`);
      return `${lines.join('\n')}\n`;
    },
  };
}
