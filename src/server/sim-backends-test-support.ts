/**
 * Shared by the server tests: SIMULATED oracle MLLM and segmenter servers on loopback and backends that
 * send PNGs unresized (so masks compare pixel for pixel), with the offline embedder and no response cache.
 */
import { createBackends, parseConfig } from '../backends/index.js';
import type { Backends } from '../backends/index.js';
import { startSimMllmServer, startSimSegmenterServer } from '../sim/index.js';
import type { SimMllmOptions, SimMllmServer, SimSegmenterServer } from '../sim/index.js';

export interface SimBackends {
  mllm: SimMllmServer;
  segmenter: SimSegmenterServer;
  backends: Backends;
  close(): Promise<void>;
}

/** `mllmConfig` replaces the oracle preset of the MLLM (e.g. to add latency). */
export async function startSimBackends(options: { mllmConfig?: SimMllmOptions['config'] } = {}): Promise<SimBackends> {
  const mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'oracle', ...(options.mllmConfig ? { config: options.mllmConfig } : {}) });
  const segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  const backends = createBackends(
    parseConfig({
      backends: {
        mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
        segmenter: { baseURL: segmenter.url },
        embedder: { kind: 'offline' },
      },
      cache: { enabled: false },
    }),
  );
  return {
    mllm,
    segmenter,
    backends,
    async close() {
      backends.close();
      await Promise.all([mllm.close(), segmenter.close()]);
    },
  };
}
