/** All three simulated servers at once (free loopback ports), for engine tests, evals and demos. */
import { resolveSimConfig } from '../noise/index.js';
import type { NoisePresetName, SimConfig } from '../noise/index.js';
import { startSimEmbeddingsServer } from './embeddings-server.js';
import type { SimEmbeddingsServer } from './embeddings-server.js';
import { startSimMllmServer } from './mllm-server.js';
import type { SimMllmServer } from './mllm-server.js';
import { startSimSegmenterServer } from './segmenter-server.js';
import type { SimSegmenterServer } from './segmenter-server.js';

export interface SimStack {
  mllm: SimMllmServer;
  segmenter: SimSegmenterServer;
  embeddings: SimEmbeddingsServer;
  config: SimConfig;
  close(): Promise<void>;
}

export async function startSimStack(options: { preset?: NoisePresetName; config?: SimConfig; host?: string } = {}): Promise<SimStack> {
  const config = options.config ?? resolveSimConfig({}, options.preset === undefined ? {} : { preset: options.preset });
  const host = options.host ?? '127.0.0.1';
  const [mllm, segmenter, embeddings] = await Promise.all([
    startSimMllmServer({ config, host, port: 0 }),
    startSimSegmenterServer({ config, host, port: 0 }),
    startSimEmbeddingsServer({ host, port: 0 }),
  ]);
  return {
    mllm,
    segmenter,
    embeddings,
    config,
    close: async () => {
      await Promise.all([mllm.close(), segmenter.close(), embeddings.close()]);
    },
  };
}
