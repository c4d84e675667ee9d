import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackends, parseConfig } from '../backends/index.js';
import type { Backends } from '../backends/index.js';
import { startSimMllmServer, startSimSegmenterServer } from '../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../sim/index.js';
import { probesFor } from './health.js';
import type { HealthReport } from './health.js';
import { healthReportSchema } from './api-schemas.js';
import { createServerMetrics } from './metrics.js';
import { createTestServer } from './server-test-support.js';

let mllm: SimMllmServer;
let segmenter: SimSegmenterServer;

beforeAll(async () => {
  mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
});

afterAll(async () => {
  await Promise.all([mllm.close(), segmenter.close()]);
});

function backendsWith(mllmURL: string, segmenterURL: string, onCall?: Parameters<typeof createBackends>[1]): Backends {
  return createBackends(
    parseConfig({ backends: { mllm: { baseURL: mllmURL, model: mllm.modelId, maxRetries: 0 }, segmenter: { baseURL: segmenterURL, maxRetries: 0 }, embedder: { kind: 'offline' } }, cache: { enabled: false } }),
    onCall,
  );
}

describe('/healthz and /metrics', () => {
  it('reports each backend reachable against the SIMULATED servers, and 503 degraded when one is down', async () => {
    const up = backendsWith(`${mllm.url}/v1`, segmenter.url);
    const down = backendsWith('http://127.0.0.1:1/v1', segmenter.url);
    const healthy = await createTestServer({ backends: up, health: probesFor(up, segmenter.url) });
    const degraded = await createTestServer({ backends: down, health: probesFor(down, segmenter.url), healthTimeoutMs: 2000 });
    try {
      const ok = await healthy.request('/healthz');
      expect(ok.status).toBe(200);
      const report = (await ok.json()) as HealthReport;
      expect(report.simulated, 'the sim MLLM is named sim-…').toBe(true);
      expect(report.models['mllm']).toBe(mllm.modelId);
      expect(report.backends.map((backend) => [backend.name, backend.reachable])).toEqual([
        ['mllm', true],
        ['embedder', true],
        ['segmenter', true],
      ]);
      const bad = await degraded.request('/healthz');
      expect(bad.status).toBe(503);
      const badReport = (await bad.json()) as HealthReport;
      expect(badReport.status).toBe('degraded');
      expect(badReport.backends.find((backend) => backend.name === 'mllm')?.reachable).toBe(false);
      expect(badReport.backends.find((backend) => backend.name === 'segmenter')?.reachable).toBe(true);
    } finally {
      await Promise.all([healthy.close(), degraded.close()]);
      up.close();
      down.close();
    }
  });

  it('counts requests by route and status, latency buckets, model calls and errors in Prometheus text', async () => {
    const metrics = createServerMetrics();
    const backends = backendsWith(`${mllm.url}/v1`, segmenter.url, { onCall: metrics.recordCall, cache: false });
    const server = await createTestServer({ backends, metrics });
    try {
      const admin = await server.keyFor('ops', ['admin']);
      await server.request('/v1/memories', { key: admin });
      await server.request('/v1/memories/les_missing', { key: admin });
      await server.request('/healthz');
      await backends.mllm?.chat({ messages: [{ role: 'user', content: 'hello' }], stage: 'metrics-test' });
      const text = await (await server.request('/metrics', { key: admin })).text();
      expect(text).toContain('mmevolve_http_requests_total{route="/v1/memories",method="GET",status="200"} 1');
      expect(text).toContain('mmevolve_http_requests_total{route="/v1/memories/:id",method="GET",status="404"} 1');
      expect(text).toMatch(/mmevolve_http_request_duration_seconds_bucket\{route="\/v1\/memories",le="\+Inf"\} 1/u);
      expect(text).toContain('mmevolve_errors_total{code="not-found"} 1');
      expect(text, 'the chat call is counted through backends onCall').toMatch(/mmevolve_model_calls_total\{backend="[^"]*",stage="metrics-test",outcome="ok"\} 1/u);
      expect(text).toContain('# TYPE mmevolve_cache_hits_total counter');
    } finally {
      await server.close();
      backends.close();
    }
  });

  it('shows each model replica on /healthz (by its place in the config, no address) and on /metrics (by base URL): a dead one is out, with its failures and next probe', async () => {
    const dead = 'http://127.0.0.1:1/v1';
    const backends = createBackends(parseConfig({ backends: { mllm: { baseURL: `${mllm.url}/v1`, replicas: [dead], model: mllm.modelId, maxRetries: 0 } }, cache: { enabled: false } }));
    const server = await createTestServer({ backends, health: probesFor(backends) });
    try {
      // In turn, the dead replica gets some of these first; each moves on to the live one and counts a failure.
      for (let index = 0; index < 4; index += 1) await backends.mllm?.chat({ messages: [{ role: 'user', content: 'hello' }], stage: 'replica-test' });
      const response = await server.request('/healthz');
      const body = await response.text();
      const report = healthReportSchema.parse(JSON.parse(body));
      expect(response.status, 'the live replica answers, so the backend is reachable').toBe(200);
      expect(report.replicas?.['mllm']?.map((replica) => [replica.replica, replica.state]), 'replica 0 in, replica 1 (the dead one) out').toEqual([[0, 'in'], [1, 'out']]);
      const out = report.replicas?.['mllm']?.[1];
      expect(out?.consecutiveFailures, 'failures in a row of the dead replica').toBeGreaterThanOrEqual(2);
      expect(out?.nextProbeInMs, 'a replica that is out has a next probe').not.toBeNull();
      expect(report.replicas?.['mllm']?.[0]?.served, 'the live replica answered the calls').toBeGreaterThanOrEqual(4);
      expect(body, 'the public /healthz names no replica address').not.toContain('127.0.0.1:1');

      const admin = await server.keyFor('ops', ['admin']);
      const text = await (await server.request('/metrics', { key: admin })).text();
      expect(text).toContain('# TYPE mmevolve_backend_replica_up gauge');
      expect(text).toContain(`mmevolve_backend_replica_up{backend="mllm",base_url="${dead}"} 0`);
      expect(text).toContain(`mmevolve_backend_replica_up{backend="mllm",base_url="${mllm.url}/v1"} 1`);
      expect(text).toMatch(new RegExp(`mmevolve_backend_replica_consecutive_failures\\{backend="mllm",base_url="${dead.replaceAll('.', '\\.')}"\\} [2-9]`, 'u'));
      expect(text).toContain(`mmevolve_backend_replica_outstanding_requests{backend="mllm",base_url="${mllm.url}/v1"} 0`);
    } finally {
      await server.close();
      backends.close();
    }
  });

  it('leaves replicas out of /healthz and /metrics when no backend lists them', async () => {
    const backends = backendsWith(`${mllm.url}/v1`, segmenter.url);
    const server = await createTestServer({ backends, health: probesFor(backends, segmenter.url) });
    try {
      const report = healthReportSchema.parse(await (await server.request('/healthz')).json());
      expect(report.replicas, 'no replicas field without replicas').toBeUndefined();
      const admin = await server.keyFor('ops', ['admin']);
      expect(await (await server.request('/metrics', { key: admin })).text()).not.toContain('mmevolve_backend_replica_');
    } finally {
      await server.close();
      backends.close();
    }
  });
});
