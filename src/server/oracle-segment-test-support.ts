/**
 * Shared by the segmentation route tests: SIMULATED oracle MLLM and segmenter servers on loopback, backends
 * that send PNGs unresized (so masks compare pixel for pixel), a test server with a key for "alice", and one
 * SynthWorld scene (320×240) with a single-target query as a data URL.
 */
import { createBackends, parseConfig } from '../backends/index.js';
import type { Backends } from '../backends/index.js';
import { createRng, generateScene, generateSegQuery, renderScene, startSimMllmServer, startSimSegmenterServer } from '../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../sim/index.js';
import { encodeImage } from '../vision/index.js';
import { createTestServer } from './server-test-support.js';
import type { TestServer } from './server-test-support.js';

export interface OracleSegmentStack {
  mllm: SimMllmServer;
  segmenter: SimSegmenterServer;
  backends: Backends;
  server: TestServer;
  key: string;
  imageUrl: string;
  query: string;
  close(): Promise<void>;
}

/** `sceneSeed` picks the scene; its query is drawn with seed `1000 + sceneSeed`. */
export async function startOracleSegmentStack(sceneSeed: number): Promise<OracleSegmentStack> {
  const mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  const segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset: 'oracle' });
  const backends = createBackends(
    parseConfig({
      backends: {
        mllm: { baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: 'qwen2.5-vl', image: { format: 'png', resizeToProfile: false } },
        segmenter: { baseURL: segmenter.url },
      },
      cache: { enabled: false },
    }),
  );
  const server = await createTestServer({ backends });
  const key = await server.keyFor('alice');
  const rendered = renderScene(generateScene(sceneSeed, { width: 320, height: 240 }));
  const query = generateSegQuery(rendered.objects, rendered.fullyVisible, createRng(1000 + sceneSeed), { sentenceRate: 0, noTargetRate: 0 }).query;
  const imageUrl = `data:image/png;base64,${(await encodeImage(rendered.image, 'png')).toString('base64')}`;
  return {
    mllm,
    segmenter,
    backends,
    server,
    key,
    imageUrl,
    query,
    async close() {
      await server.close();
      backends.close();
      await Promise.all([mllm.close(), segmenter.close()]);
    },
  };
}
