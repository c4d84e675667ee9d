import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackends, parseConfig } from '../backends/index.js';
import type { Backends } from '../backends/index.js';
import { startSimMllmServer, startSimSegmenterServer } from '../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../sim/index.js';
import { probesFor } from './health.js';
import type { HealthReport } from './health.js';
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
});
