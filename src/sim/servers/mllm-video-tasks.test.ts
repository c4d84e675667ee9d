import { describe, expect, it } from 'vitest';
import { taskResponseFormat } from '../../core/index.js';
import { parseTemporalPoint } from '../../protocols/index.js';
import { resolveSimConfig } from '../noise/index.js';
import type { SimConfig } from '../noise/index.js';
import { createSimMllmApp } from './mllm-server.js';
import { framesWithTarget, pngDataUrl, sceneFixture } from './test-support.js';
import type { TargetVisibility } from './test-support.js';

/** hidden, half, whole, half, hidden: the target is best visible in frame 2. */
const PATTERN: TargetVisibility[] = ['hidden', 'half', 'full', 'half', 'hidden'];
const LABELS = ['<0.0 seconds>', '<0.5 seconds>', '<1.0 seconds>', '<1.5 seconds>', '<2.0 seconds>'];

async function videoOf(seed: number): Promise<{ urls: string[]; query: string }> {
  const fixture = sceneFixture(seed, { sentenceRate: 0, width: 320, height: 240 });
  const target = fixture.rendered.instanceMasks[fixture.query.targetIndex ?? -1];
  if (target === undefined) throw new Error(`scene ${seed} has no target`);
  return { urls: await Promise.all(framesWithTarget(fixture, target, PATTERN).map((frame) => pngDataUrl(frame))), query: fixture.query.query };
}

async function locate(config: SimConfig, urls: readonly string[], query: string, labels: readonly (string | undefined)[] = LABELS, seed = 1): Promise<string | null> {
  const sim = createSimMllmApp(config);
  const content = [
    ...urls.flatMap((url, index) => [...(labels[index] === undefined ? [] : [{ type: 'text', text: labels[index] }]), { type: 'image_url', image_url: { url } }]),
    { type: 'text', text: `Query: ${query}\nAt which timestamp is the target of the query best visible?` },
  ];
  const response = await sim.app.request('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: sim.modelId, seed, messages: [{ role: 'user', content }], response_format: taskResponseFormat('locate_time') }),
  });
  expect(response.status, 'the simulated server answers').toBe(200);
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return (JSON.parse(body.choices[0]?.message.content ?? '{}') as { time: string | null }).time;
}

const oracle = resolveSimConfig({ preset: 'oracle' });

describe('simulated MLLM locate_time (SIMULATED)', () => {
  it('names the timestamp of the frame where the target shows whole, read from the text before it', async () => {
    const { urls, query } = await videoOf(3);
    const time = await locate(oracle, urls, query);
    expect(time, 'an answer').not.toBeNull();
    expect(parseTemporalPoint(time ?? ''), `answer ${JSON.stringify(time)} reads back to the third frame's time`).toBe(1);
  });

  it('reads the times it is shown, not a frame number: other timestamps, other answer', async () => {
    const { urls, query } = await videoOf(3);
    const shifted = ['<10.0 seconds>', '<10.5 seconds>', '<11.0 seconds>', '<11.5 seconds>', '<12.0 seconds>'];
    expect(parseTemporalPoint((await locate(oracle, urls, query, shifted)) ?? '')).toBe(11);
    const unlabelled = await locate(oracle, urls, query, [undefined, undefined, undefined, undefined, undefined]);
    expect(parseTemporalPoint(unlabelled ?? ''), 'without timestamps: the frame place at 2 fps').toBe(1);
  });

  it('answers null when no frame shows an object that fits the query', async () => {
    const { urls } = await videoOf(3);
    expect(await locate(oracle, urls, 'the purple star')).toBeNull();
  });

  it('errs like a real model: a noisy model misreads some clips, and the same way in every call', async () => {
    const weak = resolveSimConfig({ preset: 'weak', noise: { perCallErrorRate: 0, malformed: { rate: 0, truncatedShare: 0 } } });
    let wrongScenes = 0;
    let clips = 0;
    for (let seed = 1; seed <= 16; seed += 1) {
      const { urls, query } = await videoOf(seed);
      // Some queries name another object once the target is gone ("the largest …"): only clips where the
      // oracle finds the whole target test the noisy model.
      if (parseTemporalPoint((await locate(oracle, urls, query)) ?? '') !== 1) continue;
      clips += 1;
      const answers = await Promise.all([1, 2, 3].map(async (callSeed) => {
        const time = await locate(weak, urls, query, LABELS, callSeed);
        return time === null ? null : parseTemporalPoint(time);
      }));
      expect(new Set(answers).size, `seed ${seed}: one reading in every call (${answers.join(', ')})`).toBe(1);
      if (answers[0] !== 1) wrongScenes += 1;
    }
    expect(clips, 'enough clips where the target can be found').toBeGreaterThanOrEqual(8);
    expect(wrongScenes, `the weak model misreads at least one of ${clips} clips`).toBeGreaterThan(0);
    expect(wrongScenes, 'and finds the target in others').toBeLessThan(clips);
  });
});
