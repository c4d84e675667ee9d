/** SIMULATED backends for end-to-end tests: the sim MLLM and SAM 3 servers on loopback, and SynthWorld scenes. */
import { createOpenAICompatibleClient, createSam3Segmenter } from '../../backends/index.js';
import { getProfile } from '../../protocols/index.js';
import type { Mask, RgbImage } from '../../core/index.js';
import { createRng, generateScene, generateSegQuery, parseQuery, perceiveObjects, renderScene, resolveQuery, startSimMllmServer, startSimSegmenterServer } from '../../sim/index.js';
import type { NoisePresetName, SimMllmServer, SimSegmenterServer } from '../../sim/index.js';
import type { SegmentationBackends } from '../run-context.js';

export interface SimScene {
  image: RgbImage;
  query: string;
  isSentence: boolean;
  /** The target's visible pixels, or an empty mask for a query without target. */
  target: Mask;
  /**
   * Whether the simulated models' perception resolves the query to the target (it can misread an
   * occluded shape, e.g. a cross as a star): only then is an oracle run expected to be exact.
   */
  perceivable: boolean;
}

export function simScene(seed: number, options: { sentenceRate?: number; noTargetRate?: number } = {}): SimScene {
  const rendered = renderScene(generateScene(seed, { width: 640, height: 480 }));
  const query = generateSegQuery(rendered.objects, rendered.fullyVisible, createRng(seed + 1000), { sentenceRate: options.sentenceRate ?? 0.5, noTargetRate: options.noTargetRate ?? 0 });
  const empty: Mask = { width: rendered.image.width, height: rendered.image.height, data: new Uint8Array(rendered.image.width * rendered.image.height) };
  const target = query.targetIndex === null ? empty : (rendered.instanceMasks[query.targetIndex] ?? empty);
  const spec = parseQuery(query.query);
  const perceived = perceiveObjects(rendered.image);
  const found = spec === null ? [] : resolveQuery(spec, perceived);
  const only = found.length === 1 ? perceived[found[0] ?? -1] : undefined;
  const perceivable = only !== undefined && only.pixels.length === target.data.reduce((sum, value) => sum + value, 0) && only.pixels.every((pixel) => target.data[pixel] === 1);
  return { image: rendered.image, query: query.query, isSentence: query.isSentence, target, perceivable };
}

export interface SimServers {
  mllm: SimMllmServer;
  segmenter: SimSegmenterServer;
  backends(): SegmentationBackends;
  close(): Promise<void>;
}

export async function startSimServers(preset: NoisePresetName): Promise<SimServers> {
  const mllm = await startSimMllmServer({ port: 0, host: '127.0.0.1', preset });
  const segmenter = await startSimSegmenterServer({ port: 0, host: '127.0.0.1', preset });
  return {
    mllm,
    segmenter,
    backends: () => ({
      // PNG keeps overlays exact for the simulated judge; the sim serves the qwen2.5-vl profile.
      mllm: createOpenAICompatibleClient({ baseURL: `${mllm.url}/v1`, model: mllm.modelId, profile: getProfile('qwen2.5-vl'), image: { format: 'png', resizeToProfile: false }, retryBaseDelayMs: 1 }),
      segmenter: createSam3Segmenter({ baseURL: segmenter.url, retryBaseDelayMs: 1 }),
    }),
    close: async () => {
      await mllm.close();
      await segmenter.close();
    },
  };
}
