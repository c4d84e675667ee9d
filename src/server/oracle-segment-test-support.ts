/**
 * Shared by the segmentation route tests: the SIMULATED oracle backends (sim-backends-test-support.ts), a test
 * server with a key for "alice", and one SynthWorld scene (320×240) with a single-target query as a data URL.
 */
import type { Backends } from '../backends/index.js';
import { createRng, generateScene, generateSegQuery, renderScene } from '../sim/index.js';
import type { SimMllmServer, SimSegmenterServer } from '../sim/index.js';
import { encodeImage } from '../vision/index.js';
import { startSimBackends } from './sim-backends-test-support.js';
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
  const sim = await startSimBackends();
  const { mllm, segmenter, backends } = sim;
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
      await sim.close();
    },
  };
}
