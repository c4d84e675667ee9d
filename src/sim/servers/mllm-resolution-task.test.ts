import { describe, expect, it } from 'vitest';
import { taskResponseFormat } from '../../core/index.js';
import type { RgbImage } from '../../core/index.js';
import { resolveSimConfig } from '../noise/index.js';
import { BACKGROUND_COLOURS, colourRgb } from '../world/index.js';
import { createSimMllmApp } from './mllm-server.js';
import { pngDataUrl } from './test-support.js';

const oracle = createSimMllmApp(resolveSimConfig({ preset: 'oracle', profile: 'qwen2.5-vl' }));

/** A 224×168 image with one red square of `side` pixels. */
function redSquare(side: number): RgbImage {
  const [width, height] = [224, 168];
  const background = BACKGROUND_COLOURS[0] ?? [235, 235, 235];
  const data = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) data.set(background, pixel * 3);
  for (let y = 40; y < 40 + side; y += 1) for (let x = 60; x < 60 + side; x += 1) data.set(colourRgb('red'), (y * width + x) * 3);
  return { width, height, data };
}

async function needsFull(image: RgbImage): Promise<boolean> {
  const content = [{ type: 'image_url', image_url: { url: await pngDataUrl(image) } }, { type: 'text', text: 'Query: the red square\nImages: 1' }];
  const response = await oracle.app.request('/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: oracle.modelId, messages: [{ role: 'user', content }], response_format: taskResponseFormat('check_resolution') }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { choices: { message: { content: string } }[] };
  return (JSON.parse(body.choices[0]?.message.content ?? '{}') as { needsFullResolution: boolean }).needsFullResolution;
}

describe('simulated check_resolution (oracle)', () => {
  it('is content with the image when the target is several tokens wide', async () => {
    expect(await needsFull(redSquare(80))).toBe(false);
  });

  it('asks for full resolution when the target is narrower than one 28-px token', async () => {
    expect(await needsFull(redSquare(20)), 'seen as a square, but narrower than a token').toBe(true);
  });

  it('asks for full resolution when it cannot find the target: a square under one 14-px patch reads as a blob', async () => {
    expect(await needsFull(redSquare(11))).toBe(true);
  });
});
